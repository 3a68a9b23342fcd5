/**
 * The ingest driver's first question: which run is this? Dataset, environment and schema come from
 * the key and the registry; the run id is deterministic from (bucket, key, version or etag,
 * pipeline version, schema version), so every delivery of one upload is the same run.
 */
import type { InvalidKeyError } from "../core/errors.js";
import { LakelineError } from "../core/errors.js";
import { deterministicUuid } from "../core/hash/uuid.js";
import { parseRawKey } from "../core/keys.js";
import type { DatasetSchema } from "../core/schema/types.js";
import type { ObjectInfo } from "../ports/object-store.js";
import type { IngestDeps, IngestOptions, ObjectRef } from "./ingest.js";
import { INVALID_DATASET, markerKey, REJECTED_FOLDER } from "./layout.js";
import { putOnce, readJson } from "./put-once.js";
import type { IngestResult } from "./result.js";

export const PIPELINE_VERSION = "lakeline-ingest/1";

export interface RunIdentity {
  readonly dataset: string;
  readonly environment: string;
  readonly loaded?: { readonly schema: DatasetSchema; readonly md5: string; readonly file: string };
  /** Why the blob cannot be ingested at all (unknown dataset, missing or malformed schema …). */
  readonly identityError?: unknown;
  readonly schemaVersion: number | null;
  readonly runId: string;
}

/** Blob-level problems that reject the blob (recorded, not retried); anything else fails the run. */
export function isRejection(err: unknown): err is LakelineError {
  return (
    err instanceof LakelineError &&
    ["BlobFormatError", "SchemaNotFoundError", "SchemaFormatError", "InvalidKeyError", "UsageError"].includes(
      err.name,
    )
  );
}

function runIdOf(
  bucket: string,
  ref: ObjectRef,
  versionOrEtag: string,
  schemaVersion: number | null,
): string {
  return deterministicUuid(
    "ingest",
    bucket,
    ref.key,
    versionOrEtag,
    PIPELINE_VERSION,
    String(schemaVersion ?? "none"),
  );
}

export function resolveIdentity(
  deps: IngestDeps,
  ref: ObjectRef,
  info: ObjectInfo,
  options: IngestOptions,
): RunIdentity {
  let dataset = INVALID_DATASET;
  let environment = (options.environment ?? "TRAINING").toUpperCase();
  let loaded: RunIdentity["loaded"];
  let identityError: unknown;
  try {
    const parsed = parseRawKey(ref.key);
    dataset = parsed.dataset;
    environment = (options.environment ?? parsed.environment).toUpperCase();
    loaded = deps.schemas.loadChecked(dataset, options.schemaVersion);
  } catch (err) {
    if (!isRejection(err)) throw err;
    identityError = err;
  }
  const schemaVersion = loaded?.schema.version ?? null;
  const version = ref.versionId ?? ref.etag ?? info.versionId ?? info.etag ?? "";
  return {
    dataset,
    environment,
    ...(loaded ? { loaded } : {}),
    ...(identityError ? { identityError } : {}),
    schemaVersion,
    runId: runIdOf(deps.stores.raw.bucket, ref, version, schemaVersion),
  };
}

/**
 * A notification naming a key lakeline cannot address (`..`, absolute, NUL — S3 allows such keys)
 * would fail on every retry; it is recorded as rejected instead, with the reason in quarantine.
 * The blob itself stays untouched in the raw zone: it cannot be read without escaping a zone.
 */
export async function rejectUnaddressable(
  deps: IngestDeps,
  ref: ObjectRef,
  err: InvalidKeyError,
): Promise<IngestResult> {
  const { stores } = deps;
  const runId = runIdOf(stores.raw.bucket, ref, ref.versionId ?? ref.etag ?? "", null);
  const marker = markerKey(INVALID_DATASET, runId);
  const committed = await readJson<IngestResult>(stores.warehouse, marker);
  if (committed) return committed;
  const rejectedDir = `${INVALID_DATASET}/${REJECTED_FOLDER}/${runId}`;
  const result: IngestResult = {
    dataset: INVALID_DATASET,
    environment: "TRAINING",
    schemaVersion: null,
    rawKey: ref.key,
    rawBucket: stores.raw.bucket,
    sourceMd5: null,
    sourceBytes: 0,
    format: null,
    rowsRead: 0,
    rowsWritten: 0,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: { rejected: `${rejectedDir}/` },
    runId,
    status: "rejected",
    reason: err.message,
    ingestedAt: deps.clock.now().toISOString(),
  };
  await putOnce(stores.quarantine, `${rejectedDir}/reason.json`, JSON.stringify({ ...result, ref }, null, 2));
  await putOnce(stores.warehouse, marker, JSON.stringify(result, null, 2));
  return result;
}
