/**
 * Deploy configuration (`lakeline.config.json`), validated at synth. Every problem is reported as
 * `lakeline config: <path>: <what is wrong>` so the failing field can be found without reading CDK
 * stack traces.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseCron } from "./cron.js";

/** The values CloudWatch Logs accepts for a log group's retention. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const MIB = 1024 * 1024;

const retentionDays = z
  .number()
  .int()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (the values CloudWatch Logs accepts)`,
  });

const days = (what: string) => z.number().int().min(1, `${what} must be at least 1 day`).max(36500);

function functionSettings(defaults: {
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
}) {
  return z
    .strictObject({
      memoryMb: z
        .number()
        .int()
        .min(128, "must be between 128 and 10240 MB")
        .max(10240, "must be between 128 and 10240 MB")
        .default(defaults.memoryMb),
      timeoutSeconds: z
        .number()
        .int()
        .min(1)
        .max(900, "Lambda's limit is 900 seconds")
        .default(defaults.timeoutSeconds),
      ephemeralStorageMb: z
        .number()
        .int()
        .min(512, "must be between 512 and 10240 MB")
        .max(10240, "must be between 512 and 10240 MB")
        .default(defaults.ephemeralStorageMb),
      /** Unset by default: reserving concurrency fails on accounts still at the 10-execution quota. */
      reservedConcurrency: z.number().int().min(1).max(1000).optional(),
      /** Async invoke retries (S3 notifications and schedules are async invocations). */
      retryAttempts: z.number().int().min(0).max(2, "Lambda allows 0, 1 or 2 retries").default(2),
      maxEventAgeSeconds: z
        .number()
        .int()
        .min(60, "must be between 60 and 21600 seconds")
        .max(21600, "must be between 60 and 21600 seconds")
        .default(21600),
    })
    .prefault({});
}

const exportSchedule = z.strictObject({
  /** Names the rule and the export's output folder; unique. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, "use lowercase letters, digits and - (start with a letter)"),
  dataset: z.string(),
  cron: z.string(),
  /** Split name → percent of rows, e.g. {"train": 80, "eval": 10, "test": 10}; sums to 100. */
  split: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, "split names are lowercase identifiers"),
    z.number().min(0),
  ),
  environment: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, "environments are upper-case names such as TRAINING")
    .default("TRAINING"),
  /** Seed of the deterministic split; changing it reshuffles the split. */
  seed: z.string().min(1).default("lakeline"),
});

const deployConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** Prefix of both stack names: `<prefix>Data` and `<prefix>Pipeline`. */
  stackPrefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/, "letters, digits and - only")
    .default("Lakeline"),
  /** Glue database name; must be unique per account and region. */
  glueDatabaseName: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,254}$/, "Glue/Athena names are lowercase letters, digits and _")
    .default("lakeline"),
  /** x86_64 unless the linux-arm64 DuckDB binding is installed (see infra/constructs/duckdb-asset.ts). */
  architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
  logRetentionDays: retentionDays.default(30),
  /** Largest blob one ingest invocation accepts (LAKELINE_MAX_BLOB_BYTES). */
  maxBlobBytes: z
    .number()
    .int()
    .min(1)
    .default(2 * 1024 ** 3),
  ingest: functionSettings({ memoryMb: 3008, timeoutSeconds: 900, ephemeralStorageMb: 6144 }),
  export: functionSettings({ memoryMb: 3008, timeoutSeconds: 900, ephemeralStorageMb: 4096 }),
  storage: z
    .strictObject({
      abortIncompleteMultipartUploadDays: days("abortIncompleteMultipartUploadDays").default(7),
      /** Move raw blobs to S3 Standard-IA after this many days; omit to keep them in Standard. */
      rawInfrequentAccessAfterDays: z
        .number()
        .int()
        .min(30, "S3 requires at least 30 days before Standard-IA")
        .optional(),
      accessLogExpirationDays: days("accessLogExpirationDays").default(365),
      athenaResultsExpirationDays: days("athenaResultsExpirationDays").default(30),
    })
    .prefault({}),
  athena: z
    .strictObject({
      /** Queries scanning more than this are cancelled (Athena minimum: 10 MB). */
      bytesScannedCutoffPerQuery: z
        .number()
        .int()
        .min(10 * MIB, "Athena's minimum is 10485760 bytes (10 MB)")
        .default(10 * 1024 ** 3),
    })
    .prefault({}),
  /** Existing SNS topic the alarms notify; alarms only change state when unset. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, "not an SNS topic ARN")
    .optional(),
  exports: z.array(exportSchedule).default([]),
});

export type DeployConfig = z.output<typeof deployConfigSchema>;
export type FunctionSettings = DeployConfig["ingest"];
export type ExportSchedule = DeployConfig["exports"][number];

/** What the export function receives from its schedule (the rule's constant input). */
export interface ExportRequest {
  readonly name: string;
  readonly dataset: string;
  readonly environment: string;
  readonly split: Readonly<Record<string, number>>;
  readonly seed: string;
}

export function exportRequest(s: ExportSchedule): ExportRequest {
  return { name: s.name, dataset: s.dataset, environment: s.environment, split: s.split, seed: s.seed };
}

/** `["exports", 0, "cron"]` → `exports[0].cron` */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/**
 * Validate a parsed config object against the datasets that have schemas. Throws one Error
 * listing every problem, each as `lakeline config: <path>: <message>`.
 */
export function validateDeployConfig(input: unknown, datasets: readonly string[]): DeployConfig {
  const parsed = deployConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw configError(parsed.error.issues.map((i) => [formatPath(i.path), i.message] as const));
  }
  const config = parsed.data;
  const problems: (readonly [string, string])[] = [];
  const names = new Set<string>();
  config.exports.forEach((e, i) => {
    const at = `exports[${i}]`;
    if (!datasets.includes(e.dataset)) {
      problems.push([
        `${at}.dataset`,
        `no schema for dataset ${JSON.stringify(e.dataset)} in schemas/ (known: ${datasets.join(", ") || "none"})`,
      ]);
    }
    try {
      parseCron(e.cron);
    } catch (err) {
      problems.push([`${at}.cron`, (err as Error).message]);
    }
    const parts = Object.values(e.split);
    const sum = parts.reduce((a, b) => a + b, 0);
    if (parts.length === 0) problems.push([`${at}.split`, 'needs at least one split, e.g. {"train": 100}']);
    else if (Math.abs(sum - 100) > 1e-9) problems.push([`${at}.split`, `percentages sum to ${sum}, not 100`]);
    if (names.has(e.name)) problems.push([`${at}.name`, `duplicate export name ${JSON.stringify(e.name)}`]);
    names.add(e.name);
  });
  for (const fn of ["ingest", "export"] as const) {
    const s = config[fn];
    if (s.maxEventAgeSeconds < s.timeoutSeconds) {
      problems.push([
        `${fn}.maxEventAgeSeconds`,
        `${s.maxEventAgeSeconds}s is shorter than the timeout (${s.timeoutSeconds}s), so retries could never run`,
      ]);
    }
  }
  if (config.maxBlobBytes > config.ingest.ephemeralStorageMb * MIB) {
    problems.push([
      "maxBlobBytes",
      `${config.maxBlobBytes} bytes does not fit the ingest function's /tmp (ingest.ephemeralStorageMb = ${config.ingest.ephemeralStorageMb})`,
    ]);
  }
  if (problems.length > 0) throw configError(problems);
  return config;
}

/**
 * The gzip-bomb guard of the ingest function, from its /tmp: what is left after the largest blob,
 * halved, since the decompressed copy shares /tmp with DuckDB's staging file and the outputs.
 */
export function maxDecompressedBytes(config: DeployConfig): number {
  return Math.floor((config.ingest.ephemeralStorageMb * MIB - config.maxBlobBytes) / 2);
}

function configError(problems: readonly (readonly [string, string])[]): Error {
  return new Error(problems.map(([p, m]) => `lakeline config: ${p}: ${m}`).join("\n"));
}

/** Read and validate a config file; a missing file means "all defaults". */
export function loadDeployConfig(file: string, datasets: readonly string[]): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return validateDeployConfig({}, datasets);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`lakeline config: ${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateDeployConfig(json, datasets);
}
