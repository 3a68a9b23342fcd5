import { INVALID_DATASET, markerKey, unaddressableDir } from "../../contract/keys.js";
import { DEFAULT_ENVIRONMENT, parseRawKey } from "../../contract/raw-key.js";
import { type IngestResult, type ReprocessRequest, renderCommitMarker } from "../../contract/records.js";
import { dispositionOf, errorMessage, type InvalidKeyError, type LakelineError } from "../../core/errors.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import type { ObjectInfo } from "../../ports/object-store.js";
import { putOnce, readJson } from "../shared/publish.js";
import { appendToRunIndex } from "../shared/run-index.js";
import type { RunIdentity } from "./context.js";

export type { RunIdentity };

import type { IngestDeps, IngestOptions, ObjectRef } from "./deps.js";

export const PIPELINE_VERSION = "lakeline-ingest/1";

/** Blob-level problems that reject the blob (recorded, not retried); anything else fails the run. */
export function isRejection(err: unknown): err is LakelineError {
  const disposition = dispositionOf(err);
  return disposition === "reject" || disposition === "usage";
}

/**
 * A run is named by what decides its outcome: the object's version, the pipeline and the schema
 * version, and, when no schema could be used, why not. That reason is the lake's state, not the
 * blob's: ingesting the same blob while the schema is broken in another way is a new rejection
 * with the new reason (not "already committed" with a stale one), and the same state again is.
 */
function runIdOf(
  bucket: string,
  ref: ObjectRef,
  versionOrEtag: string,
  schemaVersion: number | null,
  reprocess?: ReprocessRequest,
  unusableSchema?: string,
): string {
  const parts = [bucket, ref.key, versionOrEtag, PIPELINE_VERSION, String(schemaVersion ?? "none")];
  if (unusableSchema !== undefined) parts.push(unusableSchema);
  // A re-processing is a run of its own: the upload's run id stays the upload's.
  return reprocess
    ? deterministicUuid("reprocess", ...parts, String(reprocess.generation))
    : deterministicUuid("ingest", ...parts);
}

export function resolveIdentity(
  deps: IngestDeps,
  ref: ObjectRef,
  info: ObjectInfo,
  options: IngestOptions,
): RunIdentity {
  let dataset = INVALID_DATASET;
  let environment = (options.environment ?? DEFAULT_ENVIRONMENT).toUpperCase();
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
    runId: runIdOf(
      deps.stores.raw.bucket,
      ref,
      version,
      schemaVersion,
      options.reprocess,
      identityError ? errorMessage(identityError) : undefined,
    ),
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
  const rejectedDir = unaddressableDir(runId);
  const result: IngestResult = {
    dataset: INVALID_DATASET,
    environment: DEFAULT_ENVIRONMENT,
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
  await putOnce(stores.warehouse, marker, renderCommitMarker(result));
  await appendToRunIndex(stores.warehouse, result);
  return result;
}
