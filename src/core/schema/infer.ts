/**
 * Schema inference from statistics, after `tfdv.infer_schema`: a draft for a person to review,
 * never released unread. Rules:
 *  - presence: required (minFraction 1) when no row missed the feature, otherwise the observed
 *    fraction floored to 2 decimals, so the batch it was inferred from passes its own schema;
 *  - categorical domain for low-cardinality strings: at most `maxCategories` distinct values and
 *    distinct/present at most `maxDistinctRatio` (an id column with 3 rows is not categorical);
 *  - numeric min/max: the observed range, unpadded — padding would be a guess about the future
 *    a reviewer should make explicitly (widening a range later is a compatible change);
 *  - timestamps get the parse format only: event times grow, so an observed maximum would be
 *    violated by the very next batch;
 *  - columns: snake_case of the source name, de-duplicated with a numeric suffix.
 */

import type { DatasetStatistics, FeatureStatistics } from "../stats/types.js";
import { defaultColumnName } from "./format.js";
import { type DatasetSchema, FEATURE_TYPES, type Feature, type FeatureType } from "./types.js";

export interface InferenceFeatureStatistics extends FeatureStatistics {
  /** strptime format the reader parsed this TIMESTAMP feature with, when known. */
  readonly timestampFormat?: string;
}

export interface InferOptions {
  readonly dataset: string;
  readonly version: number;
  readonly description?: string;
  /** Default 20. */
  readonly maxCategories?: number;
  /** Default 0.5. */
  readonly maxDistinctRatio?: number;
}

export function inferSchema(
  stats: DatasetStatistics & { readonly features: readonly InferenceFeatureStatistics[] },
  options: InferOptions,
): DatasetSchema {
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
  };
}

function uniqueColumn(base: string, taken: Set<string>): string {
  let column = base;
  for (let i = 2; taken.has(column); i++) column = `${base}_${i}`;
  taken.add(column);
  return column;
}

function inferFeature(f: InferenceFeatureStatistics, column: string, options: InferOptions): Feature {
  const type: FeatureType = (FEATURE_TYPES as readonly string[]).includes(f.type)
    ? (f.type as FeatureType)
    : "STRING";
  const rows = f.present + f.missing;
  const minFraction = f.missing === 0 ? 1 : rows === 0 ? 0 : Math.floor((f.present / rows) * 100) / 100;
  const domain = inferDomain(type, f, options);
  return {
    name: f.name,
    column,
    type,
    presence: { minFraction },
    ...(f.valueCount ? { valueCount: { min: f.valueCount.min, max: f.valueCount.max } } : {}),
    ...(domain ? { domain } : {}),
  };
}

function inferDomain(
  type: FeatureType,
  f: InferenceFeatureStatistics,
  options: InferOptions,
): Feature["domain"] {
  switch (type) {
    case "STRING": {
      const top = f.string?.topValues ?? [];
      const distinct = f.distinctApprox ?? 0;
      const categorical =
        f.present > 0 &&
        distinct > 0 &&
        distinct <= (options.maxCategories ?? 20) &&
        distinct / f.present <= (options.maxDistinctRatio ?? 0.5) &&
        top.length >= distinct;
      return categorical ? { values: top.map((v) => v.value).sort() } : undefined;
    }
    case "INT":
    case "FLOAT": {
      const n = f.numeric;
      if (!n || f.present === 0) return undefined;
      return {
        min: n.min,
        max: n.max,
        ...(type === "FLOAT" && n.nonFinite > 0 ? { disallowNaN: false } : {}),
      };
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
