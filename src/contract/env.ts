/**
 * The only module that reads process.env, and the one place environment variable names are spelled:
 * the stack sets them (functionEnvironment), functions and the CLI parse them (awsConfig,
 * localConfig). Everything else receives configuration as values.
 */
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../core/errors.js";

export const ENV = {
  lake: "LAKELINE_LAKE",
  schemas: "LAKELINE_SCHEMAS",
  duckdbMemory: "LAKELINE_DUCKDB_MEMORY",
  tmp: "LAKELINE_TMP",
  debug: "LAKELINE_DEBUG",
  rawBucket: "LAKELINE_RAW_BUCKET",
  warehouseBucket: "LAKELINE_WAREHOUSE_BUCKET",
  quarantineBucket: "LAKELINE_QUARANTINE_BUCKET",
  exportsBucket: "LAKELINE_EXPORTS_BUCKET",
  lineageBucket: "LAKELINE_LINEAGE_BUCKET",
  failedBucket: "LAKELINE_FAILED_BUCKET",
  glueDatabase: "LAKELINE_GLUE_DATABASE",
  athenaWorkgroup: "LAKELINE_ATHENA_WORKGROUP",
  lineageBus: "LAKELINE_LINEAGE_BUS",
  maxBlobBytes: "LAKELINE_MAX_BLOB_BYTES",
  maxDecompressedBytes: "LAKELINE_MAX_DECOMPRESSED_BYTES",
  partBytes: "LAKELINE_PART_BYTES",
  onlineTable: "LAKELINE_ONLINE_TABLE",
  compact: "LAKELINE_COMPACT",
} as const;

const env = (name: keyof typeof ENV): string | undefined => process.env[ENV[name]];

/** What a deployed function is told, as the stack sets it (values may be CDK tokens). */
export interface FunctionEnvironment {
  readonly buckets: Readonly<
    Record<"raw" | "warehouse" | "quarantine" | "exports" | "lineage" | "failed", string>
  >;
  readonly schemasDir: string;
  readonly glueDatabase: string;
  readonly athenaWorkgroup: string;
  readonly lineageBus: string;
  readonly maxBlobBytes: number;
  readonly maxDecompressedBytes: number;
  readonly tmp: string;
}

/** The environment variables of a deployed function; awsConfig() reads them back. */
export function functionEnvironment(f: FunctionEnvironment): Record<string, string> {
  return {
    [ENV.rawBucket]: f.buckets.raw,
    [ENV.warehouseBucket]: f.buckets.warehouse,
    [ENV.quarantineBucket]: f.buckets.quarantine,
    [ENV.exportsBucket]: f.buckets.exports,
    [ENV.lineageBucket]: f.buckets.lineage,
    [ENV.failedBucket]: f.buckets.failed,
    [ENV.schemas]: f.schemasDir,
    [ENV.glueDatabase]: f.glueDatabase,
    [ENV.athenaWorkgroup]: f.athenaWorkgroup,
    [ENV.lineageBus]: f.lineageBus,
    [ENV.maxBlobBytes]: String(f.maxBlobBytes),
    [ENV.maxDecompressedBytes]: String(f.maxDecompressedBytes),
    [ENV.tmp]: f.tmp,
  };
}

/** The online feature table of a deployed feature function (set by the stack). */
export function onlineTableName(): string {
  const name = env("onlineTable");
  if (!name) throw new Error(`missing environment variable ${ENV.onlineTable} (set by the lakeline stack)`);
  return name;
}

/** Whether the CLI prints stack traces. */
export function debugEnabled(): boolean {
  return Boolean(env("debug"));
}

export interface LocalConfig {
  /** Root of the embedded lake (default ./.lakeline). */
  readonly lakeDir: string;
  /** Folder of dataset schemas (default ./schemas). */
  readonly schemasDir: string;
  /** DuckDB memory_limit override (LAKELINE_DUCKDB_MEMORY; default: the engine's). */
  readonly duckdbMemory?: string;
  /**
   * The limit of one invocation, as the stack sets it (LAKELINE_MAX_BLOB_BYTES; unset: none), so the
   * scale-out path can be run and tried locally; larger blobs are cut into LAKELINE_PART_BYTES parts.
   */
  readonly maxBlobBytes?: number;
  readonly partBytes?: number;
  /** `lakeline ingest` compacts the warehouse after its runs commit (LAKELINE_COMPACT=off: never; unset: on). */
  readonly autoCompact?: boolean;
}

/** A positive byte count from the environment, checked before any work starts. */
function localBytes(name: "maxBlobBytes" | "partBytes"): number | undefined {
  const value = env(name);
  if (value === undefined || value === "") return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`${ENV[name]}: expected a positive number of bytes, not ${JSON.stringify(value)}`);
  return Number(value);
}

function localScaleOut(): Pick<LocalConfig, "maxBlobBytes" | "partBytes"> {
  const maxBlobBytes = localBytes("maxBlobBytes");
  if (maxBlobBytes === undefined) return {};
  return { maxBlobBytes, partBytes: localBytes("partBytes") ?? Math.floor(maxBlobBytes / 2) };
}

export function localConfig(
  overrides: { lake?: string | undefined; schemas?: string | undefined } = {},
): LocalConfig {
  return {
    lakeDir: path.resolve(overrides.lake ?? env("lake") ?? ".lakeline"),
    schemasDir: path.resolve(overrides.schemas ?? env("schemas") ?? "schemas"),
    ...duckdbMemory((message) => new UsageError(message)),
    ...localScaleOut(),
    autoCompact: autoCompact(),
  };
}

/** LAKELINE_COMPACT: `on` (the default) or `off`; anything else is a usage error, not a silent default. */
function autoCompact(): boolean {
  const value = (env("compact") ?? "on").toLowerCase();
  if (value !== "on" && value !== "off")
    throw new UsageError(`${ENV.compact}: expected on or off, not ${JSON.stringify(value)}`);
  return value === "on";
}

/**
 * Below this DuckDB cannot read CSV: its reader holds a few 32 MiB buffers (measured: 64MB fails on
 * 3M flights rows, 96MB works, staging on disk).
 */
const MIN_DUCKDB_MEMORY = "96MB";

/** LAKELINE_DUCKDB_MEMORY, checked here so a typo is reported as such, before any work starts. */
function duckdbMemory(fail: (message: string) => Error): { duckdbMemory?: string } {
  const value = env("duckdbMemory");
  if (!value) return {};
  let bytes: number;
  try {
    bytes = memoryBytes(value);
  } catch (err) {
    throw fail(`${ENV.duckdbMemory}: ${(err as Error).message}`);
  }
  if (bytes < memoryBytes(MIN_DUCKDB_MEMORY))
    throw fail(
      `${ENV.duckdbMemory}: ${value} is below the ${MIN_DUCKDB_MEMORY} DuckDB needs to read CSV (its reader holds a few 32 MiB buffers)`,
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
  /** Size of the raw parts a routed CSV or JSON-lines blob is cut into (default: half the limit). */
  readonly partBytes: number;
  /** DuckDB memory_limit override (LAKELINE_DUCKDB_MEMORY; default: the engine's). */
  readonly duckdbMemory?: string;
  /** Gzip-bomb guard sized to the function's /tmp (set by the stack; default: the engine's). */
  readonly maxDecompressedBytes?: number;
}

function required(name: keyof typeof ENV): string {
  const v = env(name);
  if (!v) throw new Error(`missing environment variable ${ENV[name]} (set by the lakeline stack)`);
  return v;
}

export function awsConfig(): AwsConfig {
  const maxBlobBytes = Number(env("maxBlobBytes") ?? 2 * 1024 ** 3);
  const maxDecompressedBytes = env("maxDecompressedBytes");
  return {
    buckets: {
      raw: required("rawBucket"),
      warehouse: required("warehouseBucket"),
      quarantine: required("quarantineBucket"),
      exports: required("exportsBucket"),
      lineage: required("lineageBucket"),
      failed: env("failedBucket") ?? required("quarantineBucket"),
    },
    schemasDir: env("schemas") ?? path.resolve(import.meta.dirname ?? ".", "schemas"),
    glueDatabase: env("glueDatabase"),
    athenaWorkgroup: env("athenaWorkgroup"),
    lineageBusName: env("lineageBus"),
    maxBlobBytes,
    partBytes: Number(env("partBytes") ?? Math.floor(maxBlobBytes / 2)),
    ...(maxDecompressedBytes ? { maxDecompressedBytes: Number(maxDecompressedBytes) } : {}),
    ...duckdbMemory((message) => new Error(message)),
  };
}

/** Scratch space: Lambda's /tmp in AWS, the OS temp dir locally. */
export function scratchDir(): string {
  return env("tmp") ?? os.tmpdir();
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
