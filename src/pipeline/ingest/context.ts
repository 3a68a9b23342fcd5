/**
 * What the three parts of an ingest run hand each other: the driver's plan (before scratch), the
 * run context (after download and hashing), and what the executor made for the publisher.
 */
import type { RunKeys } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import type { FileDigest } from "../../core/hash/md5-tap.js";
import type { DatasetSchema } from "../../core/schema/types.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { Anomaly } from "../../core/validate/anomaly.js";
import type { BlobFormat } from "../../ports/ingest-engine.js";
import type { ObjectInfo } from "../../ports/object-store.js";
import type { IngestDeps, IngestOptions, ObjectRef } from "./deps.js";
import type { SpeculativeBatch } from "./speculative.js";

export interface RunIdentity {
  readonly dataset: string;
  readonly environment: string;
  readonly loaded?: { readonly schema: DatasetSchema; readonly md5: string; readonly file: string };
  /** Why the blob cannot be ingested at all (unknown dataset, missing or malformed schema …). */
  readonly identityError?: unknown;
  readonly schemaVersion: number | null;
  readonly runId: string;
}

export interface BatchOutputs {
  readonly format: BlobFormat;
  readonly statistics: DatasetStatistics;
  readonly anomalies: Anomaly[];
  /** Set when policy rejects the blob whole; then there are no outputs to publish. */
  readonly rejectReason?: string;
  /** The valid rows' file, with its md5 and size (read while the statistics ran). */
  readonly valid?: { readonly file: string; readonly rows: number; readonly digest?: FileDigest };
  readonly quarantine?: { readonly file: string; readonly rows: number };
  readonly sample: { row: number | null; reasons: string[] }[];
}

/** The result fields every outcome of one run shares. */
export type RunCommon = Pick<
  IngestResult,
  | "rawKey"
  | "rawBucket"
  | "sourceBytes"
  | "ingestedAt"
  | "dataset"
  | "environment"
  | "schemaVersion"
  | "sourceMd5"
  | "runId"
  | "reprocess"
>;

/** The driver's answer before any scratch work: which run this is, for which object. */
export interface IngestPlan {
  readonly deps: IngestDeps;
  readonly ref: ObjectRef;
  readonly options: IngestOptions;
  readonly info: ObjectInfo;
  readonly identity: RunIdentity;
  readonly ingestedAt: Date;
  readonly base: Pick<IngestResult, "rawKey" | "rawBucket" | "sourceBytes" | "ingestedAt">;
  /** The engine batch staged while the blob is hashed and the run announced. */
  readonly speculative: SpeculativeBatch;
}

/** What every part of one run shares once the blob is local (or hashed in place) . */
export interface RunContext {
  readonly deps: IngestDeps;
  readonly ref: ObjectRef;
  readonly keys: RunKeys;
  /** The raw blob's bytes on local disk (in place, or downloaded; not for a routed blob). */
  readonly local: string;
  readonly md5: string;
  /** This run's scratch folder. */
  readonly scratch: string;
  readonly common: RunCommon;
}

export interface IngestContext extends RunContext {
  readonly plan: IngestPlan;
  /** An outcome the driver decided before any execution (routed, rejected, duplicate). */
  readonly early?: IngestMade;
}

/** What the executor (or the driver, early) decided the publisher must write. */
export type IngestMade =
  | {
      readonly kind: "rejected";
      readonly reason: string;
      readonly rowsRead: number;
      readonly format: string | null;
      readonly anomalies: Anomaly[];
      /** What was measured before policy rejected the blob (none when it could not be read). */
      readonly statistics?: DatasetStatistics;
      readonly schema?: DatasetSchema;
      readonly previous?: DatasetStatistics;
    }
  | { readonly kind: "routed"; readonly size: number }
  | { readonly kind: "duplicate"; readonly result: IngestResult }
  | {
      readonly kind: "batch";
      readonly made: BatchOutputs;
      readonly schema: DatasetSchema;
      readonly previous: DatasetStatistics | undefined;
    };

/** A blob rejected whole with nothing read. */
export function rejectedUnread(reason: string): IngestMade {
  return { kind: "rejected", reason, rowsRead: 0, format: null, anomalies: [] };
}

/** The result of a run that wrote no table data. */
export function noRows(
  ctx: RunContext,
  status: IngestResult["status"],
  reason: string,
  format: string | null = null,
): IngestResult {
  return {
    ...ctx.common,
    format,
    rowsRead: 0,
    rowsWritten: 0,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: {},
    status,
    reason,
  };
}
