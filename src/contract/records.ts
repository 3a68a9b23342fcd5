import type { Anomaly } from "../core/validate/anomaly.js";

export type IngestStatus = "ok" | "rejected" | "duplicate" | "routed" | "failed";

/** What one ingest run did; also the commit marker's content. Counts always add up: rowsRead = rowsWritten + rowsQuarantined. */
export interface IngestResult {
  readonly dataset: string;
  readonly environment: string;
  readonly schemaVersion: number | null;
  readonly rawKey: string;
  readonly rawBucket: string;
  readonly sourceMd5: string | null;
  readonly sourceBytes: number;
  readonly format: string | null;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
  readonly anomalies: readonly Anomaly[];
  /** Keys written, by zone. */
  readonly outputs: {
    readonly warehouse?: string;
    readonly quarantine?: string;
    readonly rejected?: string;
    readonly report?: string;
    readonly statistics?: string;
    /**
     * The warehouse file's md5 and size, as hashed before upload: exports read them here instead of
     * streaming every warehouse file again (markers written before this field was added lack it).
     */
    readonly warehouseMd5?: string;
    readonly warehouseBytes?: number;
    /** Raw keys of the parts a routed blob was cut into, each ingested as its own run. */
    readonly parts?: readonly string[];
  };
  readonly runId: string;
  readonly status: IngestStatus;
  /** Why the blob was rejected/routed/failed, or which upload it duplicates. */
  readonly reason?: string;
  readonly duplicateOf?: string;
  /** When this processing's rows entered the lake: the upload, or the re-processing request. */
  readonly ingestedAt: string;
  /** A few quarantined rows with reasons, for people. */
  readonly sample?: readonly { row: number | null; reasons: string[] }[];
  /** Set on a re-processing run: which one (see ReprocessRequest). */
  readonly reprocess?: ReprocessRequest;
  /**
   * Set only on the result handed back for a run whose commit marker already existed (a
   * re-delivered event, the same file ingested again): nothing was written; `at` is the commit time.
   */
  readonly alreadyCommitted?: { readonly at: string };
}

/**
 * A re-processing of a stored raw object: a new run (its id includes the generation, so it differs
 * from the upload's run and from earlier re-processings under the same schema version), whose rows
 * count as of `requestedAt`. The same request delivered again is the same run.
 */
export interface ReprocessRequest {
  /** 1 for the first re-processing of a blob under a schema version, 2 for the next … */
  readonly generation: number;
  /** ISO 8601: the run's `ingestedAt` (its rows' `_ingested_at` and key timestamp). */
  readonly requestedAt: string;
}

/** The object an S3 notification names. */
export interface ObjectRef {
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

export interface IngestOptions {
  /** Overrides the environment taken from the key. */
  readonly environment?: string;
  readonly schemaVersion?: number;
  /** Re-process the object as a new run (`lakeline reprocess`), without the content dedupe. */
  readonly reprocess?: ReprocessRequest;
}

/** The failed zone's record of an ingest run that threw (`<dataset>/<runId>.json`); replay reads it. */
export interface FailedRunRecord {
  readonly dataset: string;
  readonly runId: string;
  readonly rawKey: string;
  readonly rawBucket?: string;
  readonly sourceBytes?: number;
  readonly ingestedAt?: string;
  readonly environment?: string;
  readonly ref: ObjectRef;
  readonly options?: IngestOptions;
  readonly schemaVersion?: number | null;
  readonly error: string;
  readonly errorName?: string;
  readonly failedAt: string;
}

/**
 * A commit marker's bytes: the result as ONE line of JSON, one row of Athena's `<dataset>_runs`
 * view (src/contract/committed-view.ts), which also reads the pretty-printed markers of older
 * versions field by field. Readers in code parse either.
 */
export function renderCommitMarker(result: IngestResult): string {
  return `${JSON.stringify(result)}\n`;
}
