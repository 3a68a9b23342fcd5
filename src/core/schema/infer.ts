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

import { defaultColumnName } from "./format.js";
import { type InferenceStatistics, type InferOptions, inferFeature, uniqueColumn } from "./infer-feature.js";
import type { DatasetSchema } from "./types.js";
import { updateSchema } from "./update.js";

export type { InferenceFeatureStatistics, InferenceStatistics, InferOptions } from "./infer-feature.js";

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
