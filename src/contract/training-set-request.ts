/**
 * A training set asked of the export function in AWS (`{ "trainingSet": { … } }` as a rule's input
 * or an event's detail): the same request as `lakeline features history`, with the entity file an
 * object in the exports zone under `entities/` (the function reads it there; one place to grant).
 * Validated with zod; a bad request is a UsageError naming the field and the value.
 */
import { z } from "zod";
import { UsageError } from "../core/errors.js";

/**
 * The Glue tables a training set registers over its entity file for the query (and drops after)
 * are named with this prefix: the export function may create and delete only those.
 */
export const ENTITIES_TABLE_PREFIX = "_lakeline_entities_";

/** Where entity files are uploaded in the exports zone. */
export const ENTITIES_PREFIX = "entities/";

const SNAKE = /^[a-z][a-z0-9_]*$/;

const trainingSetSchema = z.strictObject({
  /** snake_case; default training_set */
  name: z.string().regex(SNAKE, "name must be lowercase snake_case").optional(),
  /** `entities/<file>` or `s3://<exports bucket>/entities/<file>`: CSV (optionally .gz) or Parquet */
  entities: z.string().min(1, "name the entity file"),
  /** `view:feature,feature,view2:feature` */
  features: z.string().min(1, "name at least one view:feature"),
  timestamp: z.string().min(1).optional(),
  label: z.string().min(1).optional(),
  /** ISO 8601; default now */
  asOf: z.string().min(1).optional(),
  knowledge: z.enum(["row", "as-of"]).optional(),
  /** `train=80,eval=10,test=10` or `{ "train": 80, … }` */
  split: z.union([z.string().min(1), z.record(z.string(), z.number())]).optional(),
  seed: z.string().min(1).optional(),
  splitKey: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
});

export type TrainingSetRequest = z.infer<typeof trainingSetSchema>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The training-set request inside an event (`trainingSet`, or `detail.trainingSet`), if it is one. */
export function trainingSetRequestIn(event: unknown): unknown {
  if (!isRecord(event)) return undefined;
  if ("trainingSet" in event) return event.trainingSet;
  if (isRecord(event.detail) && "trainingSet" in event.detail) return event.detail.trainingSet;
  return undefined;
}

export function parseTrainingSetRequest(input: unknown): TrainingSetRequest {
  const parsed = trainingSetSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const at = i.path.join(".");
      const value = at && isRecord(input) ? ` (got ${JSON.stringify(input[String(i.path[0])])})` : "";
      return `${at || "request"}: ${i.message}${value}`;
    });
    throw new UsageError(`training set request: ${problems.join("; ")}`, { request: input });
  }
  return parsed.data;
}

/** The entity file's key in the exports bucket `bucket`; refuses any other bucket or prefix. */
export function entitiesKey(entities: string, bucket: string): string {
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(entities);
  if (uri && uri[1] !== bucket)
    throw new UsageError(
      `training set request: entities must be in the exports bucket ${bucket}, not ${uri[1]} (upload it under s3://${bucket}/${ENTITIES_PREFIX})`,
      { entities },
    );
  const key = uri ? uri[2]! : entities;
  if (!key.startsWith(ENTITIES_PREFIX) || key.split("/").some((p) => p === "" || p === "." || p === ".."))
    throw new UsageError(
      `training set request: entities must be a key under ${ENTITIES_PREFIX} in the exports bucket, not ${JSON.stringify(entities)}`,
      { entities },
    );
  return key;
}

/** The split as `features history` takes it. */
export function splitText(split: TrainingSetRequest["split"]): string | undefined {
  if (split === undefined || typeof split === "string") return split;
  return Object.entries(split)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
