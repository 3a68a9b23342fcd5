/**
 * Where each zone's objects live inside its bucket, as far as the infrastructure must know it.
 * IAM statements and Glue table locations are scoped by these prefixes, so they come from the
 * same constants the pipeline writes with (src/contract/keys.ts).
 *
 * - raw: the whole bucket is input (`<dataset>/[<environment>/]<file>`)
 * - warehouse: `<dataset>/ingest_date=…/` table data, plus run markers, content claims,
 *   statistics, reports and the run index under `_runs/ _content/ _stats/ _reports/ _index/runs/`
 * - quarantine: `<dataset>/…` (rejected rows in `ingest_date=` partitions, rejected blobs)
 * - lineage: `openlineage/` RunEvents, `mlmd/` ML-Metadata records and their index `_index/lineage/`
 * - failed: `<dataset>/<runId>.json`
 * - exports: the whole bucket is the export function's DVC remote
 */

import {
  CONTENT_PREFIX,
  LINEAGE_INDEX_PREFIX,
  MARKER_PREFIX,
  MLMD_PREFIX,
  OPENLINEAGE_PREFIX,
  REPORTS_PREFIX,
  REPROCESS_PREFIX,
  RUN_INDEX_PREFIX,
  STATS_PREFIX,
} from "../src/contract/keys.js";

/** Warehouse prefixes holding ingest's bookkeeping rather than table data. */
export const WAREHOUSE_META_PREFIXES: readonly string[] = [
  MARKER_PREFIX,
  CONTENT_PREFIX,
  STATS_PREFIX,
  REPORTS_PREFIX,
  RUN_INDEX_PREFIX,
  REPROCESS_PREFIX,
];

/** Commit markers: their creation triggers the online-feature materializer. */
export const COMMIT_MARKER_PREFIX = MARKER_PREFIX;

export const LINEAGE_PREFIXES: readonly string[] = [OPENLINEAGE_PREFIX, MLMD_PREFIX, LINEAGE_INDEX_PREFIX];

export const LINEAGE_EVENTS_PREFIX = OPENLINEAGE_PREFIX;
export const LINEAGE_TABLE = "lineage_events";
/** Athena writes query results here in the results bucket. */
export const ATHENA_RESULTS_PREFIX = "athena/";

export function quarantineTableName(dataset: string): string {
  return `${dataset}_quarantine`;
}

/** Every function reads its schemas from here, inside the deployment package. */
export const BUNDLED_SCHEMAS_DIR = "schemas";

/** Commit markers of a dataset's runs in the warehouse bucket (`_runs/<dataset>/<runId>.json`). */
export const markerPrefix = (dataset: string) => `${MARKER_PREFIX}${dataset}/`;
