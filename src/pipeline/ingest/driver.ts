/**
 * The ingest driver: which run this is (identity.ts), whether its outcome is already known, and in
 * scratch the blob made local and hashed while the engine stages it, the run's keys and lineage
 * START, and the outcomes decided before execution.
 */
import * as path from "node:path";
import { markerKey, runKeys } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { errorMessage, InvalidKeyError, LakelineError } from "../../core/errors.js";
import type { DatasetRef, RunStart } from "../lineage/recorder.js";
import { md5File } from "../shared/hash-files.js";
import { md5Stored, readJson } from "../shared/publish.js";
import { committedTwin } from "./claim.js";
import { type IngestContext, type IngestMade, type IngestPlan, rejectedUnread } from "./context.js";
import type { IngestDeps, IngestOptions, ObjectRef } from "./deps.js";
import { PIPELINE_VERSION, rejectUnaddressable, resolveIdentity } from "./identity.js";
import { pinRequestTime } from "./request-time.js";
import { SpeculativeBatch } from "./speculative.js";

export {
  isRejection,
  PIPELINE_VERSION,
  type RunIdentity,
  rejectUnaddressable,
  resolveIdentity,
} from "./identity.js";

/**
 * The driver before any scratch work: the object's identity and run id, or the run's outcome when
 * it is already known (committed before, or a key that cannot be addressed).
 */
export async function driveIngest(
  deps: IngestDeps,
  ref: ObjectRef,
  asked: IngestOptions,
): Promise<{ done: IngestResult } | { plan: IngestPlan }> {
  const raw = deps.stores.raw;
  const info = await raw.head(ref.key).catch((err: unknown) => {
    if (err instanceof InvalidKeyError) return err;
    throw err;
  });
  if (info instanceof InvalidKeyError) return { done: await rejectUnaddressable(deps, ref, info) };
  if (!info) throw new LakelineError(`raw object not found: ${raw.bucket}/${ref.key}`, { key: ref.key });
  const identity = resolveIdentity(deps, ref, info, asked);
  const committed = await alreadyCommitted(deps, markerKey(identity.dataset, identity.runId));
  if (committed) return { done: committed };
  // A re-processing keeps the request time its first attempt recorded (keys and _ingested_at carry it).
  const options: IngestOptions = asked.reprocess
    ? {
        ...asked,
        reprocess: await pinRequestTime(
          deps.stores.warehouse,
          identity.dataset,
          identity.runId,
          asked.reprocess,
        ),
      }
    : asked;
  const ingestedAt = options.reprocess
    ? new Date(options.reprocess.requestedAt)
    : (info.lastModified ?? deps.clock.now());
  const base = {
    rawKey: ref.key,
    rawBucket: raw.bucket,
    sourceBytes: info.size,
    ingestedAt: ingestedAt.toISOString(),
  };
  return {
    plan: { deps, ref, options, info, identity, ingestedAt, base, speculative: new SpeculativeBatch() },
  };
}

/** The result of a run whose commit marker exists, marked as such: this delivery wrote nothing. */
async function alreadyCommitted(deps: IngestDeps, marker: string): Promise<IngestResult | undefined> {
  const committed = await readJson<IngestResult>(deps.stores.warehouse, marker);
  if (!committed) return undefined;
  const at = (await deps.stores.warehouse.head(marker))?.lastModified ?? new Date(committed.ingestedAt);
  return { ...committed, alreadyCommitted: { at: at.toISOString() } };
}

/**
 * The driver in scratch: the blob made local and hashed while the engine stages it, the run's keys
 * and lineage inputs, and the outcomes known before execution (routed, rejected, duplicate).
 * A blob too large for one invocation never lands in scratch (it may not fit /tmp): it is hashed
 * as it streams from the store, then routed.
 */
export async function prepareIngest(
  plan: IngestPlan,
  scratch: string,
): Promise<{ context: IngestContext; start: Omit<RunStart, "eventTime"> }> {
  const { deps, ref, info, identity } = plan;
  const { dataset, environment, runId } = identity;
  const tooLarge = deps.maxBlobBytes !== undefined && info.size > deps.maxBlobBytes;
  const { local, md5 } = await localCopy(plan, scratch, tooLarge);
  const context: IngestContext = {
    deps,
    ref,
    plan,
    scratch,
    local,
    md5,
    keys: runKeys(dataset, environment, plan.ingestedAt, md5, runId),
    common: {
      ...plan.base,
      dataset,
      environment,
      schemaVersion: identity.schemaVersion,
      sourceMd5: md5,
      runId,
      ...(plan.options.reprocess ? { reprocess: plan.options.reprocess } : {}),
    },
  };
  const early = tooLarge ? ({ kind: "routed", size: info.size } as const) : await earlyOutcome(context);
  return { context: early ? { ...context, early } : context, start: lineageStart(context) };
}

/**
 * A downloaded blob was hashed as it streamed in; one read in place is hashed (Node's thread) while
 * DuckDB's threads stage it: measured on 3M rows, 0.1 s less than hashing first. Staging also
 * overlaps lineage START and the content claim.
 */
async function localCopy(
  plan: IngestPlan,
  scratch: string,
  tooLarge: boolean,
): Promise<{ local: string; md5: string }> {
  const { deps, ref, identity } = plan;
  const raw = deps.stores.raw;
  const inPlace = raw.localPath?.(ref.key);
  const local = inPlace ?? path.join(scratch, "blob");
  const downloaded = !inPlace && !tooLarge ? await raw.download(ref.key, local) : undefined;
  deps.onPhase?.("stage", ref.key);
  const hashing = downloaded
    ? Promise.resolve(downloaded)
    : inPlace
      ? md5File(local)
      : md5Stored(raw, ref.key);
  if (identity.loaded && !identity.identityError && !tooLarge) {
    plan.speculative.start(
      deps.engine.stage({
        key: ref.key,
        localPath: local,
        scratch,
        schema: identity.loaded.schema,
        environment: identity.environment,
        ...(deps.limits ? { limits: deps.limits } : {}),
        ...(deps.database ? { options: deps.database } : {}),
      }),
    );
  }
  return { local, md5: (await hashing).md5 };
}

/**
 * Outcomes decided before execution: no usable schema rejects the blob; dedupe may find the same
 * bytes already committed by another run (a re-processing is asked for: it never is a duplicate).
 */
async function earlyOutcome(context: IngestContext): Promise<IngestMade | undefined> {
  const { identity, options } = context.plan;
  if (identity.identityError || !identity.loaded) return rejectedUnread(errorMessage(identity.identityError));
  if (!identity.loaded.schema.policy.dedupeByContent || options.reprocess) return undefined;
  const duplicate = await committedTwin(context);
  return duplicate ? { kind: "duplicate", result: duplicate } : undefined;
}

function lineageStart(context: IngestContext): Omit<RunStart, "eventTime"> {
  const { identity, info } = context.plan;
  const { dataset, environment, runId, loaded, schemaVersion } = identity;
  const { reprocess } = context.plan.options;
  const raw = context.deps.stores.raw;
  const inputs: DatasetRef[] = [
    {
      namespace: raw.namespace,
      name: context.ref.key,
      version: context.md5,
      artifactType: "RawBlob",
      size: info.size,
    },
  ];
  if (loaded) {
    inputs.push({
      namespace: `file://${path.dirname(loaded.file)}`,
      name: path.basename(loaded.file),
      version: loaded.md5,
      artifactType: "Schema",
      properties: { dataset, version: loaded.schema.version },
    });
  }
  return {
    runId,
    jobName: `ingest.${dataset}`,
    executionType: "Ingest",
    inputs,
    parameters: {
      environment,
      schemaVersion: schemaVersion ?? "none",
      pipelineVersion: PIPELINE_VERSION,
      ...(reprocess
        ? { reprocessGeneration: reprocess.generation, reprocessRequestedAt: reprocess.requestedAt }
        : {}),
    },
    contexts: [{ type: "Dataset", name: dataset }],
  };
}
