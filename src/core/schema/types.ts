/**
 * The dataset schema, in TensorFlow Data Validation's vocabulary where it fits.
 * A schema file `schemas/<dataset>/v<N>.json` holds one `DatasetSchema`; released files are
 * never edited in place. The file format itself is defined (and checked) in `format.ts`.
 */
export const FEATURE_TYPES = ["INT", "FLOAT", "STRING", "BOOL", "TIMESTAMP", "BYTES"] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** Environments are free-form upper-case names; TRAINING and SERVING are the usual pair. */
export type EnvironmentName = string;

export interface IntDomain {
  readonly min?: number;
  readonly max?: number;
}
export interface FloatDomain {
  readonly min?: number;
  readonly max?: number;
  /** Reject NaN / ±Infinity (default true). */
  readonly disallowNaN?: boolean;
}
export interface StringDomain {
  /** The categorical values allowed. */
  readonly values: readonly string[];
}
export interface TimestampDomain {
  /** strptime-style format (DuckDB `strptime`); absent means ISO 8601. */
  readonly format?: string;
  readonly min?: string;
  readonly max?: string;
}
export type FeatureDomain = IntDomain | FloatDomain | StringDomain | TimestampDomain;

export interface Presence {
  /** Minimum fraction of rows in a batch that carry a value (1 = required in every row). */
  readonly minFraction?: number;
  /** Minimum number of rows in a batch that carry a value. */
  readonly minCount?: number;
}

/** Valency: how many values a list feature carries. A feature with `valueCount` is a list. */
export interface ValueCount {
  readonly min?: number;
  readonly max?: number;
}

export interface DriftComparator {
  /** L-infinity distance threshold (categorical features: STRING, BOOL). */
  readonly lInfinity?: number;
  /** Jensen-Shannon divergence threshold (numeric features: INT, FLOAT, TIMESTAMP). */
  readonly jensenShannon?: number;
}

export interface Feature {
  /** Field name in the source records, exactly as written there (may hold spaces, capitals). */
  readonly name: string;
  /** Warehouse column name: lowercase snake_case (Glue and Athena require it). */
  readonly column: string;
  readonly type: FeatureType;
  readonly description?: string;
  readonly presence?: Presence;
  readonly valueCount?: ValueCount;
  readonly domain?: FeatureDomain;
  readonly inEnvironment?: readonly EnvironmentName[];
  readonly notInEnvironment?: readonly EnvironmentName[];
  readonly drift?: DriftComparator;
  /** Training–serving skew thresholds (TFDV's skew_comparator): a SERVING batch vs the TRAINING baseline. */
  readonly skew?: DriftComparator;
  /** Value for rows written under an older schema version that lacked this feature. */
  readonly default?: string | number | boolean | null;
}

export interface BatchPolicy {
  /** Reject the whole blob (nothing written) when bad rows / rows read exceeds this. Default 1 (never). */
  readonly maxBadRowFraction: number;
  /** A byte-identical re-upload under a new key is recorded, not written again. Default true. */
  readonly dedupeByContent: boolean;
  /** Batch size bounds; outside them a DATASET_LOW/HIGH_NUM_EXAMPLES anomaly is raised. */
  readonly minRows?: number;
  readonly maxRows?: number;
}

/** The CSV dialect of a dataset's files: what `schema infer` sniffed, and what ingest reads with. */
export interface CsvOptions {
  /** Field separator. Default: `,` (`\t` for .tsv files). */
  readonly delimiter?: string;
  /** Quote character. Default `"`. */
  readonly quote?: string;
  /** Whether the first record names the fields. Default true; without one the fields are column0, column1, … */
  readonly header?: boolean;
  /** Separator inside a CSV cell holding a list feature's values. Default `|`. */
  readonly listSeparator?: string;
}

export interface DatasetSchema {
  readonly dataset: string;
  readonly version: number;
  readonly description?: string;
  readonly defaultEnvironments: readonly EnvironmentName[];
  /** Source name of the label feature. */
  readonly label?: string;
  /** Source name of the event-time feature. */
  readonly eventTime?: string;
  readonly features: readonly Feature[];
  readonly policy: BatchPolicy;
  readonly csv?: CsvOptions;
}

export const TRAINING = "TRAINING";
export const SERVING = "SERVING";

/** TFDV's rule: a feature is expected in an environment unless its environment lists say otherwise. */
export function featureInEnvironment(schema: DatasetSchema, feature: Feature, env: EnvironmentName): boolean {
  const e = env.toUpperCase();
  if (feature.inEnvironment && feature.inEnvironment.length > 0) return feature.inEnvironment.includes(e);
  if (feature.notInEnvironment?.includes(e)) return false;
  return schema.defaultEnvironments.length === 0 || schema.defaultEnvironments.includes(e);
}

export function isRequired(feature: Feature): boolean {
  return (feature.presence?.minFraction ?? 0) >= 1;
}

export function isList(feature: Feature): boolean {
  return feature.valueCount !== undefined;
}

export function isCategorical(feature: Feature): boolean {
  return feature.type === "STRING" || feature.type === "BOOL";
}
