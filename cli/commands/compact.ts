/**
 * `lakeline compact [dataset]`: copy the rows of committed runs' small warehouse files into fewer,
 * larger files, so reads open a few files instead of one per run. `lakeline ingest`, `reprocess`
 * and `replay` do the same after their runs commit (unless LAKELINE_COMPACT=off); this command is
 * for a lake built without it, or to see what is due (`--dry-run`).
 */
import type { Command } from "commander";
import { ENV, type LocalConfig, localConfig } from "../../src/contract/env.js";
import { assertDatasetName } from "../../src/contract/raw-key.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { UsageError } from "../../src/core/errors.js";
import { grouped as count } from "../../src/core/report/format.js";
import {
  COMPACT_MIN_FILES,
  LARGE_FILE_BYTES,
  LARGE_FILE_ROWS,
  MERGE_FAN_IN,
} from "../../src/core/warehouse/compaction.js";
import { type CompactionOutcome, compactDataset } from "../../src/pipeline/compaction/compact.js";
import { committedDatasets, localCompactionDeps } from "../deps/compact.js";
import { toJson } from "../output.js";

interface CompactOpts {
  lake?: string;
  schemas?: string;
  json?: boolean;
  dryRun?: boolean;
}

/** What one dataset's compaction did, in a line or two per dataset. */
export function describeCompaction(o: CompactionOutcome): string {
  const lines: string[] = [];
  for (const i of o.invalid)
    lines.push(
      `  warning: compaction record ${i.key} set aside (${i.reason}); its runs are read from their own files`,
    );
  if (o.files.length === 0) return [`${o.dataset}: nothing to compact`, ...lines].join("\n");
  const firsts = o.files.filter((f) => f.level === 1);
  const merges = o.files.filter((f) => f.level > 1);
  const dates = [...new Set(o.files.map((f) => `ingest_date=${f.ingestDate}`))].join(", ");
  const verb = o.dryRun ? "would compact" : "compacted";
  const runs = firsts.reduce((a, f) => a + f.runs, 0);
  const rows = firsts.reduce((a, f) => a + f.rows, 0);
  if (firsts.length > 0)
    lines.unshift(
      `${verb} ${count(runs)} runs of ${o.dataset} into ${firsts.length} file${firsts.length === 1 ? "" : "s"} (${dates}), ${count(rows)} rows`,
    );
  if (merges.length > 0)
    lines.push(
      `${o.dryRun ? "would merge" : "merged"} ${merges.reduce((a, f) => a + f.inputs, 0)} compacted files of ${o.dataset} into ${merges.length} (${count(merges.reduce((a, f) => a + f.runs, 0))} runs)`,
    );
  return lines.join("\n");
}

export async function compactLake(
  dataset: string | undefined,
  opts: CompactOpts,
): Promise<CompactionOutcome[]> {
  if (dataset !== undefined) assertDatasetName(dataset);
  const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
  const deps = localCompactionDeps(config);
  const committed = await committedDatasets(config);
  if (dataset !== undefined)
    assertKnownDataset(config, {
      command: "compact",
      dataset,
      hasRuns: committed.includes(dataset),
      runs: "committed runs",
      known: ` (datasets with committed runs: ${committed.join(", ") || "none"})`,
    });
  const datasets = dataset !== undefined ? [dataset] : committed;
  const outcomes: CompactionOutcome[] = [];
  for (const d of datasets) outcomes.push(await compactDataset(deps, d, { dryRun: opts.dryRun ?? false }));
  return outcomes;
}

export function register(program: Command): void {
  program
    .command("compact")
    .description(
      "copy committed runs' small warehouse files into fewer, larger files (the run files stay); reads use them",
    )
    .argument("[dataset]", "only this dataset (default: every dataset with committed runs)")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--dry-run", "say what is due; write nothing")
    .option("--json", "print one JSON object: { dryRun, datasets: [{ dataset, files, invalid }] }")
    .addHelpText(
      "after",
      `\nA (dataset, ingest_date, schema version) is compacted once ${COMPACT_MIN_FILES} or more of its committed runs' files are in no
compacted file; ${MERGE_FAN_IN} compacted files of one level are merged into one of the next. Files of ${count(LARGE_FILE_ROWS)} rows or ${LARGE_FILE_BYTES / 2 ** 20} MB
are left alone. A compacted file counts once its record is written (the commit point); each run is then read
from exactly one place. \`lakeline ingest\`, \`reprocess\` and \`replay\` compact after their runs commit unless
${ENV.compact}=off.

Exit status: 0 compacted, or nothing due; 1 a compaction failed (nothing recorded: its runs stay read from
their own files); 64 usage error (e.g. a bad dataset name); 70 internal error.
Examples:\n  lakeline compact --dry-run\n  lakeline compact flights --json`,
    )
    .action(async (dataset: string | undefined, opts: CompactOpts) => {
      const outcomes = await compactLake(dataset, opts);
      if (opts.json)
        process.stdout.write(`${toJson({ dryRun: opts.dryRun ?? false, datasets: outcomes })}\n`);
      else if (outcomes.length === 0) process.stdout.write("no committed runs: nothing to compact\n");
      else for (const o of outcomes) process.stdout.write(`${describeCompaction(o)}\n`);
    });
}

/**
 * A dataset named to `command` that has neither `runs` (the kind it works on) nor a schema is a typo,
 * not a dataset with nothing to do: a usage error naming where it looked (and `known`, if given).
 */
export function assertKnownDataset(
  config: Pick<LocalConfig, "lakeDir" | "schemasDir">,
  args: { command: string; dataset: string; hasRuns: boolean; runs: string; known?: string },
): void {
  if (args.hasRuns || new SchemaRegistry(config.schemasDir).datasets().includes(args.dataset)) return;
  throw new UsageError(
    `${args.command}: no dataset ${args.dataset}: no ${args.runs} in ${config.lakeDir} and no schema in ${config.schemasDir}${args.known ?? ""}`,
    { dataset: args.dataset },
  );
}

/** Whether a command's outcomes include a run committed now (not by an earlier invocation). */
export function committedNew(outcomes: readonly { status: string; alreadyCommitted?: unknown }[]): boolean {
  return outcomes.some((o) => o.status === "ok" && !o.alreadyCommitted);
}

/**
 * After a command committed new runs of a dataset (`ingest`, `reprocess`, `replay`; once per command,
 * not per file): compaction of what is due, said on stdout, or on stderr under --json so stdout stays
 * the command's own JSON. A failure leaves the runs committed and readable from their own files, so
 * it is a warning, not the command's error; `lakeline compact` retries.
 */
export async function compactAfterCommit(
  dataset: string,
  opts: Pick<CompactOpts, "lake" | "schemas" | "json">,
  committedNew: boolean,
): Promise<CompactionOutcome | undefined> {
  const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
  if (!committedNew || config.autoCompact === false) return undefined;
  try {
    const outcome = await compactDataset(localCompactionDeps(config), dataset);
    if (outcome.files.length > 0 || outcome.invalid.length > 0)
      (opts.json ? process.stderr : process.stdout).write(`${describeCompaction(outcome)}\n`);
    return outcome;
  } catch (err) {
    process.stderr.write(
      `lakeline: warning: compaction of ${dataset} failed: ${(err as Error).message} (the runs are committed and read from their own files; \`lakeline compact\` retries)\n`,
    );
    return undefined;
  }
}
