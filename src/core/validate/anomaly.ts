/** Anomalies, after TFDV's: a stable type name, a severity, the feature, and two descriptions. */
export type Severity = "ERROR" | "WARNING" | "INFO";

export const ANOMALY_TYPES = [
  // schema shape
  "SCHEMA_MISSING_COLUMN",
  "SCHEMA_NEW_COLUMN",
  "SCHEMA_DUPLICATE_COLUMN",
  // types
  "INT_TYPE_NOT_INT_STRING",
  "FLOAT_TYPE_NOT_FLOAT_STRING",
  "BOOL_TYPE_UNEXPECTED_STRING",
  "TIMESTAMP_TYPE_NOT_TIMESTAMP_STRING",
  "BYTES_TYPE_NOT_BASE64",
  // domains
  "INT_TYPE_SMALL_INT",
  "INT_TYPE_BIG_INT",
  "FLOAT_TYPE_SMALL_FLOAT",
  "FLOAT_TYPE_BIG_FLOAT",
  "FLOAT_TYPE_HAS_NAN",
  "TIMESTAMP_TYPE_OUT_OF_RANGE",
  "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
  // presence and valency
  "FEATURE_TYPE_NOT_PRESENT",
  "FEATURE_TYPE_LOW_FRACTION_PRESENT",
  "FEATURE_TYPE_LOW_NUMBER_PRESENT",
  "FEATURE_TYPE_LOW_NUMBER_VALUES",
  "FEATURE_TYPE_HIGH_NUMBER_VALUES",
  // batch
  "DATASET_LOW_NUM_EXAMPLES",
  "DATASET_HIGH_NUM_EXAMPLES",
  "BATCH_BAD_ROW_FRACTION_HIGH",
  "RECORD_MALFORMED",
  // drift
  "COMPARATOR_L_INFTY_HIGH",
  "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export interface Anomaly {
  readonly type: AnomalyType;
  readonly severity: Severity;
  /** Source feature name, absent for batch-level anomalies. */
  readonly feature?: string;
  readonly shortDescription: string;
  readonly description: string;
  /** Rows affected, where the anomaly is row-level. */
  readonly rows?: number;
  /** Measured value (fraction, distance …) and threshold, where one applies. */
  readonly value?: number;
  readonly threshold?: number;
  /** For a comparator anomaly (drift, skew): the metric and both batches compared. */
  readonly comparison?: {
    readonly kind: "DRIFT" | "SKEW";
    readonly metric: "L_INFINITY" | "JENSEN_SHANNON";
    readonly current: BatchRef;
    readonly baseline: BatchRef;
  };
}

/** A batch named in an anomaly: how to find it, and what it was. */
export interface BatchRef {
  readonly label: string;
  /** The run that read the batch, when known (a drift baseline names it). */
  readonly runId?: string;
  readonly environment: string;
  readonly rowsRead: number;
  readonly schemaVersion: number;
}
