/**
 * Training–serving skew at ingest: a SERVING batch is compared with the TRAINING baseline — the
 * latest committed TRAINING batch of the dataset whose statistics were published before this run's
 * (same `<ts>-<runId>` names under `_stats/<dataset>/training/`, found in the run index) — by the
 * schema's skew thresholds.
 */
import type { IngestResult } from "../../contract/records.js";
import { type DatasetSchema, SERVING, TRAINING } from "../../core/schema/types.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { Anomaly } from "../../core/validate/anomaly.js";
import { skewAnomalies } from "../../core/validate/skew.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { baselineStatistics } from "./reports.js";

export function trainingBaseline(
  store: ObjectStore,
  runs: readonly IngestResult[],
  dataset: string,
  currentStatsKey: string,
): Promise<{ key: string; statistics: DatasetStatistics } | undefined> {
  return baselineStatistics(store, runs, { dataset, environment: TRAINING, currentKey: currentStatsKey });
}

/** The batch's anomalies plus, for a SERVING batch with a TRAINING baseline, its skew anomalies. */
export async function withSkew(
  args: {
    store: ObjectStore;
    /** Committed runs of the dataset (the run index). */
    runs: readonly IngestResult[];
    schema: DatasetSchema;
    environment: string;
    statsKey: string;
    sourceKey: string;
    statistics: DatasetStatistics;
  },
  anomalies: readonly Anomaly[],
): Promise<Anomaly[]> {
  if (args.environment !== SERVING) return [...anomalies];
  const baseline = await trainingBaseline(args.store, args.runs, args.schema.dataset, args.statsKey);
  if (!baseline) return [...anomalies];
  return [
    ...anomalies,
    ...skewAnomalies({
      schema: args.schema,
      serving: args.statistics,
      training: baseline.statistics,
      servingLabel: args.sourceKey,
      trainingLabel: baseline.key,
    }),
  ];
}
