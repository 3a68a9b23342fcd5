/**
 * What Athena readers use to see committed rows. A run's Parquet file is in the table's location
 * before its commit marker exists (and stays there if the run crashes and is never replayed); the
 * marker, written last, is what commits it. So per dataset:
 *   `<dataset>_runs_lines`  the commit markers' text, one row per line (`_runs/<dataset>/<runId>.json`)
 *   `<dataset>_runs`        a view: one row per commit marker, its fields as columns
 *   `<dataset>_committed`   a view: the table's rows whose `_run_id` has a marker with status ok and
 *                           is its source blob's latest processing (core/warehouse/latest.ts), the
 *                           same rule as the local views and exports
 *   `<dataset>_history`     a view: the rows of every committed processing (status ok), as the local
 *                           `<dataset>_history` view holds them
 *
 * Markers are one line of JSON now, but older versions wrote them pretty-printed
 * (`JSON.stringify(result, null, 2)`), which a JSON SerDe reads as NULL rows. The runs view reads
 * both from the lines: a compact marker is one JSON line; a pretty-printed one has each top-level
 * field on a line indented by exactly two spaces, and the `outputs` fields the view needs
 * (`warehouse`, `warehouseMd5`, keys no other nested object of a marker has) indented by four.
 * Nothing is rewritten: old lakes read correctly as they are.
 */
import { HISTORY_SUFFIX, latestRunIdsSql } from "../core/warehouse/latest.js";

export const RUNS_TABLE_SUFFIX = "_runs";
export const RUNS_LINES_SUFFIX = "_runs_lines";
export const COMMITTED_VIEW_SUFFIX = "_committed";
export const QUARANTINE_SUFFIX = "_quarantine";

export const runsTableName = (dataset: string) => `${dataset}${RUNS_TABLE_SUFFIX}`;
export const runsLinesTableName = (dataset: string) => `${dataset}${RUNS_LINES_SUFFIX}`;
export const committedViewName = (dataset: string) => `${dataset}${COMMITTED_VIEW_SUFFIX}`;
export const historyViewName = (dataset: string) => `${dataset}${HISTORY_SUFFIX}`;

/** The one column of the lines table: a line of a marker file. */
export const RUNS_LINES_COLUMN = "line";

/** Columns of the runs view, named as the JSON SerDe used to map the marker's fields. */
export const RUNS_TABLE_COLUMNS: readonly { name: string; type: string; comment: string }[] = [
  { name: "runid", type: "string", comment: "the ingest run (the rows' _run_id)" },
  { name: "status", type: "string", comment: "ok, duplicate, rejected, routed" },
  { name: "dataset", type: "string", comment: "dataset name" },
  { name: "environment", type: "string", comment: "TRAINING or SERVING" },
  { name: "ingestedat", type: "string", comment: "ISO 8601 start of the run" },
  { name: "rawkey", type: "string", comment: "raw object key" },
  { name: "sourcemd5", type: "string", comment: "md5 of the raw blob" },
  { name: "rowswritten", type: "bigint", comment: "rows in the warehouse file" },
  {
    name: "outputs",
    type: "struct<warehouse:string,warehousemd5:string>",
    comment: "the run's warehouse file",
  },
];

/** The marker field each scalar column reads (JSON keys are case-sensitive). */
const MARKER_FIELDS: Record<string, string> = {
  runid: "runId",
  status: "status",
  dataset: "dataset",
  environment: "environment",
  ingestedat: "ingestedAt",
  rawkey: "rawKey",
  sourcemd5: "sourceMd5",
  rowswritten: "rowsWritten",
};

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The runs view's SQL (Trino/Athena): one row per marker file, compact or pretty-printed. */
export function runsViewSql(database: string, dataset: string): string {
  const lines = `${q(database)}.${q(runsLinesTableName(dataset))}`;
  const line = q(RUNS_LINES_COLUMN);
  const field = `regexp_replace(${line}, ',\\s*$', '')`;
  // Each line as a JSON document holding what it can tell; other lines (braces, nested values) NULL.
  const doc =
    `CASE WHEN regexp_like(${line}, '^\\{"') THEN ${line} ` +
    `WHEN regexp_like(${line}, '^  "[A-Za-z0-9]+": ') THEN '{' || ${field} || '}' ` +
    `WHEN regexp_like(${line}, '^    "(warehouse|warehouseMd5)": ') THEN '{"outputs": {' || ${field} || '}}' END`;
  const scalar = (key: string) => `max(json_extract_scalar("doc", '$.${key}'))`;
  const columns = RUNS_TABLE_COLUMNS.filter((c) => c.name !== "outputs").map((c) => {
    const value = scalar(MARKER_FIELDS[c.name]!);
    return `${c.type === "bigint" ? `CAST(${value} AS bigint)` : value} AS ${q(c.name)}`;
  });
  const outputs =
    `CAST(ROW(${scalar("outputs.warehouse")}, ${scalar("outputs.warehouseMd5")}) ` +
    `AS ROW("warehouse" varchar, "warehousemd5" varchar)) AS "outputs"`;
  return (
    `SELECT ${[...columns, outputs].join(", ")} FROM ` +
    `(SELECT "$path" AS "marker", ${doc} AS "doc" FROM ${lines}) AS "marker_lines" ` +
    `WHERE "doc" IS NOT NULL GROUP BY "marker"`
  );
}

/** The committed view's SQL (Trino/Athena), over the database's own table and runs view. */
export function committedViewSql(database: string, dataset: string): string {
  // Trino's identifiers are case-insensitive: the rule's "runId" is the view's column runid.
  const runs = `${q(database)}.${q(runsTableName(dataset))} r`;
  return `SELECT t.* FROM ${q(database)}.${q(dataset)} t WHERE t."_run_id" IN (${latestRunIdsSql(runs)})`;
}

/** The history view's SQL: rows of every run whose marker says ok, replaced processings included. */
export function historyViewSql(database: string, dataset: string): string {
  const runs = `${q(database)}.${q(runsTableName(dataset))}`;
  return `SELECT t.* FROM ${q(database)}.${q(dataset)} t WHERE t."_run_id" IN (SELECT "runId" FROM ${runs} WHERE "status" = 'ok')`;
}

/**
 * Every relation lakeline names after a dataset, locally (DuckDB views) or in Glue. Two datasets
 * must not share one: a dataset named `sales_history` would be `sales`' history view.
 */
export function datasetRelationNames(dataset: string): string[] {
  return [
    dataset,
    `${dataset}${QUARANTINE_SUFFIX}`,
    historyViewName(dataset),
    `${dataset}${QUARANTINE_SUFFIX}${HISTORY_SUFFIX}`,
    runsTableName(dataset),
    runsLinesTableName(dataset),
    committedViewName(dataset),
  ];
}

/** Relations lakeline names without a dataset (locally and in Glue). */
export const FIXED_RELATIONS: readonly string[] = [
  "lineage_events",
  "lakeline_runs",
  "mlmd_artifacts",
  "mlmd_executions",
  "mlmd_events",
];

/** Per dataset, the relation names it would share with another dataset or with lakeline's own tables. */
export function relationNameClashes(datasets: readonly string[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const d of datasets)
    for (const name of datasetRelationNames(d)) owners.set(name, [...(owners.get(name) ?? []), d]);
  const out = new Map<string, string[]>();
  for (const d of datasets) {
    const problems: string[] = [];
    for (const name of datasetRelationNames(d)) {
      const others = owners.get(name)!.filter((o) => o !== d);
      if (others.length > 0)
        problems.push(
          `${d}: the relation name ${name} would be both ${describe(d, name)} and ${others.map((o) => describe(o, name)).join(" and ")}; rename one dataset (no dataset may be named like another's _history, _quarantine, _runs, _runs_lines or _committed relation)`,
        );
      if (FIXED_RELATIONS.includes(name))
        problems.push(`${d}: the relation name ${name} is lakeline's own table; rename the dataset`);
    }
    if (problems.length > 0) out.set(d, problems);
  }
  return out;
}

function describe(dataset: string, name: string): string {
  return name === dataset
    ? `dataset ${dataset}'s table`
    : `dataset ${dataset}'s ${name.slice(dataset.length + 1)}`;
}
