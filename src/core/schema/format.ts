/**
 * The schema file format, defined once with zod: parsing a file either yields a complete
 * `DatasetSchema` (defaults applied) or a `SchemaFormatError` listing every problem with its path.
 */
import { z } from "zod";
import { SchemaFormatError } from "../errors.js";
import { type DatasetSchema, FEATURE_TYPES } from "./types.js";

const SNAKE = /^[a-z_][a-z0-9_]*$/;
const ENV = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "environments are UPPER_CASE names, e.g. TRAINING");
const finite = z.number().refine(Number.isFinite, "must be a finite number");

const domain = z.union(
  [
    z.strictObject({ values: z.array(z.string()).min(1) }).describe("STRING: the categorical values allowed"),
    z
      .strictObject({
        format: z.string().min(1).optional(),
        min: z.string().optional(),
        max: z.string().optional(),
      })
      .describe("TIMESTAMP: strptime format (absent = ISO 8601) and inclusive ISO bounds"),
    z
      .strictObject({ min: finite.optional(), max: finite.optional(), disallowNaN: z.boolean().optional() })
      .describe("INT / FLOAT: inclusive numeric bounds"),
  ],
  {
    error:
      'domain must be one of { "values": [at least one string] } (STRING), { "min": number, "max": number, "disallowNaN": boolean } (INT, FLOAT) ' +
      'or { "format": string, "min": string, "max": string } (TIMESTAMP)',
  },
);

const feature = z
  .strictObject({
    name: z.string().min(1),
    column: z.string().regex(SNAKE, "column names are lowercase snake_case").max(255).optional(),
    type: z.enum(FEATURE_TYPES),
    description: z.string().optional(),
    presence: z
      .strictObject({
        minFraction: z.number().min(0).max(1).optional(),
        minCount: z.number().int().min(0).optional(),
      })
      .optional(),
    valueCount: z
      .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .optional(),
    domain: domain.optional(),
    inEnvironment: z.array(ENV).optional(),
    notInEnvironment: z.array(ENV).optional(),
    drift: z
      .strictObject({
        lInfinity: z.number().min(0).max(1).optional(),
        jensenShannon: z.number().min(0).max(1).optional(),
      })
      .optional(),
    skew: z
      .strictObject({
        lInfinity: z.number().min(0).max(1).optional(),
        jensenShannon: z.number().min(0).max(1).optional(),
      })
      .optional()
      .describe("training–serving skew thresholds: a SERVING batch against the latest TRAINING batch"),
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

export const schemaFileFormat = z
  .strictObject({
    $schema: z.string().optional(),
    dataset: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "dataset names are lowercase snake_case"),
    version: z.number().int().min(1),
    description: z.string().optional(),
    defaultEnvironments: z.array(ENV).default(["TRAINING", "SERVING"]),
    label: z.string().optional(),
    eventTime: z.string().optional(),
    features: z.array(feature).min(1),
    policy: z
      .strictObject({
        maxBadRowFraction: z.number().min(0).max(1).default(1),
        dedupeByContent: z.boolean().default(true),
        minRows: z.number().int().min(0).optional(),
        maxRows: z.number().int().min(1).optional(),
      })
      .default({ maxBadRowFraction: 1, dedupeByContent: true }),
    csv: z
      .strictObject({
        delimiter: z.string().length(1).optional(),
        quote: z.string().length(1).optional(),
        header: z.boolean().optional(),
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

/**
 * `$.features[2].domain ("Body Mass (g)")`: a JSON path a person can follow in an editor, with
 * the feature's name when the problem sits inside a feature.
 */
function jsonPath(p: readonly PropertyKey[], json: unknown): string {
  const step = (k: PropertyKey) =>
    typeof k === "number"
      ? `[${k}]`
      : /^[A-Za-z_$][\w$]*$/.test(String(k))
        ? `.${String(k)}`
        : `[${JSON.stringify(String(k))}]`;
  const text = `$${p.map(step).join("")}`;
  if (p[0] !== "features" || typeof p[1] !== "number") return text;
  const name = (json as { features?: { name?: unknown }[] }).features?.[p[1]]?.name;
  return typeof name === "string" ? `${text} (${JSON.stringify(name)})` : text;
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
      parsed.error.issues.map((i) => `${i.path.length ? `${jsonPath(i.path, json)}: ` : ""}${i.message}`),
    );
  }
  const { $schema: _ignored, ...s } = parsed.data;
  return {
    ...s,
    features: s.features.map((f) => ({ ...f, column: f.column ?? defaultColumnName(f.name) })),
  } as DatasetSchema;
}
