/** `features history` executor: the entity file into DuckDB, the history query, the split parts in scratch. */
import * as path from "node:path";
import { ENV } from "../../contract/env.js";
import { LakelineError, UsageError } from "../../core/errors.js";
import { ORDER_COLUMNS, SPLIT_COLUMN } from "../../core/export/snapshot-sql.js";
import { historySql, ROW_COLUMN } from "../../core/features/history-sql.js";
import type { SplitKeyColumn } from "../../core/split/canonical.js";
import { splitBucketSql, splitCaseSql } from "../../core/split/sql.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { type ColumnType, glueType } from "../../core/warehouse/table.js";
import { ENTITIES_TABLE, loadEntities } from "./entities.js";
import type { HistoryDeps, HistoryPlan, HistoryRequest } from "./history-plan.js";

export interface Written {
  readonly query: string;
  readonly rows: Record<string, number>;
  readonly totalRows: number;
  readonly served: Record<string, number>;
  readonly entityTypes: Map<string, string>;
}

/** The history query with its split columns, over the loaded entity table. */
function historyQuery(
  plan: HistoryPlan,
  entityMd5: string,
  entityTypes: Map<string, string>,
  dialect: "duckdb" | "athena",
): string {
  const { resolved, timestamp, carry, asOf, knowledge, spec } = plan;
  const history = historySql(
    { entities: ENTITIES_TABLE, timestamp, carry, views: resolved.views, asOf, knowledge },
    dialect,
  );
  const keyColumns: SplitKeyColumn[] = plan.splitKeyNames.map((n) => ({
    name: n,
    type: plan.keyTypes.get(n) ?? duckType(entityTypes.get(n) ?? "VARCHAR"),
  }));
  const cols = plan.outColumns.map(sqlIdent).join(", ");
  const bucketed = `SELECT ${cols}, ${sqlString(entityMd5)} AS ${sqlIdent(ORDER_COLUMNS[0])}, ${sqlIdent(ROW_COLUMN)} AS ${sqlIdent(ORDER_COLUMNS[1])}, ${splitBucketSql(keyColumns, spec.seed, dialect)} AS "_bucket" FROM (${history}) AS "history"`;
  return `SELECT ${cols}, ${ORDER_COLUMNS.map(sqlIdent).join(", ")}, ${splitCaseSql('"_bucket"', spec)} AS ${sqlIdent(SPLIT_COLUMN)} FROM (${bucketed}) AS "bucketed"`;
}

/** Executor: entity file into DuckDB, the history query, the split parts in `dataDir`. */
export async function executeHistory(
  deps: HistoryDeps,
  req: HistoryRequest,
  plan: HistoryPlan,
  entityMd5: string,
  dataDir: string,
): Promise<Written> {
  const engine = await deps.openEngine(plan.asOf);
  try {
    if (engine.name !== "duckdb")
      throw new UsageError("features history runs on the local lake (DuckDB); see the README for Athena");
    const totalRows = await loadEntities(engine, req.entities, {
      keys: plan.resolved.keys,
      timestamp: plan.timestamp,
      ...(plan.label ? { label: plan.label } : {}),
    });
    if (totalRows === 0) throw new UsageError(`entity file ${path.basename(req.entities)} has no rows`);
    const described = await engine.query(`DESCRIBE SELECT * FROM ${ENTITIES_TABLE}`);
    const entityTypes = new Map(described.rows.map((r) => [String(r.column_name), String(r.column_type)]));
    const query = historyQuery(plan, entityMd5, entityTypes, engine.name);
    const written = await deps
      .writeSplits(engine, {
        snapshot: query,
        columns: plan.outColumns,
        splits: plan.spec.parts.map((p) => p.name),
        dataDir,
      })
      .catch((err: unknown) => {
        if (/out of memory/i.test(String((err as Error)?.message)))
          throw new LakelineError(
            `features history: DuckDB ran out of memory joining ${totalRows} entity rows with ${plan.resolved.views.length} view(s); raise ${ENV.duckdbMemory} (e.g. 512MB)`,
            { entities: totalRows },
            { cause: err },
          );
        throw err;
      });
    const featureCols = plan.resolved.views.flatMap((v) => v.features.map((f) => f.as));
    const counted = await engine.query(
      `SELECT ${featureCols.map((c, i) => `count(${sqlIdent(c)}) AS "c${i}"`).join(", ")} FROM read_parquet(${sqlString(path.join(dataDir, "**", "*.parquet"))})`,
    );
    const served = Object.fromEntries(
      featureCols.map((c, i) => [c, Number(counted.rows[0]?.[`c${i}`] ?? 0)]),
    );
    return { query, rows: written.rows, totalRows, served, entityTypes };
  } finally {
    await engine.close();
  }
}

export function columnTypesOf(plan: HistoryPlan, written: Written) {
  return [
    ...plan.resolved.keys.map((k) => ({ name: k.name, type: glueType(k.type) })),
    { name: plan.timestamp, type: "timestamp" },
    ...(plan.label
      ? [{ name: plan.label, type: glueType(duckType(written.entityTypes.get(plan.label) ?? "VARCHAR")) }]
      : []),
    ...plan.resolved.views.flatMap((v) => v.features.map((f) => ({ name: f.as, type: glueType(f.type) }))),
  ];
}

function duckType(t: string): ColumnType {
  if (t === "BIGINT" || t === "HUGEINT") return { kind: "bigint" };
  if (t === "INTEGER") return { kind: "int" };
  if (t === "DOUBLE" || t === "FLOAT") return { kind: "double" };
  if (t === "BOOLEAN") return { kind: "boolean" };
  if (t.startsWith("TIMESTAMP")) return { kind: "timestamp" };
  if (t === "DATE") return { kind: "date" };
  return { kind: "string" };
}
