/**
 * Commit markers are the readers' source of truth: a run's outputs count once its marker exists.
 * Every reader (local views, exports, replay, re-processing, the drift baseline) reads them the same
 * way: through the run index, reconciled with the marker listing (run-index.ts).
 */

import type { IngestResult } from "../../contract/records.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { type RunIndexOptions, readRunIndex } from "./run-index.js";

/**
 * Committed runs of a dataset (any status), ingested at or before `asOf` when given, in marker key
 * order. Their `sample` rows are not in the index: read a marker itself for them.
 */
export async function readMarkers(
  warehouse: ObjectStore,
  dataset: string,
  asOf?: Date,
  options: RunIndexOptions = {},
): Promise<IngestResult[]> {
  const { runs } = await readRunIndex(warehouse, dataset, options);
  if (!asOf) return runs;
  return runs.filter((m) => new Date(m.ingestedAt).getTime() <= asOf.getTime());
}
