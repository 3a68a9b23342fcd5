/**
 * Turning a staged batch's measurements into a verdict: statistics, every anomaly (row-level
 * counts from the SQL checks, batch-level from the schema), and whether policy rejects the blob.
 */

import type { DatasetSchema } from "../../core/schema/types.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { Anomaly, AnomalyType } from "../../core/validate/anomaly.js";
import { batchAnomalies } from "../../core/validate/batch.js";
import type { StagedRecords } from "../../ports/ingest-engine.js";

const ROW_DESCRIPTIONS: Partial<Record<AnomalyType, string>> = {
  FEATURE_TYPE_NOT_PRESENT: "required value missing",
  INT_TYPE_NOT_INT_STRING: "values that are not integers",
  FLOAT_TYPE_NOT_FLOAT_STRING: "values that are not numbers",
  BOOL_TYPE_UNEXPECTED_STRING: "values that are not booleans",
  TIMESTAMP_TYPE_NOT_TIMESTAMP_STRING: "values that are not timestamps in the expected format",
  BYTES_TYPE_NOT_BASE64: "values that are not base64",
  INT_TYPE_SMALL_INT: "integers below the domain minimum",
  INT_TYPE_BIG_INT: "integers above the domain maximum",
  FLOAT_TYPE_SMALL_FLOAT: "numbers below the domain minimum",
  FLOAT_TYPE_BIG_FLOAT: "numbers above the domain maximum",
  FLOAT_TYPE_HAS_NAN: "NaN or infinite values",
  TIMESTAMP_TYPE_OUT_OF_RANGE: "timestamps outside the domain",
  ENUM_TYPE_UNEXPECTED_STRING_VALUES: "values outside the categorical domain",
  FEATURE_TYPE_LOW_NUMBER_VALUES: "lists with fewer values than allowed",
  FEATURE_TYPE_HIGH_NUMBER_VALUES: "lists with more values than allowed",
};

export interface BatchDecision {
  readonly statistics: DatasetStatistics;
  readonly anomalies: Anomaly[];
  /** Set when policy rejects the whole blob. */
  readonly rejectReason?: string;
}

export async function decideBatch(args: {
  batch: StagedRecords;
  schema: DatasetSchema;
  environment: string;
  previous?: DatasetStatistics;
}): Promise<BatchDecision> {
  const { batch, schema, environment } = args;
  const measured = await batch.measure({
    dataset: schema.dataset,
    schemaVersion: schema.version,
    environment,
  });
  const { statistics, malformed, sourceFields } = measured;
  const anomalies: Anomaly[] = [];
  if (malformed > 0) {
    anomalies.push({
      type: "RECORD_MALFORMED",
      severity: "ERROR",
      shortDescription: `${malformed} malformed record${malformed === 1 ? "" : "s"}`,
      description: `${malformed} record(s) could not be parsed as ${batch.format} records (wrong number of fields, bad quoting or encoding, not a JSON object); they are in quarantine with their line numbers.`,
      rows: malformed,
    });
  }
  for (const c of measured.codeCounts) {
    anomalies.push({
      type: c.code,
      severity: "ERROR",
      feature: c.feature,
      shortDescription: `${c.rows} row${c.rows === 1 ? "" : "s"}: ${ROW_DESCRIPTIONS[c.code] ?? c.code}`,
      description: `${c.rows} of ${statistics.rowsRead} rows have ${ROW_DESCRIPTIONS[c.code] ?? c.code} in feature "${c.feature}" (schema ${schema.dataset} v${schema.version}); those rows are in quarantine with the value and reason.`,
      rows: c.rows,
    });
  }
  anomalies.push(
    ...batchAnomalies({
      schema,
      environment,
      statistics,
      ...(args.previous ? { previous: args.previous } : {}),
      sourceFields,
      duplicateFields: measured.duplicateFields,
    }),
  );
  const fraction = statistics.rowsRead === 0 ? 0 : statistics.rowsQuarantined / statistics.rowsRead;
  const limit = schema.policy.maxBadRowFraction;
  if (fraction > limit) {
    const reason = `${statistics.rowsQuarantined} of ${statistics.rowsRead} rows (${(fraction * 100).toFixed(1)}%) failed validation, above the policy limit of ${(limit * 100).toFixed(1)}%; the blob is rejected whole`;
    anomalies.push({
      type: "BATCH_BAD_ROW_FRACTION_HIGH",
      severity: "ERROR",
      shortDescription: "Too many bad rows",
      description: reason,
      value: fraction,
      threshold: limit,
    });
    return { statistics, anomalies, rejectReason: reason };
  }
  return { statistics, anomalies };
}
