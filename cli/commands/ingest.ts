/**
 * `lakeline ingest <file...>`: copy each file into the raw zone and deliver the S3 notification to
 * the ingest Lambda handler in-process — the same path an upload takes in AWS.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { ENV, localConfig } from "../../src/contract/env.js";
import { assertDatasetName, KEY_ENVIRONMENTS } from "../../src/contract/raw-key.js";
import type { IngestResult } from "../../src/contract/records.js";
import { errorMessage, UsageError } from "../../src/core/errors.js";
import type { Anomaly } from "../../src/core/validate/anomaly.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { localMaterializer } from "../deps/features.js";
import { localIngestDeps } from "../deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../deps/upload.js";
import { EXIT_HELP, ingestExitCode } from "../exit-codes.js";
import { phaseLine, progress, toJson } from "../output.js";
import { committedNew, compactAfterCommit } from "./compact.js";

interface IngestOpts {
  dataset: string;
  env: string;
  lake?: string;
  schemas?: string;
  json?: boolean;
  concurrency: string;
}

export interface FileOutcome extends Partial<IngestResult> {
  readonly file: string;
  readonly status: IngestResult["status"];
  readonly error?: string;
  /** Online feature values written after the commit (views fed by the dataset), or why not. */
  readonly online?: {
    view: string;
    entities: number;
    written: number;
    /** Entities corrected or removed because this run replaced their stored row's processing. */
    corrected?: number;
    removed?: number;
  }[];
  readonly onlineError?: string;
}

const ENVS = new Set(KEY_ENVIRONMENTS);

export async function ingestFiles(
  files: string[],
  opts: IngestOpts,
  onProgress: (done: number, total: number, label: string) => void = () => {},
  onPhase?: IngestDeps["onPhase"],
): Promise<FileOutcome[]> {
  assertDatasetName(opts.dataset);
  const env = opts.env.toLowerCase();
  if (!ENVS.has(env))
    throw new UsageError(`--env must be training or serving, not ${JSON.stringify(opts.env)}`);
  for (const f of files) if (!existsSync(f)) throw new UsageError(`no such file: ${f}`, { file: f });
  const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
  const deps = localIngestDeps(config, onPhase ? { onPhase } : {});
  const invoke = localIngestInvoker(deps);
  // After each commit, the marker's notification goes to the materializer, as in AWS.
  const materialize = localMaterializer(config);
  const concurrency = Math.max(1, Number.parseInt(opts.concurrency, 10) || 1);
  // One outcome per file, then one per part when a file was routed and cut into parts.
  const outcomes: FileOutcome[][] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i]!;
      try {
        const key = await uploadRaw(deps.stores.raw, file, opts.dataset, env);
        const response = await invoke(await notificationFor(deps.stores.raw, key));
        outcomes[i] = [];
        for (const [n, result] of response.results.entries())
          outcomes[i]!.push({
            file: n === 0 ? file : result.rawKey,
            ...result,
            ...(await onlineAfterCommit(materialize, result)),
          });
      } catch (err) {
        outcomes[i] = [
          {
            file,
            dataset: opts.dataset,
            environment: env.toUpperCase(),
            status: "failed",
            error: errorMessage(err),
          },
        ];
      }
      onProgress(++done, files.length, file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return outcomes.flat();
}

/**
 * The commit marker's notification delivered to the materializer. A run without warehouse rows
 * still goes: if it re-processed a blob, the values of the processing it replaced are corrected.
 */
export async function onlineAfterCommit(
  materialize: ReturnType<typeof localMaterializer>,
  result: IngestResult,
): Promise<Pick<FileOutcome, "online" | "onlineError">> {
  if (result.status !== "ok" || result.alreadyCommitted) return {};
  try {
    const views = (await materialize(result.dataset, result.runId)).results.flatMap((r) => r.views);
    return views.length > 0
      ? {
          online: views.map(({ view, entities, written, corrected, removed }) => ({
            view,
            entities,
            written,
            ...(corrected || removed ? { corrected, removed } : {}),
          })),
        }
      : {};
  } catch (err) {
    return {
      onlineError: `${errorMessage(err)} (the run is committed; \`lakeline features materialize\` retries)`,
    };
  }
}

/** An anomaly line; a measured one says its value, its threshold and what it was compared with. */
export function anomalyLine(a: Anomaly): string {
  return `${a.severity.padEnd(7)} ${a.type}${a.feature ? ` (${a.feature})` : ""}: ${anomalyText(a)}`;
}

/** The short description, and for a measured anomaly its value, threshold and baseline. */
export function anomalyText(a: Anomaly): string {
  const measured =
    a.value !== undefined && a.threshold !== undefined
      ? ` (${fmt(a.value)} > threshold ${fmt(a.threshold)})`
      : "";
  const b = a.comparison?.baseline;
  const baseline = b
    ? `; baseline: ${b.label} (${b.runId ? `run ${b.runId}, ` : ""}${b.rowsRead} rows read, ${b.environment}, schema v${b.schemaVersion})`
    : "";
  return `${a.shortDescription}${measured}${baseline}`;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3));

/**
 * What happened to one blob, in words that do not pass an old result off as new: a run whose
 * commit marker already existed wrote nothing now, and a duplicate names the upload it duplicates.
 */
export function outcomeLabel(o: Partial<IngestResult> & Pick<IngestResult, "status">): string {
  if (o.alreadyCommitted)
    return `[already committed] run ${o.runId} at ${o.alreadyCommitted.at}; nothing written`;
  if (o.status === "duplicate" && o.duplicateOf) return `[duplicate of raw/${o.duplicateOf}]`;
  return `[${o.status}]`;
}

export function describe(o: FileOutcome): string {
  const mark = o.alreadyCommitted
    ? "="
    : { ok: "✓", duplicate: "=", rejected: "✗", routed: "→", failed: "!" }[o.status];
  const lines: string[] = [];
  if (o.status === "failed") {
    lines.push(`${mark} ${o.file}: failed: ${o.error}`);
    return lines.join("\n");
  }
  const counts = `read ${o.rowsRead}, written ${o.rowsWritten}, quarantined ${o.rowsQuarantined}`;
  lines.push(
    `${mark} ${o.file} → ${o.dataset} v${o.schemaVersion ?? "?"} ${o.environment} ${outcomeLabel(o)}${o.alreadyCommitted ? "" : `  ${counts}`}`,
  );
  if (o.alreadyCommitted) lines.push(`    committed then: ${o.status}, ${counts}`);
  if (o.reason) lines.push(`    reason: ${o.reason}`);
  lines.push(`    raw: ${o.rawKey}  md5 ${o.sourceMd5}  run ${o.runId}`);
  if (o.outputs?.warehouse) lines.push(`    warehouse: ${o.outputs.warehouse}`);
  if (o.outputs?.quarantine) lines.push(`    quarantine: ${o.outputs.quarantine}`);
  for (const v of o.online ?? [])
    lines.push(
      `    online: ${v.view}: ${v.written} of ${v.entities} entities updated${v.corrected || v.removed ? `; ${v.corrected ?? 0} corrected, ${v.removed ?? 0} removed (rows of the replaced processing)` : ""}`,
    );
  if (o.onlineError) lines.push(`    online: failed: ${o.onlineError}`);
  for (const a of o.anomalies ?? []) lines.push(`    ${anomalyLine(a)}`);
  for (const s of o.sample ?? []) lines.push(`    row ${s.row ?? "-"}: ${s.reasons.join("; ")}`);
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("ingest")
    .description(
      "ingest files into the embedded lake: upload to raw/, then the S3 notification runs the ingest handler",
    )
    .argument("<file...>", "CSV, TSV, JSON lines or JSON array files, optionally .gz")
    .requiredOption("-d, --dataset <name>", "dataset (schemas/<name>/vN.json must exist)")
    .option("-e, --env <environment>", "training or serving", "training")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--concurrency <n>", "files processed at once, like parallel Lambda invocations", "2")
    .option("--json", "one JSON object per file, one per line")
    .addHelpText(
      "after",
      `${EXIT_HELP}Example:\n  lakeline ingest penguins.json --dataset penguins\n  lakeline ingest serving.jsonl --dataset penguins --env serving --json`,
    )
    .action(async (files: string[], opts: IngestOpts) => {
      // One file: its phases as they pass (a large blob takes a while); several: a bar of files.
      const line = phaseLine(!opts.json && files.length === 1);
      const labels = {
        stage: "reading, checking and hashing",
        write: "writing Parquet and statistics",
        publish: "publishing",
      };
      const outcomes = await ingestFiles(
        files,
        opts,
        progress(!opts.json && files.length > 1),
        (phase, key) => line.phase(`${key}: ${labels[phase]}…`),
      );
      line.done();
      for (const o of outcomes) process.stdout.write(opts.json ? `${toJson(o)}\n` : `${describe(o)}\n`);
      process.exitCode = ingestExitCode(outcomes);
      await compactAfterCommit(opts.dataset, opts, committedNew(outcomes));
    });
}
