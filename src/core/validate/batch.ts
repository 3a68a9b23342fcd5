/**
 * Batch-level anomalies: what can only be judged over a whole blob (its columns, how often each
 * feature is present, how many rows it holds, how far it drifted from the previous batch). Row-
 * level checks (types, domains, valency) run elsewhere, as SQL, and quarantine rows.
 *
 * Severity policy:
 *  - ERROR: the batch does not have the shape the schema promises — a required column missing,
 *    a column named twice, a feature present less often than the schema demands, a row count
 *    outside the policy bounds.
 *  - WARNING: worth a person's look but the rows are still what the schema describes — a new
 *    column, an optional column missing, drift from the previous batch (drift compares two
 *    batches; neither is wrong on its own).
 */
import { type DatasetSchema, type Feature, featureInEnvironment, isRequired } from "../schema/types.js";
import { type FeatureDrift, featureDrift } from "../stats/drift.js";
import type { DatasetStatistics, FeatureStatistics } from "../stats/types.js";
import type { Anomaly, BatchRef } from "./anomaly.js";

export interface BatchContext {
  readonly schema: DatasetSchema;
  /** "TRAINING" | "SERVING" | … */
  readonly environment: string;
  /** This batch (presence counts are over ALL rows read). */
  readonly statistics: DatasetStatistics;
  /** The previous accepted batch of the dataset, for drift. */
  readonly previous?: DatasetStatistics;
  /** Field names found in the blob (header / JSON keys). */
  readonly sourceFields: readonly string[];
  /** Header names that appear twice. */
  readonly duplicateFields?: readonly string[];
  /** How to name this batch and the previous one in descriptions (e.g. their raw keys or run ids). */
  readonly batchLabel?: string;
  readonly previousLabel?: string;
}

export function batchAnomalies(ctx: BatchContext): Anomaly[] {
  return [...columnAnomalies(ctx), ...presenceAnomalies(ctx), ...sizeAnomalies(ctx), ...driftAnomalies(ctx)];
}

function expectedFeatures(ctx: BatchContext): Feature[] {
  return ctx.schema.features.filter((f) => featureInEnvironment(ctx.schema, f, ctx.environment));
}

function columnAnomalies(ctx: BatchContext): Anomaly[] {
  const out: Anomaly[] = [];
  const fields = new Set(ctx.sourceFields);
  const env = ctx.environment.toUpperCase();
  for (const f of expectedFeatures(ctx)) {
    if (fields.has(f.name)) continue;
    const required = isRequired(f);
    out.push({
      type: "SCHEMA_MISSING_COLUMN",
      severity: required ? "ERROR" : "WARNING",
      feature: f.name,
      shortDescription: "Column dropped",
      description:
        `The ${required ? "required" : "optional"} feature ${quote(f.name)} is expected in ${env} data ` +
        `(schema ${ctx.schema.dataset} v${ctx.schema.version}) but the blob has no field of that name.`,
    });
  }
  const known = new Set(ctx.schema.features.map((f) => f.name));
  for (const field of new Set(ctx.sourceFields)) {
    if (known.has(field)) continue;
    out.push({
      type: "SCHEMA_NEW_COLUMN",
      severity: "WARNING",
      feature: field,
      shortDescription: "New column",
      description:
        `The blob has a field ${quote(field)} that schema ${ctx.schema.dataset} v${ctx.schema.version} does not ` +
        "describe; its values are not written to the warehouse.",
    });
  }
  for (const field of new Set(ctx.duplicateFields ?? [])) {
    out.push({
      type: "SCHEMA_DUPLICATE_COLUMN",
      severity: "ERROR",
      feature: field,
      shortDescription: "Duplicate column",
      description: `The field name ${quote(field)} appears more than once in the blob's header, so which values it holds is ambiguous.`,
    });
  }
  return out;
}

function presenceAnomalies(ctx: BatchContext): Anomaly[] {
  const out: Anomaly[] = [];
  const fields = new Set(ctx.sourceFields);
  const stats = byName(ctx.statistics);
  for (const f of expectedFeatures(ctx)) {
    // A column absent from the blob is already reported as missing; its presence says nothing more.
    if (!fields.has(f.name)) continue;
    const present = stats.get(f.name)?.present ?? 0;
    // Presence is judged over well-formed records: malformed ones are reported as RECORD_MALFORMED.
    const fs = stats.get(f.name);
    const rows = fs ? fs.present + fs.missing : ctx.statistics.rowsRead;
    const minFraction = f.presence?.minFraction;
    if (minFraction !== undefined && rows > 0 && present / rows < minFraction) {
      const fraction = present / rows;
      out.push({
        type: "FEATURE_TYPE_LOW_FRACTION_PRESENT",
        severity: "ERROR",
        feature: f.name,
        shortDescription: "Column dropped in some examples",
        description:
          `The feature ${quote(f.name)} has a value in ${present} of ${rows} rows read ` +
          `(fraction ${fmt(fraction)}), below the schema's presence.minFraction ${fmt(minFraction)}.`,
        value: fraction,
        threshold: minFraction,
        rows: rows - present,
      });
    }
    const minCount = f.presence?.minCount;
    if (minCount !== undefined && present < minCount) {
      out.push({
        type: "FEATURE_TYPE_LOW_NUMBER_PRESENT",
        severity: "ERROR",
        feature: f.name,
        shortDescription: "Feature present in too few examples",
        description: `The feature ${quote(f.name)} has a value in ${present} rows, fewer than the schema's presence.minCount ${minCount}.`,
        value: present,
        threshold: minCount,
      });
    }
  }
  return out;
}

function sizeAnomalies(ctx: BatchContext): Anomaly[] {
  const { minRows, maxRows } = ctx.schema.policy;
  const rows = ctx.statistics.rowsRead;
  if (minRows !== undefined && rows < minRows) {
    return [
      {
        type: "DATASET_LOW_NUM_EXAMPLES",
        severity: "ERROR",
        shortDescription: "Low num examples in dataset",
        description: `The batch holds ${rows} rows, fewer than the policy's minRows ${minRows}.`,
        value: rows,
        threshold: minRows,
      },
    ];
  }
  if (maxRows !== undefined && rows > maxRows) {
    return [
      {
        type: "DATASET_HIGH_NUM_EXAMPLES",
        severity: "ERROR",
        shortDescription: "High num examples in dataset",
        description: `The batch holds ${rows} rows, more than the policy's maxRows ${maxRows}.`,
        value: rows,
        threshold: maxRows,
      },
    ];
  }
  return [];
}

function driftAnomalies(ctx: BatchContext): Anomaly[] {
  const previous = ctx.previous;
  if (!previous) return [];
  const out: Anomaly[] = [];
  const now = byName(ctx.statistics);
  const before = byName(previous);
  for (const f of ctx.schema.features) {
    const threshold =
      f.type === "STRING" || f.type === "BOOL"
        ? f.drift?.lInfinity
        : f.type === "BYTES"
          ? undefined
          : f.drift?.jensenShannon;
    const a = now.get(f.name);
    const b = before.get(f.name);
    if (threshold === undefined || !a || !b) continue;
    const drift = featureDrift(f.type, a, b);
    if (!drift || !(drift.value > threshold)) continue;
    out.push(driftAnomaly(ctx, previous, f, drift, threshold));
  }
  return out;
}

function driftAnomaly(
  ctx: BatchContext,
  previous: DatasetStatistics,
  f: Feature,
  drift: FeatureDrift,
  threshold: number,
): Anomaly {
  const current = describeBatch(ctx.statistics, ctx.batchLabel ?? "this batch");
  const prior = describeBatch(previous, ctx.previousLabel ?? "the previous accepted batch");
  const linf = drift.metric === "L_INFINITY";
  return {
    type: linf ? "COMPARATOR_L_INFTY_HIGH" : "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
    severity: "WARNING",
    feature: f.name,
    shortDescription: linf
      ? "High Linfty distance between current and previous"
      : "High approximate Jensen-Shannon divergence between current and previous",
    description:
      `The ${linf ? "Linfty distance between the value distributions" : "Jensen-Shannon divergence (log base 2) between the histograms"} ` +
      `of ${quote(f.name)} in ${current} and ${prior} is ${fmt(drift.value)}, above the threshold ` +
      `drift.${linf ? "lInfinity" : "jensenShannon"} ${fmt(threshold)}.`,
    value: drift.value,
    threshold,
    comparison: {
      kind: "DRIFT",
      metric: drift.metric,
      current: batchRef(ctx.statistics, ctx.batchLabel ?? "this batch"),
      baseline: batchRef(previous, ctx.previousLabel ?? "the previous accepted batch"),
    },
  };
}

function batchRef(s: DatasetStatistics, label: string): BatchRef {
  return {
    label,
    ...(s.runId ? { runId: s.runId } : {}),
    environment: s.environment,
    rowsRead: s.rowsRead,
    schemaVersion: s.schemaVersion,
  };
}

function describeBatch(s: DatasetStatistics, label: string): string {
  return `${label} (${s.runId ? `run ${s.runId}, ` : ""}${s.rowsRead} rows read, ${s.environment}, schema v${s.schemaVersion})`;
}

function byName(s: DatasetStatistics): Map<string, FeatureStatistics> {
  return new Map(s.features.map((f) => [f.name, f]));
}

function quote(name: string): string {
  return JSON.stringify(name);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}
