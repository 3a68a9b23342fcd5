/**
 * Statistics and anomalies of a run, as JSON beside the output and as an HTML page people read.
 * A blob rejected whole has its report too (its reason, and whatever was measured before the
 * rejection). Accepted batches also leave their statistics under `_stats/` as the drift baseline.
 */

import * as path from "node:path";
import { type RunKeys, statsPrefix } from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { renderReport } from "../../core/report/html.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { Anomaly } from "../../core/validate/anomaly.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef } from "../lineage/recorder.js";
import { putOnce, readJson } from "../shared/publish.js";

export async function publishReports(args: {
  store: ObjectStore;
  keys: RunKeys;
  result: IngestResult;
  statistics: DatasetStatistics;
  anomalies: readonly Anomaly[];
  previous: DatasetStatistics | undefined;
  schemaVersion: number | null;
}): Promise<DatasetRef[]> {
  const { store, keys, result, statistics, anomalies } = args;
  const statsJson = JSON.stringify(statistics, null, 2);
  const html = renderReport({
    dataset: result.dataset,
    runId: result.runId,
    environment: result.environment,
    schemaVersion: args.schemaVersion,
    sourceKey: result.rawKey,
    statistics,
    anomalies: [...anomalies],
    ...(args.previous ? { previous: args.previous } : {}),
    ...(result.status === "rejected" && result.reason ? { rejected: result.reason } : {}),
    generatedAt: result.ingestedAt,
  });
  await putOnce(store, `${keys.reportDir}/statistics.json`, statsJson);
  await putOnce(
    store,
    `${keys.reportDir}/anomalies.json`,
    JSON.stringify({ runId: result.runId, status: result.status, anomalies }, null, 2),
  );
  await putOnce(store, `${keys.reportDir}/report.html`, html);
  // Only an accepted batch is a drift baseline for the next.
  if (result.status === "ok") await putOnce(store, keys.stats, statsJson);
  return [
    {
      namespace: store.namespace,
      name: `${keys.reportDir}/statistics.json`,
      artifactType: "Statistics",
      rowCount: statistics.rowsRead,
    },
    {
      namespace: store.namespace,
      name: `${keys.reportDir}/anomalies.json`,
      artifactType: "AnomaliesReport",
      properties: { anomalies: anomalies.length },
    },
  ];
}

/**
 * The `<ts>-<runId>` stamp of an accepted batch (its report folder, and its `_stats/` key): the
 * order in which statistics were published.
 */
export function statisticsStamp(run: IngestResult): string | undefined {
  const key = run.outputs.statistics;
  return key ? path.posix.basename(path.posix.dirname(key)) : undefined;
}

/**
 * The latest accepted batch of `environment`, among committed runs, published before `currentKey`
 * (a `_stats/<dataset>/<env>/<ts>-<runId>.json` key): its statistics key.
 */
export function baselineKey(
  runs: readonly IngestResult[],
  dataset: string,
  environment: string,
  currentKey: string,
): string | undefined {
  const prefix = statsPrefix(dataset, environment);
  const current = currentKey.slice(currentKey.lastIndexOf("/") + 1);
  let latest: string | undefined;
  for (const run of runs) {
    const stamp = statisticsStamp(run);
    if (run.status !== "ok" || !stamp || run.environment.toLowerCase() !== environment.toLowerCase())
      continue;
    const name = `${stamp}.json`;
    if (name < current && (!latest || name > latest)) latest = name;
  }
  return latest && `${prefix}${latest}`;
}

/**
 * The previous accepted batch of the same dataset and environment: the drift baseline, found in
 * the run index (committed runs only) rather than by listing every statistics object.
 */
export async function previousStatistics(
  store: ObjectStore,
  runs: readonly IngestResult[],
  args: { dataset: string; environment: string; currentKey: string },
): Promise<DatasetStatistics | undefined> {
  return (await baselineStatistics(store, runs, args))?.statistics;
}

/**
 * The latest batch of `environment` published before `currentKey`, with its key and its run: the
 * drift baseline (same environment) or the skew baseline (TRAINING for a SERVING batch).
 */
export async function baselineStatistics(
  store: ObjectStore,
  runs: readonly IngestResult[],
  args: { dataset: string; environment: string; currentKey: string },
): Promise<{ key: string; statistics: DatasetStatistics } | undefined> {
  const key = baselineKey(runs, args.dataset, args.environment, args.currentKey);
  if (!key) return undefined;
  const statistics = await readJson<DatasetStatistics>(store, key);
  if (!statistics) return undefined;
  // Keys end `<timestamp>-<runId>.json`: the baseline names its run.
  const runId = /^[^-]+-(.+)\.json$/.exec(key.slice(key.lastIndexOf("/") + 1))?.[1];
  return { key, statistics: runId && !statistics.runId ? { ...statistics, runId } : statistics };
}
