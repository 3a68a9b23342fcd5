/**
 * What Athena readers use to see only committed rows. A run's Parquet file is in the table's
 * location before its commit marker exists (and stays there if the run crashes and is never
 * replayed); the marker, written last, is what commits it. So per dataset:
 *   `<dataset>_runs`       the commit markers (`_runs/<dataset>/<runId>.json`, one JSON object each)
 *   `<dataset>_committed`  a view: the table's rows whose `_run_id` has a marker with status ok
 */
export const RUNS_TABLE_SUFFIX = "_runs";
export const COMMITTED_VIEW_SUFFIX = "_committed";

export const runsTableName = (dataset: string) => `${dataset}${RUNS_TABLE_SUFFIX}`;
export const committedViewName = (dataset: string) => `${dataset}${COMMITTED_VIEW_SUFFIX}`;

/** Columns of the runs table, as the JSON SerDe maps the marker's fields (case-insensitively). */
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

/** The view's SQL (Trino/Athena), over the database's own tables. */
export function committedViewSql(database: string, dataset: string): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return (
    `SELECT t.* FROM ${q(database)}.${q(dataset)} t WHERE t."_run_id" IN ` +
    `(SELECT r."runid" FROM ${q(database)}.${q(runsTableName(dataset))} r WHERE r."status" = 'ok')`
  );
}
