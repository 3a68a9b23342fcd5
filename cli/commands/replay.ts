/**
 * `lakeline replay`: re-drive ingest runs that failed (listed in the failed zone) until they
 * commit. Safe to run any number of times: committed runs are skipped, and a replayed run writes
 * to the keys its failed attempt used.
 */
import type { Command } from "commander";
import { ENV, localConfig } from "../../src/contract/env.js";
import { assertDatasetName } from "../../src/contract/raw-key.js";
import { type ReplayItem, type ReplayReport, replayFailed } from "../../src/pipeline/ingest/replay.js";
import { localIngestDeps } from "../deps/ingest.js";
import { toJson } from "../output.js";
import { assertKnownDataset, compactAfterCommit } from "./compact.js";

interface ReplayOpts {
  lake?: string;
  schemas?: string;
  dataset?: string;
  json?: boolean;
  dryRun?: boolean;
}

const MARKS: Record<ReplayItem["outcome"], string> = {
  replayed: "✓",
  committed: "=",
  "would-replay": "→",
  failed: "!",
  unreadable: "?",
};

function describe(report: ReplayReport): string {
  const lines = report.items.map((i) => {
    const what =
      i.outcome === "replayed"
        ? `replayed [${i.status}] written ${i.rowsWritten}`
        : i.outcome === "committed"
          ? `already committed [${i.status ?? "?"}]`
          : i.outcome;
    return `${MARKS[i.outcome]} ${i.dataset} run ${i.runId} ${i.rawKey ?? i.record}: ${what}${i.error ? `: ${i.error}` : ""}`;
  });
  const verb = report.dryRun ? "would replay" : "replayed";
  const n = report.dryRun ? report.items.filter((i) => i.outcome === "would-replay").length : report.replayed;
  lines.push(
    `${report.scanned} failed run record(s): ${n} ${verb}, ${report.skipped} already committed, ${report.failed} failed`,
  );
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("replay")
    .description(
      "re-run failed ingest runs recorded in the failed zone; committed runs are skipped (idempotent)",
    )
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("-d, --dataset <name>", "only this dataset's failed runs")
    .option("--dry-run", "list what would be replayed; write nothing")
    .option("--json", "print the report as one JSON object")
    .addHelpText(
      "after",
      `\nReplayed runs are compacted with the dataset's other small files when enough are due (see
\`lakeline compact --help\`; ${ENV.compact}=off turns it off).\nExit status: 0 nothing left failed, 1 some replay failed again (see its error), 64 usage error (e.g. an unknown dataset).\nExample:\n  lakeline replay --dataset penguins --dry-run`,
    )
    .action(async (opts: ReplayOpts) => {
      if (opts.dataset !== undefined) assertDatasetName(opts.dataset);
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const report = await replayFailed(localIngestDeps(config), {
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
        dryRun: opts.dryRun ?? false,
      });
      if (opts.dataset)
        assertKnownDataset(config, {
          command: "replay",
          dataset: opts.dataset,
          hasRuns: report.scanned > 0,
          runs: "failed runs",
        });
      process.stdout.write(opts.json ? `${toJson(report)}\n` : describe(report));
      process.exitCode = report.failed > 0 ? 1 : 0;
      // Runs replayed after an outage are as many small files as the uploads that failed.
      const replayed = report.items.filter((i) => i.outcome === "replayed" && i.status === "ok");
      for (const dataset of new Set(replayed.map((i) => i.dataset)))
        await compactAfterCommit(dataset, opts, true);
    });
}
