/**
 * Feature views, defined once with zod: a view names a dataset, the column(s) that identify an
 * entity, the column that says when a value became true (event time), how long a value stays
 * usable (TTL) and the features it serves. Files live beside their dataset's schemas:
 * `schemas/<dataset>/views/<view>.v<N>.json`, one file per released version, never edited in place.
 */
import { z } from "zod";
import { SchemaFormatError } from "../errors.js";

const SNAKE = /^[a-z][a-z0-9_]{0,62}$/;
const DURATION = /^([1-9][0-9]*)(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

const viewFeature = z.strictObject({
  name: z.string().regex(SNAKE, "feature names are lowercase snake_case"),
  /** Warehouse column; default: the feature's name. */
  column: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "column names are lowercase snake_case")
    .optional(),
  description: z.string().min(1, "describe what the feature means"),
  owner: z.string().min(1, "name who answers for the feature"),
});

export const viewFileFormat = z
  .strictObject({
    $schema: z.string().optional(),
    view: z.string().regex(SNAKE, "view names are lowercase snake_case"),
    version: z.number().int().min(1),
    dataset: z.string().regex(SNAKE, "dataset names are lowercase snake_case"),
    description: z.string().optional(),
    /** Warehouse columns that identify an entity (e.g. ["symbol"]). */
    entities: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).min(1),
    /** Warehouse column (TIMESTAMP) holding when a row's values became true. */
    eventTime: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    /** A value older than this (relative to the time asked about) is not served: "62d", "36h", "15m", "90s". */
    ttl: z.string().regex(DURATION, 'ttl is a whole number and a unit s, m, h or d, e.g. "62d"').optional(),
    /** Rows of this environment feed the view. @default TRAINING */
    environment: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .default("TRAINING"),
    owner: z.string().min(1).optional(),
    features: z.array(viewFeature).min(1),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.features.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({
          code: "custom",
          message: `duplicate feature ${JSON.stringify(f.name)}`,
          path: ["features", i, "name"],
        });
      seen.add(f.name);
    });
    if (new Set(v.entities).size !== v.entities.length)
      ctx.addIssue({ code: "custom", message: "an entity column is named twice", path: ["entities"] });
  });

type ViewFile = z.output<typeof viewFileFormat>;
export type FeatureView = Omit<ViewFile, "$schema" | "features"> & {
  readonly features: readonly (ViewFile["features"][number] & { readonly column: string })[];
  /** TTL in seconds; undefined = values never expire. */
  readonly ttlSeconds?: number;
};
export type ViewFeature = FeatureView["features"][number];

export function durationSeconds(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

/** `<view>.v<N>.json` */
export const VIEW_FILE = /^([a-z][a-z0-9_]{0,62})\.v([1-9][0-9]*)\.json$/;

/** Parse a view file's text; `file` names the file in errors. */
export function parseView(text: string, file: string): FeatureView {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SchemaFormatError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = viewFileFormat.safeParse(json);
  if (!parsed.success)
    throw new SchemaFormatError(
      file,
      parsed.error.issues.map((i) => `${i.path.length ? `$.${i.path.join(".")}: ` : ""}${i.message}`),
    );
  const { $schema: _ignored, ...v } = parsed.data;
  return {
    ...v,
    features: v.features.map((f) => ({ ...f, column: f.column ?? f.name })),
    ...(v.ttl ? { ttlSeconds: durationSeconds(v.ttl) } : {}),
  };
}

/** A requested feature: `view:feature`. */
export interface FeatureRef {
  readonly view: string;
  readonly feature: string;
}

/** `stock_prices:price,daily_weather:temp_max,temp_min` — a bare name continues the previous view. */
export function parseFeatureRefs(text: string): FeatureRef[] {
  const out: FeatureRef[] = [];
  let view: string | undefined;
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(":");
    if (i >= 0) {
      view = part.slice(0, i);
      out.push({ view, feature: part.slice(i + 1) });
    } else if (view !== undefined) out.push({ view, feature: part });
    else throw new Error(`feature ${JSON.stringify(part)} names no view: write <view>:<feature>`);
  }
  return out;
}

/** Output column of a feature in a training set (Feast's full feature name). */
export function outputColumn(view: string, feature: string): string {
  return `${view}__${feature}`;
}
