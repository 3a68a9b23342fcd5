/**
 * Training–serving skew, as TFDV's `skew_comparator`: a SERVING batch's distribution of each feature
 * compared with the TRAINING baseline's — L-infinity distance for categorical features (STRING,
 * BOOL), approximate Jensen–Shannon divergence for numeric ones (INT, FLOAT, TIMESTAMP) — against
 * the feature's `skew` thresholds in the schema. The distances are the drift comparator's
 * (src/core/stats/drift.ts); what differs is which two batches are compared and the anomaly's words
 * ("between training and serving"). Each anomaly carries the value, the threshold and both batches.
 */
import { type DatasetSchema, featureInEnvironment, SERVING } from "../schema/types.js";
import { featureDrift } from "../stats/drift.js";
import type { DatasetStatistics } from "../stats/types.js";
import type { Anomaly, BatchRef } from "./anomaly.js";

export interface SkewContext {
  readonly schema: DatasetSchema;
  readonly serving: DatasetStatistics;
  readonly training: DatasetStatistics;
  /** How to name each batch (raw key or run id). */
  readonly servingLabel: string;
  readonly trainingLabel: string;
}

function ref(s: DatasetStatistics, label: string): BatchRef {
  return { label, environment: s.environment, rowsRead: s.rowsRead, schemaVersion: s.schemaVersion };
}

export function skewAnomalies(ctx: SkewContext): Anomaly[] {
  const out: Anomaly[] = [];
  const serving = new Map(ctx.serving.features.map((f) => [f.name, f]));
  const training = new Map(ctx.training.features.map((f) => [f.name, f]));
  for (const f of ctx.schema.features) {
    if (!featureInEnvironment(ctx.schema, f, SERVING)) continue;
    const categorical = f.type === "STRING" || f.type === "BOOL";
    const threshold =
      f.type === "BYTES" ? undefined : categorical ? f.skew?.lInfinity : f.skew?.jensenShannon;
    const a = serving.get(f.name);
    const b = training.get(f.name);
    if (threshold === undefined || !a || !b) continue;
    const d = featureDrift(f.type, a, b);
    if (!d || !(d.value > threshold)) continue;
    const linf = d.metric === "L_INFINITY";
    const value = Number(d.value.toPrecision(6));
    out.push({
      type: linf ? "COMPARATOR_L_INFTY_HIGH" : "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
      severity: "WARNING",
      feature: f.name,
      shortDescription: linf
        ? "High Linfty distance between training and serving"
        : "High approximate Jensen-Shannon divergence between training and serving",
      description:
        `The ${linf ? "Linfty distance" : "approximate Jensen-Shannon divergence"} between training and serving is ${value} ` +
        `(up to six significant digits), above the threshold ${threshold} (skew.${linf ? "lInfinity" : "jensenShannon"} of ${JSON.stringify(f.name)}). ` +
        `Serving: ${ctx.servingLabel} (${ctx.serving.rowsRead} rows); training baseline: ${ctx.trainingLabel} (${ctx.training.runId ? `run ${ctx.training.runId}, ` : ""}${ctx.training.rowsRead} rows).`,
      value: d.value,
      threshold,
      comparison: {
        kind: "SKEW",
        metric: d.metric,
        current: ref(ctx.serving, ctx.servingLabel),
        baseline: ref(ctx.training, ctx.trainingLabel),
      },
    });
  }
  return out;
}
