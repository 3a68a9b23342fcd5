/**
 * Content claims by outcome: only a run that committed table rows owns its bytes. The driver asks
 * whether the same bytes are already committed by another run (then this upload is a duplicate and
 * writes nothing); the publisher of a run that wrote rows claims them, just before its commit. A
 * claim whose run never committed rows (rejected whole, every row quarantined, or died before its
 * marker) blocks nothing: after a schema fix the same bytes land, and a renamed file lands.
 */
import { markerKey } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { ObjectExistsError } from "../../core/errors.js";
import { readJson } from "../shared/publish.js";
import { noRows, type RunContext } from "./context.js";

interface Claim {
  readonly runId: string;
  readonly rawKey: string;
  readonly md5: string;
}

/** Whether a claim's run committed table rows (the only runs whose claims hold). */
async function holder(ctx: RunContext, claim: Claim | undefined): Promise<IngestResult | undefined> {
  if (!claim || claim.runId === ctx.common.runId) return undefined;
  const run = await readJson<IngestResult>(
    ctx.deps.stores.warehouse,
    markerKey(ctx.common.dataset, claim.runId),
  );
  return run && run.status === "ok" && run.rowsWritten > 0 ? run : undefined;
}

/** The duplicate result when another run already committed rows from these bytes. */
export async function committedTwin(ctx: RunContext): Promise<IngestResult | undefined> {
  const claim = await readJson<Claim>(ctx.deps.stores.warehouse, ctx.keys.content);
  const original = await holder(ctx, claim);
  if (!claim || !original) return undefined;
  const reason =
    `byte-identical to ${claim.rawKey} (md5 ${ctx.md5}), committed by run ${original.runId} ` +
    `(${original.rowsWritten} rows written); nothing written. To process these bytes again, ` +
    `re-process that blob: lakeline reprocess ${ctx.common.dataset} --key ${claim.rawKey}`;
  return { ...noRows(ctx, "duplicate", reason, original.format), duplicateOf: claim.rawKey };
}

/**
 * Claim the bytes for this run, which wrote table rows. A claim already held by a committed run
 * stays (this run is a re-processing, or raced a twin: the views count a source blob once either
 * way); a claim left by a run that committed no rows is taken over.
 */
export async function claimContent(ctx: RunContext): Promise<void> {
  const { warehouse } = ctx.deps.stores;
  const body = JSON.stringify({ runId: ctx.common.runId, rawKey: ctx.ref.key, md5: ctx.md5 });
  try {
    await warehouse.put(ctx.keys.content, body, { ifNoneMatch: true });
    return;
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  const claim = await readJson<Claim>(warehouse, ctx.keys.content);
  if (claim?.runId === ctx.common.runId || (await holder(ctx, claim))) return;
  await warehouse.put(ctx.keys.content, body);
}
