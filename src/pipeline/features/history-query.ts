/**
 * `features history` pieces both executors share: the entity file loaded into a DuckDB temp table,
 * the history query with its split columns, the rows served per feature, the output column types.
 */
import * as path from "node:path";
import { UsageError } from "../../core/errors.js";
import { ORDER_COLUMNS, SPLIT_COLUMN } from "../../core/export/snapshot-sql.js";
import { historySql, ROW_COLUMN, timelineOnlySql } from "../../core/features/history-sql.js";
import type { SplitKeyColumn } from "../../core/split/canonical.js";
import { splitBucketSql, splitCaseSql } from "../../core/split/sql.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { type ColumnType, glueType } from "../../core/warehouse/table.js";
import type { ExportEngine, QueryEngine } from "../../ports/query-engine.js";
import { dropEntitiesSql, ENTITIES_TABLE, loadEntities } from "./entities.js";
import type { HistoryPlan, HistoryRequest } from "./history-plan.js";

export interface Written {
  readonly query: string;
  readonly rows: Record<string, number>;
  readonly totalRows: number;
  readonly served: Record<string, number>;
  readonly entityTypes: Map<string, string>;
}

/**
 * The history query with its split columns, over the loaded entity table (`entities`, default the
 * DuckDB temp table). `runsTable`: each dataset's commit-marker relation, for an engine whose tables
 * hold every run's files (Athena): the runs read are chosen from it in SQL, as an export's are.
 */
export function historyQuery(
  plan: HistoryPlan,
  entityMd5: string,
  entityTypes: Map<string, string>,
  dialect: "duckdb" | "athena",
  over: {
    entities?: string;
    runsTable?: (dataset: string) => string;
    /** A table already holding the history rows (see stageHistory): read instead of joining. */
    staged?: string;
  } = {},
): string {
  const { resolved, timestamp, carry, asOf, knowledge, spec } = plan;
  const { runsTable } = over;
  const views = runsTable
    ? resolved.views.map((v) => ({ ...v, runsTable: runsTable(v.table) }))
    : resolved.views;
  const history = over.staged
    ? `SELECT * FROM ${over.staged}`
    : historySql(
        { entities: over.entities ?? ENTITIES_TABLE, timestamp, carry, views, asOf, knowledge },
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

const timelineTable = (i: number) => sqlIdent(`_lakeline_timeline_${i}`);

function runner(engine: ExportEngine) {
  return (sql: string) => (engine.execute ? engine.execute(sql) : engine.query(sql).then(() => {}));
}

/**
 * Each view's timeline (the relation the ASOF form joins) as a temp table, built before the entity
 * file is loaded: its aggregate then has the memory limit to itself.
 */
export async function stageTimelines(engine: ExportEngine, plan: HistoryPlan): Promise<void> {
  const { timestamp, carry, asOf, knowledge } = plan;
  for (const [i, view] of plan.resolved.views.entries())
    await runner(engine)(
      `CREATE OR REPLACE TEMP TABLE ${timelineTable(i)} AS ${timelineOnlySql(view, { entities: ENTITIES_TABLE, timestamp, carry, asOf, knowledge })}`,
    );
}

/**
 * The history rows of the loaded entity table, joined one view at a time into temp tables (each
 * step's table, and the view's timeline, dropped once the next exists): only one join's ASOF state
 * is alive at once, which keeps the peak memory of a training set near a single join's instead of
 * the sum of all of them. The rows are those of historySql over all views (the same carried columns,
 * values and `_row`); the order is imposed later by the export writer. Returns the last table.
 */
export async function stageHistory(engine: ExportEngine, plan: HistoryPlan): Promise<string> {
  const { resolved, timestamp, carry, asOf, knowledge } = plan;
  const run = runner(engine);
  let table = ENTITIES_TABLE;
  let carried = [...carry];
  for (const [i, view] of resolved.views.entries()) {
    const next = sqlIdent(`_lakeline_history_${i}`);
    const timeline = timelineTable(i);
    const step = historySql(
      { entities: table, timestamp, carry: carried, views: [{ ...view, timeline }], asOf, knowledge },
      "duckdb",
    );
    await run(`CREATE OR REPLACE TEMP TABLE ${next} AS ${step}`);
    await run(`DROP TABLE ${timeline}`);
    for (const drop of table === ENTITIES_TABLE ? dropEntitiesSql() : [`DROP TABLE ${table}`])
      await run(drop);
    table = next;
    carried = [...carried, ...view.features.map((f) => f.as)];
  }
  return table;
}

/** The entity file as the DuckDB temp table; its row count and column types. */
export async function loadEntityTable(engine: ExportEngine, req: HistoryRequest, plan: HistoryPlan) {
  const totalRows = await loadEntities(engine, req.entities, {
    keys: plan.resolved.keys,
    timestamp: plan.timestamp,
    ...(plan.label ? { label: plan.label } : {}),
  });
  if (totalRows === 0) throw new UsageError(`entity file ${path.basename(req.entities)} has no rows`);
  const described = await engine.query(`DESCRIBE SELECT * FROM ${ENTITIES_TABLE}`);
  const entityTypes = new Map(described.rows.map((r) => [String(r.column_name), String(r.column_type)]));
  return { totalRows, entityTypes };
}

/** Entity rows that received a value, per output feature column, counted in the written parts. */
export async function servedCounts(
  engine: QueryEngine,
  plan: HistoryPlan,
  dataDir: string,
): Promise<Record<string, number>> {
  const featureCols = plan.resolved.views.flatMap((v) => v.features.map((f) => f.as));
  const counted = await engine.query(
    `SELECT ${featureCols.map((c, i) => `count(${sqlIdent(c)}) AS "c${i}"`).join(", ")} FROM read_parquet(${sqlString(path.join(dataDir, "**", "*.parquet"))})`,
  );
  return Object.fromEntries(featureCols.map((c, i) => [c, Number(counted.rows[0]?.[`c${i}`] ?? 0)]));
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

export function duckType(t: string): ColumnType {
  if (t === "BIGINT" || t === "HUGEINT") return { kind: "bigint" };
  if (t === "INTEGER") return { kind: "int" };
  if (t === "DOUBLE" || t === "FLOAT") return { kind: "double" };
  if (t === "BOOLEAN") return { kind: "boolean" };
  if (t.startsWith("TIMESTAMP")) return { kind: "timestamp" };
  if (t === "DATE") return { kind: "date" };
  return { kind: "string" };
}
