/**
 * The only module that reads process.env. Everything else receives configuration as values.
 */
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../core/errors.js";

export interface LocalConfig {
  /** Root of the embedded lake (default ./.lakeline). */
  readonly lakeDir: string;
  /** Folder of dataset schemas (default ./schemas). */
  readonly schemasDir: string;
  /** DuckDB memory_limit override (LAKELINE_DUCKDB_MEMORY; default: the engine's). */
  readonly duckdbMemory?: string;
}

export function localConfig(
  overrides: { lake?: string | undefined; schemas?: string | undefined } = {},
): LocalConfig {
  return {
    lakeDir: path.resolve(overrides.lake ?? process.env.LAKELINE_LAKE ?? ".lakeline"),
    schemasDir: path.resolve(overrides.schemas ?? process.env.LAKELINE_SCHEMAS ?? "schemas"),
    ...duckdbMemory((message) => new UsageError(message)),
  };
}

/**
 * Below this DuckDB cannot read CSV: its reader holds a few 32 MiB buffers (measured: 64MB fails on
 * 3M flights rows, 96MB works, staging on disk).
 */
const MIN_DUCKDB_MEMORY = "96MB";

/** LAKELINE_DUCKDB_MEMORY, checked here so a typo is reported as such, before any work starts. */
function duckdbMemory(fail: (message: string) => Error): { duckdbMemory?: string } {
  const value = process.env.LAKELINE_DUCKDB_MEMORY;
  if (!value) return {};
  let bytes: number;
  try {
    bytes = memoryBytes(value);
  } catch (err) {
    throw fail(`LAKELINE_DUCKDB_MEMORY: ${(err as Error).message}`);
  }
  if (bytes < memoryBytes(MIN_DUCKDB_MEMORY))
    throw fail(
      `LAKELINE_DUCKDB_MEMORY: ${value} is below the ${MIN_DUCKDB_MEMORY} DuckDB needs to read CSV (its reader holds a few 32 MiB buffers)`,
    );
  return { duckdbMemory: value };
}

/** Configuration of a deployed function, set by the CDK stack as environment variables. */
export interface AwsConfig {
  readonly buckets: {
    readonly raw: string;
    readonly warehouse: string;
    readonly quarantine: string;
    readonly exports: string;
    readonly lineage: string;
    readonly failed: string;
  };
  /** Schemas are bundled with the function code. */
  readonly schemasDir: string;
  readonly glueDatabase?: string;
  readonly athenaWorkgroup?: string;
  readonly lineageBusName?: string;
  /** Largest blob one invocation ingests; larger ones are routed (see README, scale-out). */
  readonly maxBlobBytes: number;
  /** Size of the raw parts a routed CSV or JSON-lines blob is split into (default: half the limit). */
  readonly partBytes: number;
  /** DuckDB memory_limit override (LAKELINE_DUCKDB_MEMORY; default: the engine's). */
  readonly duckdbMemory?: string;
  /** Gzip-bomb guard sized to the function's /tmp (set by the stack; default: the engine's). */
  readonly maxDecompressedBytes?: number;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`missing environment variable ${name} (set by the lakeline stack)`);
  return v;
}

export function awsConfig(): AwsConfig {
  const maxBlobBytes = Number(process.env.LAKELINE_MAX_BLOB_BYTES ?? 2 * 1024 ** 3);
  return {
    buckets: {
      raw: required("LAKELINE_RAW_BUCKET"),
      warehouse: required("LAKELINE_WAREHOUSE_BUCKET"),
      quarantine: required("LAKELINE_QUARANTINE_BUCKET"),
      exports: required("LAKELINE_EXPORTS_BUCKET"),
      lineage: required("LAKELINE_LINEAGE_BUCKET"),
      failed: process.env.LAKELINE_FAILED_BUCKET ?? required("LAKELINE_QUARANTINE_BUCKET"),
    },
    schemasDir: process.env.LAKELINE_SCHEMAS ?? path.resolve(import.meta.dirname ?? ".", "schemas"),
    glueDatabase: process.env.LAKELINE_GLUE_DATABASE,
    athenaWorkgroup: process.env.LAKELINE_ATHENA_WORKGROUP,
    lineageBusName: process.env.LAKELINE_LINEAGE_BUS,
    maxBlobBytes,
    partBytes: Number(process.env.LAKELINE_PART_BYTES ?? Math.floor(maxBlobBytes / 2)),
    ...(process.env.LAKELINE_MAX_DECOMPRESSED_BYTES
      ? { maxDecompressedBytes: Number(process.env.LAKELINE_MAX_DECOMPRESSED_BYTES) }
      : {}),
    ...duckdbMemory((message) => new Error(message)),
  };
}

/** Scratch space: Lambda's /tmp in AWS, the OS temp dir locally. */
export function scratchDir(): string {
  return process.env.LAKELINE_TMP ?? os.tmpdir();
}

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** Bytes of a DuckDB memory setting such as "256MB" or "1GiB" (DuckDB's units: MB = 10^6 bytes). */
export function memoryBytes(setting: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(setting);
  const unit = UNITS[(m?.[2] || "B").toUpperCase()];
  if (!m || unit === undefined)
    throw new Error(`not a memory size: ${JSON.stringify(setting)} (e.g. 256MB, 1GiB)`);
  return Number(m[1]) * unit;
}
