/**
 * `npm run bench`: how fast and how lean lakeline is, measured as whole processes against DuckDB
 * alone (the anchor), md5sum and parquetjs, contenders alternating within one run. Figures go to
 * stdout (a table, or JSON with --json); progress goes to stderr.
 *
 *   npm run bench                       full run: 1m, 3m, 9m rows
 *   npm run bench -- --quick            1m rows, fewer contenders (a couple of minutes)
 *   npm run bench -- --sizes 1m,3m      choose sizes (multiples of 3m above 3m)
 *   npm run bench -- --widths 20,100     width axis: CSV of n columns × 200k rows (default 20,100,300)
 *   npm run bench -- --reps 5 --json
 *   npm run bench -- --entity-rows 1m   entity rows of the feature-store training set (default 1m)
 *   npm run bench -- --history 50,1000  history axis: committed runs of one dataset (default 50,1000)
 *   npm run bench -- --history-only     only the history axis (no flights, widths, features, cold start)
 *   npm run bench -- --only 'wide300'   run only the jobs whose id matches this regex (e.g. ^infer:,
 *                                       ingest:flights-3m); inputs are still built for what --sizes,
 *                                       --widths and --history ask; cold start runs only when no --only
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { ENV } from "../src/contract/env.js";
import { measureColdStart } from "./bench/coldstart.js";
import {
  anchorJob,
  hashJobs,
  ingestJob,
  type Job,
  parquetjsJob,
  startupJob,
  validateCliJob,
  validateOnlyJob,
} from "./bench/contenders.js";
import { featureBench } from "./bench/features-jobs.js";
import { ensureHistoryLake, type HistoryLake, historyJobs, historyTargets } from "./bench/history.js";
import { ensureInputs, type InputFormat, malformedCsvInput } from "./bench/inputs.js";
import { exportJob, queryJob } from "./bench/lake-jobs.js";
import { measure, measureMethod, type Sample } from "./bench/measure.js";
import { benchOptions, parseSize } from "./bench/options.js";
import { type BenchReport, evaluateTargets, machine, renderText, summarise } from "./bench/report.js";
import { widthTargets } from "./bench/targets.js";
import { wideBenchInput } from "./bench/wide-input.js";
import { inferJob, wideScanJob } from "./bench/wide-jobs.js";

const RSS_LIMIT_MB = 512;
const INGEST_RATIO = 0.5;
const HASH_RATIO = 0.8;
const COLD_START_RUNS = 5;
/** Rows of the history axis' dataset, whatever its number of runs. */
const HISTORY_ROWS = 100_000;
const LAMBDA_SETTINGS = {
  label: `DuckDB memory_limit 512MB (${ENV.duckdbMemory})`,
  args: ["--memory-limit", "512MB"],
};

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);

const { opts, historyOnly, sizes, widths, wideRows, historyRuns, only, selected, reps } = benchOptions();
const startedAt = machine();
const started = performance.now();

// Inputs: CSV at every size; JSON lines up to 3m; gzip at 3m (the size a real upload would compress).
const wanted: { rows: number; format: InputFormat }[] = [];
for (const rows of sizes) {
  wanted.push({ rows, format: "csv" });
  if (!opts.quick && rows <= 3_000_000) wanted.push({ rows, format: "jsonl" });
  if (!opts.quick && rows === 3_000_000) wanted.push({ rows, format: "csv.gz" });
}
log(`inputs in .bench/ (${sizes.map((s) => `${s / 1e6}m`).join(", ")} rows)`);
// Measure what `npm ci` ships: the bundled CLI (bin/lakeline.mjs falls back to tsx when sources
// are newer than the bundle, which would add the transpiler's start-up to every lakeline row).
log("building the CLI bundle (npm run build)");
execFileSync(process.execPath, [path.join(root, "scripts", "build-cli.mjs")], {
  cwd: root,
  stdio: "inherit",
});
const inputs = await ensureInputs(path.join(root, ".bench"), wanted, log);
const find = (rows: number, format: InputFormat) =>
  inputs.find((i) => i.rows === rows && i.format === format);

// The query reads the lake of the last successful ingest of the largest CSV up to 3m rows.
const queryInput = [...inputs].reverse().find((i) => i.format === "csv" && i.rows <= 3_000_000);
let keptLake: string | undefined;
const keepLake = async (lake: string) => {
  if (keptLake) await fs.rm(keptLake, { recursive: true, force: true });
  keptLake = lake;
};

const jobs: Job[] = inputs[0] ? [startupJob(inputs[0])] : [];
const historyLakes: HistoryLake[] = [];
for (const runs of historyRuns)
  historyLakes.push(
    await ensureHistoryLake({
      dir: path.join(root, ".bench", "history"),
      root,
      runs,
      rows: HISTORY_ROWS,
      log,
    }),
  );
const history = historyJobs(historyLakes);
const digests = new Map<string, string>();
for (const rows of sizes) {
  const csv = find(rows, "csv")!;
  const anchor = anchorJob(csv);
  jobs.push(anchor, ingestJob(csv, anchor.id, csv === queryInput ? keepLake : undefined));
  // What raising DuckDB's memory_limit (LAKELINE_DUCKDB_MEMORY, e.g. for a bigger function) costs in
  // peak RSS, on the largest file, where a memory bound shows.
  if (rows === sizes.at(-1) && !opts.quick) jobs.push(ingestJob(csv, anchor.id, undefined, LAMBDA_SETTINGS));
  if (rows <= 3_000_000) jobs.push(validateCliJob(csv, anchor.id));
  // What statistics cost, measured once (1m): staging alone vs staging + statistics.
  if (rows === 1_000_000 && !opts.quick) {
    jobs.push(validateOnlyJob(csv, anchor.id, true), validateOnlyJob(csv, anchor.id, false));
  }
  if (rows === 1_000_000 && !opts.quick) jobs.push(parquetjsJob(csv, anchor.id));
  for (const format of ["jsonl", "csv.gz"] as const) {
    const input = find(rows, format);
    if (!input) continue;
    const a = anchorJob(input);
    jobs.push(a, ingestJob(input, a.id));
  }
}
// Malformed records cost a read of the file up to the last one (to number and place them): one at
// the very end of the 3M CSV is the worst case.
const three = find(3_000_000, "csv");
if (three && !opts.quick) {
  const input = await malformedCsvInput(path.join(root, ".bench"), three, log);
  const anchor = anchorJob(input);
  jobs.push(anchor, ingestJob(input, anchor.id));
}
for (const columns of widths) {
  const input = await wideBenchInput(path.join(root, ".bench", "wide"), columns, wideRows, log);
  const anchor = anchorJob(input);
  jobs.push(anchor, ingestJob(input, anchor.id));
  // schema infer on the same file, against DuckDB scanning it once.
  const scan = wideScanJob(input);
  jobs.push(scan, inferJob(input, columns, scan.id));
}
// Hashing is measured on the largest file, where start-up weighs least.
const largest = inputs.filter((i) => i.format === "csv").sort((a, b) => b.bytes - a.bytes)[0];
if (largest) jobs.push(...hashJobs(largest, digests));

const samples = new Map<string, Sample[]>();
const failed = new Map<string, string>();
const notes: string[] = [];

async function runOnce(job: Job, label: string): Promise<void> {
  if (failed.has(job.id) || !selected(job.id)) return;
  const { command, cleanup } = await job.prepare();
  try {
    const s = await measure(command);
    (samples.get(job.id) ?? samples.set(job.id, []).get(job.id)!).push(s);
    log(
      `${label} ${job.id}: ${s.wallS.toFixed(2)} s, ${s.rssMb.toFixed(0)} MB${s.cpuS === undefined ? "" : `, cpu ${s.cpuS.toFixed(2)} s`}`,
    );
  } catch (err) {
    failed.set(job.id, (err as Error).message);
    log(`${label} ${job.id}: FAILED ${(err as Error).message}`);
  } finally {
    await cleanup();
  }
}

// A, B, C, A, B, C…: every contender sees the same machine conditions, repetition after repetition.
for (let r = 1; r <= reps; r++) for (const job of jobs) await runOnce(job, `rep ${r}/${reps}`);

// The 3M flights pairs' targets (wall ≥ 0.7×, CPU ≤ 1.8×, JSON lines ≥ 0.6×) sit near their lines,
// where this host's swings in speed decide a median of 3: they get more alternating repetitions.
const LINE_REPS = 7;
const lineJobs = jobs.filter((j) => /^(anchor|ingest):flights-3m\.(csv|jsonl)$/.test(j.id) && selected(j.id));
const lineReps = opts.quick ? reps : Math.max(reps, LINE_REPS);
for (let r = reps + 1; r <= lineReps; r++)
  for (const job of lineJobs) await runOnce(job, `rep ${r}/${lineReps}`);
if (lineReps > reps && lineJobs.length > 0)
  notes.push(`${lineJobs.map((j) => j.id).join(", ")}: medians of ${lineReps} alternating repetitions`);

// History: each operation at every N, N alternating within the operation, repetition after repetition.
for (let r = 1; r <= reps; r++) for (const job of history) await runOnce(job, `rep ${r}/${reps}`);

// Query and export read the lake the last ingest of `queryInput` left, alternating with each other.
const after: Job[] = [];
if (queryInput && keptLake) {
  after.push(
    queryJob(queryInput, () => keptLake),
    exportJob(queryInput, () => keptLake),
  );
  for (let r = 1; r <= reps; r++) for (const job of after) await runOnce(job, `rep ${r}/${reps}`);
} else if (queryInput && (selected(`query:${queryInput.name}`) || selected(`export:${queryInput.name}`)))
  notes.push("query and export not measured: no successful ingest left a lake to read");
if (keptLake) await fs.rm(keptLake, { recursive: true, force: true });

// Feature store: a training set of 1M entity rows (--entity-rows) over three views, against the same
// ASOF joins written directly in DuckDB, on a lake of its own (flights at the smallest size).
const entityRows = opts["entity-rows"] ? parseSize(opts["entity-rows"]) : 1_000_000;
const entityFile = `entities-${entityRows}.csv`;
const featureFlights =
  sizes.length > 0 &&
  !historyOnly &&
  (selected(`features-history:${entityFile}`) || selected(`features-asof-duckdb:${entityFile}`))
    ? find(sizes[0]!, "csv")
    : undefined;
const features = featureFlights
  ? await featureBench({ dir: path.join(root, ".bench"), flights: featureFlights, entityRows, log }).catch(
      (err: Error) => {
        notes.push(`feature store not measured: ${err.message.split("\n")[0]}`);
        return undefined;
      },
    )
  : undefined;
if (features) {
  after.push(...features.jobs);
  for (let r = 1; r <= reps; r++) for (const job of features.jobs) await runOnce(job, `rep ${r}/${reps}`);
  await features.cleanup();
}

const md5 = digests.get(`md5sum:${largest?.name}`);
const ours = digests.get(`hash:${largest?.name}`);
if (md5 && ours && md5 !== ours)
  failed.set(`hash:${largest?.name}`, `digest ${ours} differs from md5sum's ${md5}`);
for (const [id, message] of failed) notes.push(`FAILED ${id}: ${message.split("\n")[0]}`);

if (!historyOnly && !only) log("cold start: bundling functions/ingest.ts with esbuild");
const coldStart =
  historyOnly || only
    ? []
    : await measureColdStart(path.join(root, ".bench", "coldstart"), COLD_START_RUNS, log).catch(
        (err: Error) => {
          notes.push(`cold start not measured: ${err.message}`);
          return [];
        },
      );

const rows = summarise([...jobs, ...history, ...after], samples).filter((r) => !failed.has(r.id));
const report: BenchReport = {
  machine: {
    ...startedAt,
    loadAverage: { start: startedAt.loadAverage.start, end: os.loadavg().map((l) => Number(l.toFixed(2))) },
  },
  method: measureMethod,
  repetitions: reps,
  rows,
  targets: [
    ...evaluateTargets(rows, RSS_LIMIT_MB, INGEST_RATIO, HASH_RATIO),
    ...widthTargets(
      rows,
      jobs
        .filter((j) => j.id.startsWith("ingest:") && j.input.columns !== undefined && selected(j.id))
        .map((j) => j.id),
      failed,
    ),
    ...historyTargets(rows, historyLakes),
  ],
  coldStart,
  notes: [
    ...notes,
    ...(historyLakes.length > 0
      ? [
          `history rows: ratio and cpu × are over the same operation at ${historyLakes[0]!.runs} runs (same rows); the history lakes are built once into .bench/history/`,
        ]
      : []),
    `node ${process.version} here; the Lambda runtime is node22 (bundle target node22)`,
    `total bench time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ],
};
process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
process.exitCode = failed.size > 0 ? 1 : 0;
