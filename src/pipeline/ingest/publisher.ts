/**
 * How an ingest run ends when it writes no table data: the blob rejected whole, routed to the
 * scale-out path, or a byte-identical duplicate of an earlier upload. Each commits like any run:
 * lineage COMPLETE, then the commit marker, so a re-delivered event finds the outcome and stops.
 */
import * as path from "node:path";
import { markerKey, ROUTED_PREFIX, type RunKeys } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { ObjectExistsError } from "../../core/errors.js";
import type { Anomaly } from "../../core/validate/anomaly.js";
import type { DatasetRef, RunHandle } from "../lineage/recorder.js";
import { putFileOnce, putOnce, readJson } from "../shared/publish.js";
import type { IngestDeps, ObjectRef } from "./ingest.js";

/** What every outcome of one run shares. */
export interface RunContext {
  readonly deps: IngestDeps;
  readonly ref: ObjectRef;
  readonly keys: RunKeys;
  readonly run: RunHandle;
  /** The raw blob's bytes on local disk (in place, or downloaded; not for a routed blob). */
  readonly local: string;
  readonly md5: string;
  readonly common: Pick<
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
  >;
}

/** Lineage COMPLETE, then the commit marker: the marker is the last write of every run. */
export async function commit(
  ctx: RunContext,
  result: IngestResult,
  outputs: DatasetRef[],
): Promise<IngestResult> {
  await ctx.run.complete({ eventTime: ctx.deps.clock.now(), outputs });
  await putOnce(ctx.deps.stores.warehouse, ctx.keys.marker, JSON.stringify(result, null, 2));
  return result;
}

function noRows(
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

/** The blob is quarantined whole (a byte-identical copy and the reason); nothing reaches the warehouse. */
export async function commitRejected(
  ctx: RunContext,
  reason: string,
  counts: { rowsRead: number; format: string | null; anomalies: Anomaly[] },
): Promise<IngestResult> {
  const { stores } = ctx.deps;
  const blobName = path.posix.basename(ctx.ref.key);
  const dir = ctx.keys.rejectedDir;
  await putOnce(
    stores.quarantine,
    `${dir}/reason.json`,
    JSON.stringify({ ...ctx.common, reason, anomalies: counts.anomalies }, null, 2),
  );
  await putFileOnce(stores.quarantine, `${dir}/${blobName}`, ctx.local);
  const result: IngestResult = {
    ...ctx.common,
    format: counts.format,
    rowsRead: counts.rowsRead,
    rowsWritten: 0,
    rowsQuarantined: counts.rowsRead,
    anomalies: counts.anomalies,
    outputs: { rejected: `${dir}/` },
    status: "rejected",
    reason,
  };
  return commit(ctx, result, [
    {
      namespace: stores.quarantine.namespace,
      name: `${dir}/${blobName}`,
      version: ctx.md5,
      artifactType: "QuarantineFile",
      rowCount: counts.rowsRead,
      properties: { reason },
    },
  ]);
}

/** Too large for one invocation: recorded under `_routed/` in the failed zone for the scale-out path. */
export async function commitRouted(
  ctx: RunContext,
  size: number,
  limit: number,
  split?: { parts: DatasetRef[]; partBytes: number },
): Promise<IngestResult> {
  const over = `blob of ${size} bytes exceeds the ${limit}-byte limit of one invocation`;
  const reason = split
    ? `${over}; split at record boundaries into ${split.parts.length} parts of about ${split.partBytes} bytes (raw keys under ${path.posix.dirname(split.parts[0]?.name ?? ".")}/), each ingested as its own run; a part's _source_row counts from the part's first line, and its lineage names that line of the original`
    : `${over}; routed to the scale-out path (see README: scale-out)`;
  const base = noRows(ctx, "routed", reason);
  const result: IngestResult = split ? { ...base, outputs: { parts: split.parts.map((p) => p.name) } } : base;
  await putOnce(
    ctx.deps.stores.failed,
    `${ROUTED_PREFIX}${ctx.common.dataset}/${ctx.common.runId}.json`,
    JSON.stringify({ ...result, ref: ctx.ref }, null, 2),
  );
  return commit(ctx, result, split?.parts ?? []);
}

/**
 * Content dedupe: the first run to claim these bytes owns them. A later upload of the same bytes under
 * another key commits as a duplicate (and this returns it); the owner itself gets undefined and goes on.
 */
export async function claimContent(ctx: RunContext): Promise<IngestResult | undefined> {
  const { warehouse } = ctx.deps.stores;
  const { runId, dataset } = ctx.common;
  try {
    await warehouse.put(ctx.keys.content, JSON.stringify({ runId, rawKey: ctx.ref.key, md5: ctx.md5 }), {
      ifNoneMatch: true,
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  const claim = await readJson<{ runId: string; rawKey: string }>(warehouse, ctx.keys.content);
  if (!claim || claim.runId === runId) return undefined;
  const original = await readJson<IngestResult>(warehouse, markerKey(dataset, claim.runId));
  const reason = `byte-identical to ${claim.rawKey} (md5 ${ctx.md5}), already ingested by run ${claim.runId}`;
  return commit(
    ctx,
    { ...noRows(ctx, "duplicate", reason, original?.format ?? null), duplicateOf: claim.rawKey },
    [],
  );
}
