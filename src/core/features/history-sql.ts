/**
 * Point-in-time-correct feature values for a set of entity rows, as SQL, from one builder for both
 * engines. For each entity row (keys, timestamp t) and each view, the value served is the view's row
 * with the same keys that
 *   - happened at or before t:                 event_time ≤ t
 *   - was already in the warehouse at t:       _ingested_at ≤ t       (knowledge time; "row" mode)
 *   - is still fresh:                          event_time ≥ t − ttl   (when the view has a TTL)
 * and, of those, comes first in the order
 *   event_time DESC, _ingested_at DESC, _run_id DESC, _source_row DESC
 * (a later event wins; for the same event a later ingest — a correction — wins; then the run id and
 * the record number make the choice total). A NULL feature value in the chosen row is served as NULL:
 * values come from one row, never mixed across rows. In "as-of" knowledge mode every row ingested at
 * or before the as-of instant counts as known at any t (history loaded after the fact).
 *
 * DuckDB ("duckdb"): a timeline per entity — at each instant rows become visible
 * (greatest(event_time, _ingested_at)), the best row visible so far (the best of the instant, then
 * arg_max over a running window) — then one ASOF join of the entity rows onto it. This is exact: visibility only grows with t, so
 * the best visible row at t is the timeline's entry at the last visibility instant ≤ t; and if that
 * row is older than the TTL every other visible row is too. A plain ASOF join on event time alone
 * could not express the second condition.
 * Athena/Trino ("athena"), which has no ASOF join: the same rows by a join on the keys with the three
 * conditions and row_number() over the order above. Both forms run on DuckDB for the tests.
 */
import { committedRunIdsSelect } from "../export/snapshot-sql.js";
import { sqlIdent, sqlString } from "../sql.js";
import { renderSelect } from "../sql-builder.js";

export type HistoryDialect = "duckdb" | "athena";
export type HistoryForm = "asof" | "window";
export type KnowledgeMode = "row" | "as-of";

export interface HistoryView {
  readonly name: string;
  /** Warehouse table (the dataset). */
  readonly table: string;
  /** Key columns, named the same in the entity relation and the table. */
  readonly entities: readonly string[];
  readonly eventTime: string;
  readonly ttlSeconds?: number;
  readonly environment: string;
  /** Table columns served, and the output column each becomes. */
  readonly features: readonly { readonly column: string; readonly as: string }[];
  /**
   * The commit markers of `table`, one row each (see SnapshotPlan.runsTable), when `table` holds
   * more than the committed runs: Athena's Glue table has every run's files, crashed and replaced
   * ones included. The runs read are chosen from it in SQL by the export's rule (each source blob's
   * latest processing at or before the plan's as-of), so the query does not grow with the runs.
   */
  readonly runsTable?: string;
  /** DuckDB: a relation already holding this view's timeline (see timelineOnlySql), joined as is. */
  readonly timeline?: string;
}

export interface HistoryPlan {
  /** Relation of entity rows: the key columns, `timestamp` (TIMESTAMP, UTC) and `_row` (unique). */
  readonly entities: string;
  readonly timestamp: string;
  /** Entity-relation columns carried into the output, in order (keys, timestamp, label). */
  readonly carry: readonly string[];
  readonly views: readonly HistoryView[];
  /** Rows ingested after this instant are never read. */
  readonly asOf: Date;
  readonly knowledge: KnowledgeMode;
}

export const ROW_COLUMN = "_row";

/** The tie-break, stated once: for documentation, manifests and the reference tests. */
export const TIE_BREAK = [
  "event_time DESC",
  "_ingested_at DESC",
  "_run_id DESC",
  "_source_row DESC",
] as const;

const q = sqlIdent;

function instant(at: Date, dialect: HistoryDialect): string {
  const iso = sqlString(at.toISOString());
  return dialect === "duckdb" ? `TIMESTAMPTZ ${iso}` : `from_iso8601_timestamp(${iso})`;
}

function minusSeconds(ts: string, seconds: number, dialect: HistoryDialect): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`ttl must be a positive whole number of seconds, not ${seconds}`);
  return dialect === "duckdb"
    ? `(${ts} - INTERVAL ${sqlString(`${seconds} seconds`)})`
    : `date_add('second', -${seconds}, ${ts})`;
}

/** The view's candidate rows: committed, of its environment, read as of the plan's instant. */
function sourceSql(
  v: HistoryView,
  i: number,
  plan: HistoryPlan,
  dialect: HistoryDialect,
  visible: boolean,
): string {
  const keys = v.entities.map(q);
  const feats = v.features.map((f, j) => `${q(f.column)} AS ${q(`f${j}`)}`);
  const vis = plan.knowledge === "row" ? `greatest(${q(v.eventTime)}, "_ingested_at")` : q(v.eventTime);
  const cols = [
    ...keys,
    `${q(v.eventTime)} AS "_ev"`,
    `"_ingested_at" AS "_ing"`,
    `"_run_id" AS "_run"`,
    `"_source_row" AS "_srow"`,
    ...feats,
    ...(visible ? [`${vis} AS "_vis"`] : []),
  ];
  const where = [
    `"_environment" = ${sqlString(v.environment)}`,
    `"_ingested_at" <= ${instant(plan.asOf, dialect)}`,
    `${q(v.eventTime)} IS NOT NULL`,
    ...keys.map((k) => `${k} IS NOT NULL`),
    ...(v.runsTable
      ? [
          `"_run_id" IN (${renderSelect(committedRunIdsSelect({ table: v.table, runsTable: v.runsTable, asOf: plan.asOf }, dialect), { compact: true })})`,
        ]
      : []),
  ];
  return `${q(`v${i}_src`)} AS (SELECT ${cols.join(", ")} FROM ${q(v.table)} WHERE ${where.join(" AND ")})`;
}

function timelineSql(v: HistoryView, i: number, knowledge: KnowledgeMode): string[] {
  const keys = v.entities.map(q).join(", ");
  const value = `{${["'ev': \"_ev\"", ...v.features.map((_, j) => `'f${j}': ${q(`f${j}`)}`)].join(", ")}}`;
  const order = `{'ev': "_ev", 'ing': "_ing", 'run': "_run", 'srow': "_srow"}`;
  // Rows becoming visible at the same instant collapse to the best of them (a hash aggregate); a
  // run's rows usually share one instant, so this is what keeps the running window small.
  // A window rather than a hash aggregate: sorting spills to disk under the memory limit, the
  // aggregate's struct states do not.
  const grouped =
    `${q(`v${i}_vis`)} AS (SELECT ${keys}, "_vis", ${value} AS "_best", ${order} AS "_ord" ` +
    `FROM ${q(`v${i}_src`)} QUALIFY row_number() OVER (PARTITION BY ${keys}, "_vis" ORDER BY "_ev" DESC, "_ing" DESC, "_run" DESC, "_srow" DESC) = 1)`;
  // As-of knowledge: visibility is the event time, the order's first field, so the best row visible
  // at an instant is the best of the latest instant — the grouped rows already are the timeline.
  if (knowledge === "as-of") return [grouped, `${q(`v${i}_tl`)} AS (SELECT * FROM ${q(`v${i}_vis`)})`];
  return [
    grouped,
    `${q(`v${i}_tl`)} AS (SELECT ${keys}, "_vis", arg_max("_best", "_ord") OVER ` +
      `(PARTITION BY ${keys} ORDER BY "_vis" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "_best" FROM ${q(`v${i}_vis`)})`,
  ];
}

function pickSql(v: HistoryView, i: number, plan: HistoryPlan, dialect: HistoryDialect): string {
  const e = (c: string) => `"e".${q(c)}`;
  const s = (c: string) => `"s".${q(c)}`;
  const ts = e(plan.timestamp);
  const on = [
    ...v.entities.map((k) => `${s(k)} = ${e(k)}`),
    `${s("_ev")} <= ${ts}`,
    ...(plan.knowledge === "row" ? [`${s("_ing")} <= ${ts}`] : []),
    ...(v.ttlSeconds !== undefined ? [`${s("_ev")} >= ${minusSeconds(ts, v.ttlSeconds, dialect)}`] : []),
  ];
  const feats = v.features.map((_, j) => s(`f${j}`));
  return (
    `${q(`v${i}_pick`)} AS (SELECT ${e(ROW_COLUMN)} AS ${q(ROW_COLUMN)}, ${feats.join(", ")}, row_number() OVER ` +
    `(PARTITION BY ${e(ROW_COLUMN)} ORDER BY ${s("_ev")} DESC, ${s("_ing")} DESC, ${s("_run")} DESC, ${s("_srow")} DESC) AS "_rank" ` +
    `FROM ${plan.entities} AS "e" JOIN ${q(`v${i}_src`)} AS "s" ON ${on.join(" AND ")})`
  );
}

/** SELECT <carry>, <view features…>, _row FROM … — one row per entity row, in no particular order. */
export function historySql(plan: HistoryPlan, dialect: HistoryDialect, form?: HistoryForm): string {
  const shape = form ?? (dialect === "duckdb" ? "asof" : "window");
  if (shape === "asof" && dialect !== "duckdb")
    throw new Error("the ASOF form is DuckDB's; Athena uses the window form");
  if (plan.views.length === 0) throw new Error("a training set needs at least one feature view");
  const e = (c: string) => `"e".${q(c)}`;
  const ctes: string[] = [];
  const outs: string[] = [...plan.carry.map((c) => e(c))];
  let from = `${plan.entities} AS "e"`;
  plan.views.forEach((v, i) => {
    const alias = q(`t${i}`);
    if (!(shape === "asof" && v.timeline)) ctes.push(sourceSql(v, i, plan, dialect, shape === "asof"));
    if (shape === "asof") {
      if (!v.timeline) ctes.push(...timelineSql(v, i, plan.knowledge));
      const on = [
        ...v.entities.map((k) => `${e(k)} = ${alias}.${q(k)}`),
        `${e(plan.timestamp)} >= ${alias}."_vis"`,
      ];
      from += ` ASOF LEFT JOIN ${v.timeline ?? q(`v${i}_tl`)} AS ${alias} ON ${on.join(" AND ")}`;
      const fresh =
        v.ttlSeconds !== undefined
          ? `${alias}."_best"."ev" >= ${minusSeconds(e(plan.timestamp), v.ttlSeconds, dialect)}`
          : `${alias}."_best" IS NOT NULL`;
      v.features.forEach((f, j) => {
        outs.push(`CASE WHEN ${fresh} THEN ${alias}."_best".${q(`f${j}`)} END AS ${q(f.as)}`);
      });
    } else {
      ctes.push(pickSql(v, i, plan, dialect));
      from += ` LEFT JOIN ${q(`v${i}_pick`)} AS ${alias} ON ${alias}.${q(ROW_COLUMN)} = ${e(ROW_COLUMN)} AND ${alias}."_rank" = 1`;
      v.features.forEach((f, j) => {
        outs.push(`${alias}.${q(`f${j}`)} AS ${q(f.as)}`);
      });
    }
  });
  outs.push(e(ROW_COLUMN));
  return `${ctes.length > 0 ? `WITH ${ctes.join(", ")} ` : ""}SELECT ${outs.join(", ")} FROM ${from}`;
}

/** DuckDB: one view's timeline (the relation the ASOF form joins), to materialise on its own. */
export function timelineOnlySql(v: HistoryView, plan: Omit<HistoryPlan, "views">): string {
  const full: HistoryPlan = { ...plan, views: [v] };
  const ctes = [sourceSql(v, 0, full, "duckdb", true), ...timelineSql(v, 0, plan.knowledge)];
  return `WITH ${ctes.join(", ")} SELECT * FROM ${q("v0_tl")}`;
}

/**
 * The latest row per entity of one view, over everything read as of `asOf` (no TTL, no knowledge
 * cut-off): what the online store must hold. Same order as above; includes the row's identity.
 */
export function latestPerEntitySql(v: HistoryView, asOf: Date, dialect: HistoryDialect): string {
  const keys = v.entities.map(q);
  const plan: HistoryPlan = { entities: "", timestamp: "", carry: [], views: [v], asOf, knowledge: "as-of" };
  const src = sourceSql(v, 0, plan, dialect, false);
  const feats = v.features.map((f, j) => `${q(`f${j}`)} AS ${q(f.as)}`);
  return (
    `WITH ${src} SELECT ${keys.join(", ")}, "_ev", "_ing", "_run", "_srow", ${feats.join(", ")} FROM (SELECT *, row_number() OVER ` +
    `(PARTITION BY ${keys.join(", ")} ORDER BY "_ev" DESC, "_ing" DESC, "_run" DESC, "_srow" DESC) AS "_rank" FROM "v0_src") AS "ranked" WHERE "_rank" = 1`
  );
}
