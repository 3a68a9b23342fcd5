/**
 * Statistics and anomalies of a run, as JSON beside the output and as an HTML page people read.
 * A blob rejected whole has its report too (its reason, and whatever was measured before the
 * rejection). Accepted batches also leave their statistics under `_stats/` as the drift baseline.
 */

import type { RunKeys } from "../../contract/keys.js";
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

/** The previous accepted batch of the same dataset and environment: the drift baseline. */
export async function previousStatistics(
  store: ObjectStore,
  prefix: string,
  currentKey: string,
): Promise<DatasetStatistics | undefined> {
  let latest: string | undefined;
  for await (const o of store.list(prefix)) if (o.key < currentKey) latest = o.key;
  if (!latest) return undefined;
  const statistics = await readJson<DatasetStatistics>(store, latest);
  // Keys end `<timestamp>-<runId>.json`: the baseline names its run.
  const runId = /^[^-]+-(.+)\.json$/.exec(latest.slice(prefix.length))?.[1];
  return statistics && runId && !statistics.runId ? { ...statistics, runId } : statistics;
}
