/**
 * Batch statistics, in a mergeable form: everything here can be combined across batches
 * (daily roll-ups) without rescanning files — counts add, sums add, min/max fold, histograms
 * are re-bucketed onto common edges, top values add (approximately, beyond the kept top k).
 */
export interface HistogramBucket {
  readonly low: number;
  readonly high: number;
  readonly count: number;
}

export interface NumericStatistics {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  /** Kept so that means and variances merge exactly. */
  readonly sum: number;
  readonly sumSquares: number;
  /** Approximate quantiles at 0, 0.1, …, 1. */
  readonly quantiles: readonly number[];
  /** Equal-width buckets from min to max. */
  readonly histogram: readonly HistogramBucket[];
  readonly zeros: number;
  /** NaN or ±Infinity values seen (FLOAT only). */
  readonly nonFinite: number;
}

export interface ValueFrequency {
  readonly value: string;
  readonly count: number;
}

export interface StringStatistics {
  /** Most frequent values, descending (at most 50). */
  readonly topValues: readonly ValueFrequency[];
  readonly avgLength: number;
}

export interface FeatureStatistics {
  /** Source feature name. */
  readonly name: string;
  readonly column: string;
  readonly type: string;
  /** Rows (of all rows read) carrying a value for this feature. */
  readonly present: number;
  /** Rows (of all rows read) without a value. */
  readonly missing: number;
  /**
   * Distinct values, for categorical features (STRING, BOOL) as in TFDV's string statistics: exact
   * when counted by the engine's grouping, approximate after merges. Absent for numeric features.
   */
  readonly distinctApprox?: number;
  readonly numeric?: NumericStatistics;
  readonly string?: StringStatistics;
  /** For list features: number of values per row. */
  readonly valueCount?: { readonly min: number; readonly max: number; readonly mean: number };
}

export interface DatasetStatistics {
  readonly dataset: string;
  /** The run that computed them, when known (a drift baseline names it). */
  readonly runId?: string;
  readonly schemaVersion: number;
  readonly environment: string;
  /** Rows read from the blob (including rows the CSV/JSON reader rejected). */
  readonly rowsRead: number;
  /** Rows that passed every row-level check (the rows written to the warehouse). */
  readonly rowsValid: number;
  readonly rowsQuarantined: number;
  /** Source fields seen in the blob, in order. */
  readonly sourceFields: readonly string[];
  /** Over every record read, quarantined ones included (records that could not be parsed aside). */
  readonly features: readonly FeatureStatistics[];
}
