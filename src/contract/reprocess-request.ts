/**
 * A request to re-process stored raw objects of a dataset (`lakeline reprocess`, or the ingest
 * function invoked with `{ "reprocess": … }`): which blobs, under which schema version, which
 * generation. Parsed once here so the CLI and the function accept the same thing.
 */
import { UsageError } from "../core/errors.js";
import { assertDatasetName } from "./raw-key.js";

export interface ReprocessTarget {
  readonly dataset: string;
  /** One raw key (`<dataset>/<environment>/<file>`; a leading `raw/` is accepted). */
  readonly key?: string;
  /** The raw object a committed run of the dataset read. */
  readonly run?: string;
  /** Every raw object a committed run of the dataset read (uploads that landed or were rejected). */
  readonly all?: boolean;
  /** Default: the latest version in the registry. */
  readonly schemaVersion?: number;
  /** Default 1; the same request with the same generation is the same runs. */
  readonly generation?: number;
  /**
   * ISO 8601; default: when the request is first handled. Each blob's run records the time its first
   * attempt used (`_reprocess/<dataset>/<runId>.json`) and every later attempt keeps it, so a retried
   * or re-delivered request writes the keys the first attempt wrote.
   */
  readonly requestedAt?: string;
}

const positive = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
    throw new UsageError(`reprocess: ${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return n;
};

/** The request, checked: a dataset and exactly one of key, run and all. */
export function parseReprocessTarget(input: Record<string, unknown>): ReprocessTarget {
  const dataset = assertDatasetName(String(input.dataset ?? ""));
  const chosen = (["key", "run", "all"] as const).filter((k) => input[k] !== undefined && input[k] !== false);
  if (chosen.length !== 1)
    throw new UsageError(`reprocess ${dataset}: give exactly one of key, run or all (got ${chosen.length})`);
  const schemaVersion = positive("schemaVersion", input.schemaVersion);
  const generation = positive("generation", input.generation);
  const requestedAt = input.requestedAt === undefined ? undefined : String(input.requestedAt);
  if (requestedAt !== undefined && Number.isNaN(Date.parse(requestedAt)))
    throw new UsageError(`reprocess: requestedAt is not an ISO 8601 time: ${JSON.stringify(requestedAt)}`);
  return {
    dataset,
    ...(typeof input.key === "string" ? { key: input.key.replace(/^raw\//, "") } : {}),
    ...(typeof input.run === "string" ? { run: input.run } : {}),
    ...(input.all === true ? { all: true } : {}),
    ...(schemaVersion ? { schemaVersion } : {}),
    ...(generation ? { generation } : {}),
    ...(requestedAt ? { requestedAt } : {}),
  };
}
