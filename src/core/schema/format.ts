/**
 * The schema file format, defined once with zod: parsing a file either yields a complete
 * `DatasetSchema` (defaults applied) or a `SchemaFormatError` listing every problem with its path.
 * The TypeScript types are derived from the same definitions (see the end of the file), so a field
 * the format accepts is a field the code sees, under the same name and type.
 */

import { z } from "zod";
import { SchemaFormatError } from "../errors.js";
import { issueText } from "./format-issues.js";

export const FEATURE_TYPES = ["INT", "FLOAT", "STRING", "BOOL", "TIMESTAMP", "BYTES"] as const;

const SNAKE = /^[a-z_][a-z0-9_]*$/;
const ENV = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "environments are UPPER_CASE names, e.g. TRAINING");
const finite = z.number().refine(Number.isFinite, "must be a finite number");

const stringDomain = z
  .strictObject({ values: z.array(z.string()).min(1) })
  .describe("STRING: the categorical values allowed");
const timestampDomain = z
  .strictObject({
    /** strptime-style format (DuckDB `strptime`); absent means ISO 8601. */
    format: z.string().min(1).optional(),
    min: z.string().optional(),
    max: z.string().optional(),
  })
  .describe("TIMESTAMP: strptime format (absent = ISO 8601) and inclusive ISO bounds");
const numericDomain = z
  .strictObject({
    min: finite.optional(),
    max: finite.optional(),
    /** Reject NaN / ±Infinity (default true). */
    disallowNaN: z.boolean().optional(),
  })
  .describe("INT / FLOAT: inclusive numeric bounds");

const domain = z.union([stringDomain, timestampDomain, numericDomain], {
  error:
    'domain must be one of { "values": [at least one string] } (STRING), { "min": number, "max": number, "disallowNaN": boolean } (INT, FLOAT) ' +
    'or { "format": string, "min": string, "max": string } (TIMESTAMP)',
});

const presence = z.strictObject({
  /** Minimum fraction of rows in a batch that carry a value (1 = required in every row). */
  minFraction: z.number().min(0).max(1).optional(),
  /** Minimum number of rows in a batch that carry a value. */
  minCount: z.number().int().min(0).optional(),
});

/** Valency: how many values a list feature carries. A feature with `valueCount` is a list. */
const valueCount = z.strictObject({
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(0).optional(),
});

const drift = z.strictObject({
  /** L-infinity distance threshold (categorical features: STRING, BOOL). */
  lInfinity: z.number().min(0).max(1).optional(),
  /** Jensen-Shannon divergence threshold (numeric features: INT, FLOAT, TIMESTAMP). */
  jensenShannon: z.number().min(0).max(1).optional(),
});

const feature = z
  .strictObject({
    /** Field name in the source records, exactly as written there (may hold spaces, capitals). */
    name: z.string().min(1),
    /** Warehouse column name: lowercase snake_case (Glue and Athena require it); derived from the name if absent. */
    column: z.string().regex(SNAKE, "column names are lowercase snake_case").max(255).optional(),
    type: z.enum(FEATURE_TYPES),
    description: z.string().optional(),
    presence: presence.optional(),
    valueCount: valueCount.optional(),
    domain: domain.optional(),
    inEnvironment: z.array(ENV).optional(),
    notInEnvironment: z.array(ENV).optional(),
    drift: drift.optional(),
    /** Training–serving skew thresholds (TFDV's skew_comparator): a SERVING batch vs the TRAINING baseline. */
    skew: z
      .strictObject({
        lInfinity: z.number().min(0).max(1).optional(),
        jensenShannon: z.number().min(0).max(1).optional(),
      })
      .optional()
      .describe("training–serving skew thresholds: a SERVING batch against the latest TRAINING batch"),
    /** Value for rows written under an older schema version that lacked this feature. */
    default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  })
  .superRefine((f, ctx) => {
    const d = f.domain as Record<string, unknown> | undefined;
    if (d && "values" in d && f.type !== "STRING")
      ctx.addIssue({
        code: "custom",
        message: `categorical values need type STRING, not ${f.type}`,
        path: ["domain"],
      });
    if (
      d &&
      ("format" in d || typeof d.min === "string" || typeof d.max === "string") &&
      f.type !== "TIMESTAMP"
    )
      ctx.addIssue({
        code: "custom",
        message: `a format or string min/max domain needs type TIMESTAMP, not ${f.type}`,
        path: ["domain"],
      });
    if (
      d &&
      (typeof d.min === "number" || typeof d.max === "number" || "disallowNaN" in d) &&
      f.type !== "INT" &&
      f.type !== "FLOAT"
    )
      ctx.addIssue({
        code: "custom",
        message: `a numeric min/max domain needs type INT or FLOAT, not ${f.type}`,
        path: ["domain"],
      });
    if (d && typeof d.min === "number" && typeof d.max === "number" && d.min > d.max)
      ctx.addIssue({ code: "custom", message: "domain min > max", path: ["domain"] });
    if (
      f.valueCount?.min !== undefined &&
      f.valueCount.max !== undefined &&
      f.valueCount.min > f.valueCount.max
    )
      ctx.addIssue({ code: "custom", message: "valueCount min > max", path: ["valueCount"] });
    if (f.inEnvironment && f.notInEnvironment)
      ctx.addIssue({
        code: "custom",
        message: "use inEnvironment or notInEnvironment, not both",
        path: ["inEnvironment"],
      });
  });

const policy = z.strictObject({
  /** Reject the whole blob (nothing written) when bad rows / rows read exceeds this. Default 1 (never). */
  maxBadRowFraction: z.number().min(0).max(1).default(1),
  /** A byte-identical re-upload under a new key is recorded, not written again. Default true. */
  dedupeByContent: z.boolean().default(true),
  /** Batch size bounds; outside them a DATASET_LOW/HIGH_NUM_EXAMPLES anomaly is raised. */
  minRows: z.number().int().min(0).optional(),
  maxRows: z.number().int().min(1).optional(),
});

export const schemaFileFormat = z
  .strictObject({
    $schema: z.string().optional(),
    dataset: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "dataset names are lowercase snake_case"),
    version: z.number().int().min(1),
    description: z.string().optional(),
    defaultEnvironments: z.array(ENV).default(["TRAINING", "SERVING"]),
    /** Source name of the label feature. */
    label: z.string().optional(),
    /** Source name of the event-time feature. */
    eventTime: z.string().optional(),
    features: z.array(feature).min(1),
    policy: policy.default({ maxBadRowFraction: 1, dedupeByContent: true }),
    /** The CSV dialect of a dataset's files: what `schema infer` sniffed, and what ingest reads with. */
    csv: z
      .strictObject({
        /** Field separator. Default: `,` (`\t` for .tsv files). */
        delimiter: z.string().length(1).optional(),
        /** Quote character. Default `"`. */
        quote: z.string().length(1).optional(),
        /** Whether the first record names the fields. Default true; without one the fields are column0, column1, … */
        header: z.boolean().optional(),
        /** Separator inside a CSV cell holding a list feature's values. Default `|`. */
        listSeparator: z.string().length(1).optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    const columns = new Set<string>();
    s.features.forEach((f, i) => {
      const column = f.column ?? defaultColumnName(f.name);
      if (names.has(f.name))
        ctx.addIssue({
          code: "custom",
          message: `duplicate feature name ${JSON.stringify(f.name)}`,
          path: ["features", i, "name"],
        });
      if (columns.has(column))
        ctx.addIssue({
          code: "custom",
          message: `duplicate column ${JSON.stringify(column)}`,
          path: ["features", i, "column"],
        });
      if (column.startsWith("_"))
        ctx.addIssue({
          code: "custom",
          message: `column ${column}: names starting with _ are reserved for lineage columns`,
          path: ["features", i, "column"],
        });
      names.add(f.name);
      columns.add(column);
    });
    for (const key of ["label", "eventTime"] as const) {
      const ref = s[key];
      if (ref !== undefined && !names.has(ref))
        ctx.addIssue({
          code: "custom",
          message: `${key} ${JSON.stringify(ref)} is not a feature name`,
          path: [key],
        });
    }
  });

/** `Beak Length (mm)` → `beak_length_mm`: what Glue and Athena accept as a column name. */
export function defaultColumnName(name: string): string {
  const snake = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const safe = snake === "" ? "feature" : snake;
  return /^[0-9]/.test(safe) ? `f_${safe}` : safe;
}

/** The file format as JSON Schema (draft 2020-12), for editors and non-TypeScript tooling. */
export function schemaFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(schemaFileFormat, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    $schema: generated.$schema,
    $id: "https://github.com/lakeline/lakeline/schemas/schema-file.schema.json",
    title: "lakeline dataset schema file (schemas/<dataset>/v<N>.json)",
    description:
      "Generated from the zod definition in src/core/schema/format.ts by `lakeline schema json-schema --write`; do not edit. " +
      "Cross-field rules (unique names and columns, label/eventTime naming a feature, domain kind matching the type) are checked by `lakeline schema check`.",
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== "$schema")),
  };
}

/** Parse schema file text; `file` names the file in errors. */
export function parseSchema(text: string, file: string): DatasetSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SchemaFormatError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = schemaFileFormat.safeParse(json);
  if (!parsed.success) {
    throw new SchemaFormatError(
      file,
      parsed.error.issues.map((i) => issueText(i, json)),
    );
  }
  const { $schema: _ignored, ...s } = parsed.data;
  return {
    ...s,
    features: s.features.map((f) => ({ ...f, column: f.column ?? defaultColumnName(f.name) })),
  };
}

/** What the format yields, read-only all the way down: a parsed schema is never edited in place. */
type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

export type FeatureType = (typeof FEATURE_TYPES)[number];
export type StringDomain = Frozen<z.output<typeof stringDomain>>;
export type TimestampDomain = Frozen<z.output<typeof timestampDomain>>;
/** INT and FLOAT share one domain shape (`disallowNaN` matters for FLOAT only). */
export type NumericDomain = Frozen<z.output<typeof numericDomain>>;
export type FeatureDomain = Frozen<z.output<typeof domain>>;
export type Presence = Frozen<z.output<typeof presence>>;
export type ValueCount = Frozen<z.output<typeof valueCount>>;
export type DriftComparator = Frozen<z.output<typeof drift>>;
export type BatchPolicy = Frozen<z.output<typeof policy>>;
/** A feature as parsed: its warehouse `column` always set (derived from the name when the file omits it). */
export type Feature = Frozen<Omit<z.output<typeof feature>, "column"> & { column: string }>;
/** One schema file, parsed: defaults applied, every feature's column resolved. */
export type DatasetSchema = Frozen<Omit<z.output<typeof schemaFileFormat>, "$schema" | "features">> & {
  readonly features: readonly Feature[];
};
export type CsvOptions = NonNullable<DatasetSchema["csv"]>;
