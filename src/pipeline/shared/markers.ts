/**
 * Commit markers are the readers' source of truth: a run's outputs count once its marker exists.
 * Every reader (local views, exports) lists them the same way.
 */

import { MARKER_PREFIX } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { readJson } from "./publish.js";

/** Committed runs of a dataset (any status), ingested at or before `asOf` when given, in key order. */
export async function readMarkers(
  warehouse: ObjectStore,
  dataset: string,
  asOf?: Date,
): Promise<IngestResult[]> {
  const runs: IngestResult[] = [];
  for await (const o of warehouse.list(`${MARKER_PREFIX}${dataset}/`)) {
    if (!o.key.endsWith(".json")) continue;
    const marker = await readJson<IngestResult>(warehouse, o.key);
    if (!marker || (asOf && new Date(marker.ingestedAt).getTime() > asOf.getTime())) continue;
    runs.push(marker);
  }
  return runs;
}
