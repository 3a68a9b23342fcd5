/**
 * Where everything a run writes lives. Keys are deterministic from the run's identity so a
 * re-delivered event lands on the same keys (and conditional puts make the second write a no-op),
 * and they name the run, so two processings of one blob (a re-processing under another schema
 * version) never share a file.
 *
 * warehouse zone:
 *   <dataset>/ingest_date=YYYY-MM-DD/<ts>-<runId>.parquet table data (Hive-style partition, append-only)
 *   _runs/<dataset>/<runId>.json                          commit marker: the run's result; written last
 *   _content/<dataset>/<md5>.json                         content claim (dedupe of byte-identical blobs)
 *   _reprocess/<dataset>/<runId>.json                     a re-processing run's request time, fixed by its first attempt
 *   _stats/<dataset>/<env>/<ts>-<runId>.json              statistics of accepted batches (drift baseline)
 *   _reports/<dataset>/<ts>-<runId>/{statistics.json,anomalies.json,report.html}
 *   _index/runs/<dataset>/append/<runId>.json             run index: one run's entry, written after its marker
 *   _index/runs/<dataset>/compact/<generation>.jsonl      run index: every entry up to a point (derived, rebuildable)
 *   _compacted/<dataset>/ingest_date=YYYY-MM-DD/<id>.parquet  rows of several committed runs (the run files stay)
 *   _index/compacted/<dataset>/<id>.json                   compaction record: the commit point of a compacted file
 * quarantine zone:
 *   <dataset>/ingest_date=YYYY-MM-DD/<ts>-<runId>.parquet rejected rows with reasons
 *   <dataset>/_rejected/<ts>-<runId>/{reason.json,<blob>} blobs rejected whole
 * lineage zone (besides openlineage/ and mlmd/, core/lineage/ids.ts):
 *   _index/lineage/artifacts/<artifactId>/<eventType>/<executionId>   an MLMD event, from its artifact
 *   _index/lineage/executions/<executionId>/<eventType>/<artifactId>  the same event, from its execution
 *   _index/lineage/{names,uris}/<uuid of the name or URI>/<artifactId> artifacts by object key or URI
 *   _index/lineage/versions/<version>/<artifactId>                    artifacts by DVC version
 *   _index/lineage/ready.json                                         every record is indexed
 * failed zone:
 *   <dataset>/<runId>.json                                failed runs, for `lakeline replay`
 */

import { deterministicUuid } from "../core/hash/uuid.js";

export function compactTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d{3})Z$/, "$1Z");
}

export function ingestDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export interface RunKeys {
  readonly warehouse: string;
  readonly quarantine: string;
  readonly marker: string;
  readonly content: string;
  readonly stats: string;
  readonly reportDir: string;
  readonly rejectedDir: string;
  readonly failed: string;
}

export function runKeys(dataset: string, environment: string, at: Date, md5: string, runId: string): RunKeys {
  const ts = compactTimestamp(at);
  const partition = `ingest_date=${ingestDate(at)}`;
  return {
    warehouse: `${dataset}/${partition}/${ts}-${runId}.parquet`,
    quarantine: `${dataset}/${partition}/${ts}-${runId}.parquet`,
    marker: markerKey(dataset, runId),
    content: `${CONTENT_PREFIX}${dataset}/${md5}.json`,
    stats: `${statsPrefix(dataset, environment)}${ts}-${runId}.json`,
    reportDir: `_reports/${dataset}/${ts}-${runId}`,
    rejectedDir: `${dataset}/${REJECTED_FOLDER}/${ts}-${runId}`,
    failed: failedRunKey(dataset, runId),
  };
}

/** Failed zone: the record of a run that threw, which `lakeline replay` re-drives. */
export function failedRunKey(dataset: string, runId: string): string {
  return `${dataset}/${runId}.json`;
}

/** Failed zone: the record of a blob routed past one invocation. */
export function routedKey(dataset: string, runId: string): string {
  return `${ROUTED_PREFIX}${dataset}/${runId}.json`;
}

/** Quarantine: where a blob whose key cannot be addressed has its reason recorded. */
export function unaddressableDir(runId: string): string {
  return `${INVALID_DATASET}/${REJECTED_FOLDER}/${runId}`;
}

/** Raw zone: the folder of the parts a routed blob was cut into. */
export function partsPrefix(dataset: string, environment: string, runId: string): string {
  return `${dataset}/${environment}/${PARTS_FOLDER}/${runId}/`;
}

/** Drift compares a batch with the previous accepted batch of the same dataset and environment. */
export function statsPrefix(dataset: string, environment: string): string {
  return `_stats/${dataset}/${environment.toLowerCase()}/`;
}

export function markerKey(dataset: string, runId: string): string {
  return `_runs/${dataset}/${runId}.json`;
}

/** Failed zone: records of blobs routed past one invocation (`_routed/<dataset>/<runId>.json`). */
export const ROUTED_PREFIX = "_routed/";
/**
 * Raw zone: parts of a blob split for scale-out, `<dataset>/<environment>/_parts/<runId>/…`. They are
 * raw blobs like any other, written once by the run that split the original (which stays as it was).
 */
export const PARTS_FOLDER = "_parts";

/** The pseudo-dataset of raw keys that name no valid dataset (rejected before any schema is read). */
export const INVALID_DATASET = "_invalid";
/** Quarantine: blobs rejected whole sit under `<dataset>/_rejected/`, whatever dataset the key named. */
export const REJECTED_FOLDER = "_rejected";

export const MARKER_PREFIX = "_runs/";

/**
 * Warehouse: the run index, derived from the commit markers so readers need not open every marker
 * (src/pipeline/shared/run-index.ts). The marker stays the commit point; the index can be rebuilt.
 */
export const RUN_INDEX_PREFIX = "_index/runs/";

export function runIndexPrefix(dataset: string): string {
  return `${RUN_INDEX_PREFIX}${dataset}/`;
}

/** One committed run's entry, written (create-only) after its marker. */
export function runIndexAppendKey(dataset: string, runId: string): string {
  return `${runIndexPrefix(dataset)}append/${runId}.json`;
}

/** Folder of the compacted segments; generations are zero-padded so the newest lists last. */
export function runIndexCompactPrefix(dataset: string): string {
  return `${runIndexPrefix(dataset)}compact/`;
}

export function runIndexCompactKey(dataset: string, generation: number): string {
  return `${runIndexCompactPrefix(dataset)}${String(generation).padStart(10, "0")}.jsonl`;
}

/**
 * Lineage zone: the lineage index, empty objects whose keys are the adjacency of the MLMD graph and
 * the lookups a user's reference needs, so a subgraph query lists and reads only what it returns
 * (src/pipeline/lineage/index.ts). Derived from the records; `lakeline lineage --reindex` rebuilds it.
 */
export const LINEAGE_INDEX_PREFIX = "_index/lineage/";
export const LINEAGE_INDEX_READY = `${LINEAGE_INDEX_PREFIX}ready.json`;

/** A key segment for any name or URI (keys may hold any character, up to 1,024 bytes). */
const lookupSegment = (kind: string, text: string) => deterministicUuid(`lineage.index.${kind}`, text);
/** Versions are DVC hashes (`<md5>[.dir]`), listed by prefix for `lakeline lineage <hash prefix>`. */
const SAFE_VERSION = /^[0-9A-Za-z._-]{1,200}$/;

export const LINEAGE_INDEX_KEYS = {
  artifactLinks: (artifactId: string) => `${LINEAGE_INDEX_PREFIX}artifacts/${artifactId}/`,
  artifactLink: (artifactId: string, eventType: string, executionId: string) =>
    `${LINEAGE_INDEX_PREFIX}artifacts/${artifactId}/${eventType}/${executionId}`,
  executionLinks: (executionId: string) => `${LINEAGE_INDEX_PREFIX}executions/${executionId}/`,
  executionLink: (executionId: string, eventType: string, artifactId: string) =>
    `${LINEAGE_INDEX_PREFIX}executions/${executionId}/${eventType}/${artifactId}`,
  byName: (name: string) => `${LINEAGE_INDEX_PREFIX}names/${lookupSegment("name", name)}/`,
  byUri: (uri: string) => `${LINEAGE_INDEX_PREFIX}uris/${lookupSegment("uri", uri)}/`,
  byVersion: (version: string) =>
    `${LINEAGE_INDEX_PREFIX}versions/${SAFE_VERSION.test(version) ? version : `~${lookupSegment("version", version)}`}/`,
  /** Versions starting with a hex prefix: a listing prefix, not a folder. */
  versionsStartingWith: (prefix: string) => `${LINEAGE_INDEX_PREFIX}versions/${prefix}`,
} as const;

/** The last segment of a key (an id, in the lineage index). */
export function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** The run id a marker key or an append key names (`…/<runId>.json`). */
export function runIdOfKey(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1).replace(/\.json$/, "");
}

/** Warehouse: the request time of re-processing runs, `_reprocess/<dataset>/<runId>.json`. */
export const REPROCESS_PREFIX = "_reprocess/";
export function reprocessTimeKey(dataset: string, runId: string): string {
  return `${REPROCESS_PREFIX}${dataset}/${runId}.json`;
}
/** Warehouse: content claims, `_content/<dataset>/<md5>.json`. */
export const CONTENT_PREFIX = "_content/";
/** Lineage zone: OpenLineage RunEvents and ML-Metadata records (their layout is core/lineage/ids.ts). */
export { MLMD_PREFIX, OPENLINEAGE_PREFIX } from "../core/lineage/ids.js";
export const STATS_PREFIX = "_stats/";
export const REPORTS_PREFIX = "_reports/";

/**
 * Warehouse: compacted files, `_compacted/<dataset>/ingest_date=YYYY-MM-DD/<id>.parquet`, each the
 * rows of several committed runs' files (which stay where they are). Outside the Glue table's
 * location (`<dataset>/`), so Athena never reads a row twice; the Hive folder keeps `ingest_date`.
 */
export const COMPACTED_PREFIX = "_compacted/";

export function compactedFileKey(dataset: string, date: string, id: string): string {
  return `${COMPACTED_PREFIX}${dataset}/ingest_date=${date}/${id}.parquet`;
}

/** Warehouse: compaction records, the commit point of a compacted file (core/warehouse/compaction.ts). */
export const COMPACTION_INDEX_PREFIX = "_index/compacted/";

export function compactionRecordPrefix(dataset: string): string {
  return `${COMPACTION_INDEX_PREFIX}${dataset}/`;
}

export function compactionRecordKey(dataset: string, id: string): string {
  return `${compactionRecordPrefix(dataset)}${id}.json`;
}

/** The `YYYY-MM-DD` of a warehouse key's `ingest_date=` folder, or undefined. */
export function ingestDateOfKey(key: string): string | undefined {
  return /(?:^|\/)ingest_date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
}
