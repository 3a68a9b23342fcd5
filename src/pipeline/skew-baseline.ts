/**
 * The TRAINING baseline a SERVING batch is compared with for skew: the latest accepted TRAINING
 * batch of the dataset whose statistics were published before this run's (same `<ts>-<runId>` names
 * under `_stats/<dataset>/training/`).
 */
import type { DatasetStatistics } from "../core/stats/types.js";
import type { ObjectStore } from "../ports/object-store.js";
import { statsPrefix } from "./layout.js";
import { readJson } from "./put-once.js";

export async function trainingBaseline(
  store: ObjectStore,
  dataset: string,
  currentStatsKey: string,
): Promise<{ key: string; statistics: DatasetStatistics } | undefined> {
  const current = currentStatsKey.slice(currentStatsKey.lastIndexOf("/") + 1);
  let latest: string | undefined;
  for await (const o of store.list(statsPrefix(dataset, "TRAINING")))
    if (o.key.slice(o.key.lastIndexOf("/") + 1) < current) latest = o.key;
  if (!latest) return undefined;
  const statistics = await readJson<DatasetStatistics>(store, latest);
  return statistics ? { key: latest, statistics } : undefined;
}
