/**
 * The per-feature rules of schema inference (see infer.ts for the list), shared by a fresh draft
 * (infer.ts) and a draft that starts from the previous version (update.ts).
 */
import type { FeatureStatistics, NumericStatistics, ValueFrequency } from "../stats/types.js";
import type { CsvOptions, DatasetSchema, Feature, FeatureType } from "./types.js";
import { FEATURE_TYPES } from "./types.js";

/**
 * What inference reads of a feature's statistics: presence, distinct count, the range and
 * non-finite count of numbers, the values of strings. Full `FeatureStatistics` satisfy it; a
 * reader may compute just this much (it is most of the cost of a wide file).
 */
export interface InferenceFeatureStatistics
  extends Pick<FeatureStatistics, "name" | "type" | "present" | "missing" | "distinctApprox" | "valueCount"> {
  readonly numeric?: Pick<NumericStatistics, "min" | "max" | "nonFinite">;
  readonly string?: { readonly topValues: readonly ValueFrequency[] };
  /** strptime format the reader parsed this TIMESTAMP feature with, when known. */
  readonly timestampFormat?: string;
}

export interface InferenceStatistics {
  readonly rowsRead: number;
  readonly features: readonly InferenceFeatureStatistics[];
}

export interface InferOptions {
  readonly dataset: string;
  readonly version: number;
  readonly description?: string;
  /** Default 20. */
  readonly maxCategories?: number;
  /** Default 0.5. */
  readonly maxDistinctRatio?: number;
  /** Copy observed numeric ranges into the domain. Default false. */
  readonly numericRanges?: boolean;
  /** Type integer-valued numbers as FLOAT (JSON sources). Default false. */
  readonly integersAsFloat?: boolean;
  /** The dialect the CSV was read with. */
  readonly csv?: CsvOptions;
  /** Start from this version and propose only relaxations (tfdv.update_schema). */
  readonly previous?: DatasetSchema;
}

export function uniqueColumn(base: string, taken: Set<string>): string {
  let column = base;
  for (let i = 2; taken.has(column); i++) column = `${base}_${i}`;
  taken.add(column);
  return column;
}

/** TFDV's presence rule: required only where the sample never missed it. */
export function inferredPresence(f: InferenceFeatureStatistics): Feature["presence"] {
  return f.missing === 0 && f.present > 0 ? { minFraction: 1 } : { minCount: 1 };
}

export function inferredType(
  f: InferenceFeatureStatistics,
  options: Pick<InferOptions, "integersAsFloat">,
): FeatureType {
  const type: FeatureType = (FEATURE_TYPES as readonly string[]).includes(f.type)
    ? (f.type as FeatureType)
    : "STRING";
  return type === "INT" && options.integersAsFloat ? "FLOAT" : type;
}

export function inferFeature(f: InferenceFeatureStatistics, column: string, options: InferOptions): Feature {
  const type = inferredType(f, options);
  const domain = inferDomain(type, f, options);
  return {
    name: f.name,
    column,
    type,
    presence: inferredPresence(f),
    ...(f.valueCount ? { valueCount: { min: f.valueCount.min, max: f.valueCount.max } } : {}),
    ...(domain ? { domain } : {}),
  };
}

/** Whether a string feature's values look like a category rather than free text or ids. */
export function looksCategorical(f: InferenceFeatureStatistics, options: InferOptions): boolean {
  const top = f.string?.topValues ?? [];
  const distinct = f.distinctApprox ?? 0;
  return (
    f.present > 0 &&
    distinct > 0 &&
    distinct <= (options.maxCategories ?? 20) &&
    distinct / f.present <= (options.maxDistinctRatio ?? 0.5) &&
    top.length >= distinct
  );
}

function inferDomain(
  type: FeatureType,
  f: InferenceFeatureStatistics,
  options: InferOptions,
): Feature["domain"] {
  switch (type) {
    case "STRING":
      return looksCategorical(f, options)
        ? { values: (f.string?.topValues ?? []).map((v) => v.value).sort() }
        : undefined;
    case "INT":
    case "FLOAT": {
      const n = f.numeric;
      if (!n || f.present === 0) return undefined;
      const nan = type === "FLOAT" && n.nonFinite > 0 ? { disallowNaN: false } : {};
      const range = options.numericRanges ? { min: n.min, max: n.max } : {};
      return Object.keys(range).length + Object.keys(nan).length > 0 ? { ...range, ...nan } : undefined;
    }
    case "TIMESTAMP":
      return f.timestampFormat ? { format: f.timestampFormat } : undefined;
    default:
      return undefined;
  }
}
