/**
 * Content dedupe, the driver's one write: the first run to claim these bytes owns them (a conditional
 * put). A later upload of the same bytes under another key is a duplicate (its result is returned);
 * the owner itself gets undefined and goes on.
 */
import { markerKey } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { ObjectExistsError } from "../../core/errors.js";
import { readJson } from "../shared/publish.js";
import { noRows, type RunContext } from "./context.js";

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
  return { ...noRows(ctx, "duplicate", reason, original?.format ?? null), duplicateOf: claim.rawKey };
}
