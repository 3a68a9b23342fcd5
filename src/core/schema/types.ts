/**
 * The dataset schema, in TensorFlow Data Validation's vocabulary where it fits.
 * A schema file `schemas/<dataset>/v<N>.json` holds one `DatasetSchema`; released files are
 * never edited in place. The types are derived from the file format, defined and checked in
 * `format.ts`; this module adds TFDV's rules over them.
 */
import type { DatasetSchema, Feature } from "./format.js";

export {
  type BatchPolicy,
  type CsvOptions,
  type DatasetSchema,
  type DriftComparator,
  FEATURE_TYPES,
  type Feature,
  type FeatureDomain,
  type FeatureType,
  type NumericDomain,
  type NumericDomain as FloatDomain,
  type NumericDomain as IntDomain,
  type Presence,
  type StringDomain,
  type TimestampDomain,
  type ValueCount,
} from "./format.js";

/** Environments are free-form upper-case names; TRAINING and SERVING are the usual pair. */
export type EnvironmentName = string;

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
