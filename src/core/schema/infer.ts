/**
 * Schema inference from statistics, after `tfdv.infer_schema`: a draft for a person to review,
 * never released unread. Rules (TFDV's, unless noted):
 *  - presence: required (minFraction 1) when no row missed the feature, otherwise only
 *    `minCount: 1` — the observed fraction of one sample is not a promise about the next batch;
 *  - categorical domain for low-cardinality strings: at most `maxCategories` distinct values and
 *    distinct/present at most `maxDistinctRatio` (an id column with 3 rows is not categorical);
 *  - no numeric min/max: a sample's range is not the feature's (the next batch of cars is from
 *    later years); `numericRanges` opts in to the observed, unpadded range;
 *  - JSON numbers are FLOAT unless `integersAsFloat` is off: JSON has one number type, and a
 *    field that happened to hold whole numbers in the sample holds 2.5 in the next batch;
 *  - timestamps get the parse format only: event times grow;
 *  - the sniffed CSV dialect is kept in `csv`, so ingest reads the file the way inference did;
 *  - columns: snake_case of the source name, de-duplicated with a numeric suffix.
 * With a `previous` version the draft starts from it, as `tfdv.update_schema` does: see update.ts.
 */

import type { FeatureStatistics, NumericStatistics, ValueFrequency } from "../stats/types.js";
import { defaultColumnName } from "./format.js";
import {
  type CsvOptions,
  type DatasetSchema,
  FEATURE_TYPES,
  type Feature,
  type FeatureType,
} from "./types.js";
import { updateSchema } from "./update.js";

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

export function inferSchema(stats: InferenceStatistics, options: InferOptions): DatasetSchema {
  if (options.previous) return updateSchema(options.previous, stats, options);
  const columns = new Set<string>();
  const features = stats.features.map((f) =>
    inferFeature(f, uniqueColumn(defaultColumnName(f.name), columns), options),
  );
  return {
    dataset: options.dataset,
    version: options.version,
    ...(options.description ? { description: options.description } : {}),
    defaultEnvironments: ["TRAINING", "SERVING"],
    features,
    policy: { maxBadRowFraction: 1, dedupeByContent: true },
    ...(options.csv ? { csv: options.csv } : {}),
  };
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

/**
 * A schema file's text in the repository's house style: one feature per line, so a version
 * diff shows one changed line per changed feature.
 */
export function schemaFileText(schema: DatasetSchema, jsonSchemaRef = "../schema-file.schema.json"): string {
  const { features, ...rest } = schema;
  const head = { $schema: jsonSchemaRef, ...rest };
  const lines = Object.entries(head)
    .filter(([k]) => k !== "policy" && k !== "csv")
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${compact(v)},`);
  lines.push(`  "features": [\n${features.map((f) => `    ${compact(f)}`).join(",\n")}\n  ],`);
  if (schema.csv) lines.push(`  "csv": ${compact(schema.csv)},`);
  lines.push(`  "policy": ${compact(schema.policy)}`);
  return `{\n${lines.join("\n")}\n}\n`;
}

function compact(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(compact).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${compact(x)}`).join(", ")} }`;
  }
  return JSON.stringify(v);
}
