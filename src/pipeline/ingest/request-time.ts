/**
 * A re-processing run's request time is part of its identity on disk: its output keys and its rows'
 * `_ingested_at` carry it. The run id does not (the same request is the same run), so the time must
 * not depend on when an attempt happens: the first attempt of a run records it, create-only, and
 * every later attempt (a Lambda retry, a re-delivered request, a CLI run again after a crash) reads
 * it back and writes to the keys the first attempt used.
 */
import { reprocessTimeKey } from "../../contract/keys.js";
import type { ReprocessRequest } from "../../contract/records.js";
import { ObjectExistsError } from "../../core/errors.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { readJson } from "../shared/publish.js";

/** The request as its first attempt fixed it; `proposed` is used only when this is the first. */
export async function pinRequestTime(
  warehouse: ObjectStore,
  dataset: string,
  runId: string,
  proposed: ReprocessRequest,
): Promise<ReprocessRequest> {
  const key = reprocessTimeKey(dataset, runId);
  try {
    await warehouse.put(key, JSON.stringify({ runId, requestedAt: proposed.requestedAt }), {
      ifNoneMatch: true,
    });
    return proposed;
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  const pinned = await readJson<{ requestedAt: string }>(warehouse, key);
  return pinned ? { ...proposed, requestedAt: pinned.requestedAt } : proposed;
}
