/**
 * `lakeline reprocess <dataset>`: run stored raw objects again under a schema version, each as a new
 * run, through the ingest handler invoked with `{ "reprocess": … }` — the invocation documented for
 * AWS. One line per blob as it commits (a blob that fails too); the totals printed are the sums of
 * the committed results.
 */
import type { Command } from "commander";
import { ENV, localConfig } from "../../src/contract/env.js";
import type { IngestResult } from "../../src/contract/records.js";
import { parseReprocessTarget, type ReprocessTarget } from "../../src/contract/reprocess-request.js";
import { errorMessage } from "../../src/core/errors.js";
import { reprocessKeys } from "../../src/pipeline/ingest/reprocess.js";
import { localMaterializer } from "../deps/features.js";
import { localIngestDeps } from "../deps/ingest.js";
import { localIngestInvoker } from "../deps/upload.js";
import { EXIT_HELP, ingestExitCode } from "../exit-codes.js";
import { toJson } from "../output.js";
import { committedNew, compactAfterCommit } from "./compact.js";
import { describe, type FileOutcome, onlineAfterCommit } from "./ingest.js";

interface ReprocessOpts {
  key?: string;
  run?: string;
  all?: boolean;
  schemaVersion?: string;
  generation?: string;
  lake?: string;
  schemas?: string;
  json?: boolean;
}

function totals(results: readonly FileOutcome[]): string {
  const fresh = results.filter((r) => !r.alreadyCommitted && r.status !== "failed");
  const failed = results.filter((r) => r.status === "failed").length;
  const sum = (f: (r: FileOutcome) => number | undefined) => fresh.reduce((a, r) => a + (f(r) ?? 0), 0);
  const count = (s: IngestResult["status"]) => fresh.filter((r) => r.status === s).length;
  return (
    `${results.length} blob(s): ${fresh.length} re-processed (${count("ok")} ok, ${count("rejected")} rejected), ` +
    `${results.length - fresh.length - failed} already committed${failed ? `, ${failed} failed` : ""}; read ${sum((r) => r.rowsRead)}, ` +
    `written ${sum((r) => r.rowsWritten)}, quarantined ${sum((r) => r.rowsQuarantined)}`
  );
}

async function run(dataset: string, opts: ReprocessOpts): Promise<FileOutcome[]> {
  const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
  const deps = localIngestDeps(config);
  // Each commit's notification goes to the materializer, as in AWS and as after an ingest.
  const materialize = localMaterializer(config);
  const parsed = parseReprocessTarget({ dataset, ...opts });
  // One version and one request time for every blob of this re-processing, resolved up front.
  const target: ReprocessTarget = {
    ...parsed,
    schemaVersion: deps.schemas.load(dataset, parsed.schemaVersion).schema.version,
    requestedAt: deps.clock.now().toISOString(),
  };
  const invoke = localIngestInvoker(deps);
  const results: FileOutcome[] = [];
  const print = (o: FileOutcome) => process.stdout.write(opts.json ? `${toJson(o)}\n` : `${describe(o)}\n`);
  for (const key of await reprocessKeys(deps, target)) {
    const { all: _all, run: _run, ...one } = target;
    // One blob that fails (a storage error, a raw object gone) is reported as ingest reports a
    // file, and the others still run: `--all` must not stop at the first.
    const response = await invoke({ reprocess: { ...one, key } }).catch((err: unknown) => {
      const failed: FileOutcome = { file: key, dataset, status: "failed", error: errorMessage(err) };
      results.push(failed);
      print(failed);
      return undefined;
    });
    for (const r of response?.results ?? []) {
      const out = { file: r.rawKey, ...r, ...(await onlineAfterCommit(materialize, r)) };
      results.push(out);
      print(out);
    }
  }
  return results;
}

export function register(program: Command): void {
  program
    .command("reprocess")
    .description(
      "run stored raw objects (committed, quarantined or rejected) again under a schema version, each as a new run; the dataset then reads each blob's latest processing",
    )
    .argument("<dataset>", "dataset whose raw objects to re-process")
    .option("--key <key>", "one raw key, e.g. cars/training/cars.json")
    .option("--run <runId>", "the raw object a committed run read")
    .option("--all", "every raw object a committed run of the dataset read (landed or rejected)")
    .option("--schema-version <n>", "schema version (default: the latest)")
    .option(
      "--generation <n>",
      "which re-processing under that version (default 1; the same again is a no-op)",
    )
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "one JSON object per blob, one per line")
    .addHelpText(
      "after",
      `\nThe new runs are compacted with the dataset's other small files when enough are due (see
\`lakeline compact --help\`; ${ENV.compact}=off turns it off).\n${EXIT_HELP}Example:\n  lakeline reprocess cars --key cars/training/cars-late.json --schema-version 2\n  lakeline reprocess cars --all`,
    )
    .action(async (dataset: string, opts: ReprocessOpts) => {
      const results = await run(dataset, opts);
      if (!opts.json) process.stdout.write(`${totals(results)}\n`);
      process.exitCode = ingestExitCode(results);
      // A re-processing writes a new run per blob: as many small files as an ingest of them would.
      await compactAfterCommit(dataset, opts, committedNew(results));
    });
}
