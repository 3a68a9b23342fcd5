/**
 * `features history` on Athena, through the export's seams. Athena cannot read a local file and
 * Trino has no ASOF join, so: the entity file is loaded and checked in a local DuckDB exactly as on
 * the local lake (same errors, same `_row`, keys cast to the views' types, timestamps as UTC),
 * written as one Parquet file to the run's staging prefix in the exports zone and registered as an
 * external table (as Feast's Athena offline store does with its entity dataframe); the window form
 * of the history query, restricted to each dataset's committed runs as of the request (chosen in
 * SQL from the `<dataset>_runs` relation, as exports choose theirs), runs there and each
 * split is UNLOADed and downloaded by the injected split-parts writer; the table is dropped after.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { runsTableName } from "../../contract/committed-view.js";
import { exportStagingPrefix } from "../../contract/export-keys.js";
import { ENTITIES_TABLE_PREFIX } from "../../contract/training-set-request.js";
import { QueryError } from "../../core/errors.js";
import { ROW_COLUMN } from "../../core/features/history-sql.js";
import { sqlString } from "../../core/sql.js";
import { glueType } from "../../core/warehouse/table.js";
import type { ExportEngine } from "../../ports/query-engine.js";
import { ENTITIES_TABLE } from "./entities.js";
import type { Driven, HistoryDeps, HistoryPlan, HistoryRequest } from "./history-plan.js";
import { duckType, historyQuery, loadEntityTable, servedCounts, type Written } from "./history-query.js";

/** Hive DDL names: letters, digits, underscores; quoted with backticks. */
const hiveIdent = (name: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new QueryError(`entity column ${JSON.stringify(name)} cannot be an Athena column name`);
  return `\`${name}\``;
};

/** The entity table's DDL: Parquet under `location`, columns as loaded (Glue/Hive types). */
export function entitiesTableDdl(
  table: string,
  columns: readonly { name: string; type: string }[],
  location: string,
): string {
  const cols = columns.map((c) => `${hiveIdent(c.name)} ${c.type}`).join(", ");
  return `CREATE EXTERNAL TABLE ${hiveIdent(table)} (${cols}) STORED AS PARQUET LOCATION ${sqlString(location)}`;
}

/** The table's name for one attempt of one run (Glue: lowercase, at most 255 characters). */
export function entitiesTableName(runId: string, attempt: string): string {
  return `${ENTITIES_TABLE_PREFIX}${runId.replace(/-/g, "")}_${attempt.replace(/[^a-z0-9]/gi, "").toLowerCase()}`;
}

export async function executeOnAthena(
  deps: HistoryDeps,
  req: HistoryRequest,
  plan: HistoryPlan,
  driven: Driven,
  dataDir: string,
  athena: ExportEngine,
): Promise<Written> {
  if (!deps.openLocal) throw new Error("features history on Athena needs a local DuckDB (openLocal)");
  const local = await deps.openLocal();
  const staging = exportStagingPrefix(driven.runId, randomUUID());
  const table = entitiesTableName(driven.runId, staging.split("/").at(-2)!);
  let registered = false;
  try {
    const { totalRows, entityTypes } = await loadEntityTable(local, req, plan);
    const file = path.join(path.dirname(dataDir), "entities.parquet");
    await local.query(
      `COPY (SELECT * FROM ${ENTITIES_TABLE} ORDER BY ${ROW_COLUMN}) TO ${sqlString(file)} (FORMAT parquet)`,
    );
    const store = deps.stores.exports;
    await store.putFile(`${staging}entities/entities.parquet`, file);
    const columns = [...entityTypes].map(([name, t]) => ({ name, type: glueType(duckType(t)) }));
    await athena.query(entitiesTableDdl(table, columns, `s3://${store.bucket}/${staging}entities/`));
    registered = true;
    const query = historyQuery(plan, driven.entityDigest.md5, entityTypes, "athena", {
      entities: `"${table}"`,
      runsTable: runsTableName,
    });
    const written = await deps.writeSplits(athena, {
      snapshot: query,
      columns: plan.outColumns,
      splits: plan.spec.parts.map((p) => p.name),
      dataDir,
    });
    const served = await servedCounts(local, plan, dataDir);
    return { query, rows: written.rows, totalRows, served, entityTypes };
  } finally {
    if (registered) await athena.query(`DROP TABLE IF EXISTS ${hiveIdent(table)}`).catch(() => {});
    await local.close();
  }
}
