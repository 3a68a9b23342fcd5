/** The history bench's jobs on a lake: a writing operation runs on a copy put at the lake's own path. */
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { COMPACTED_PREFIX, compactionRecordPrefix } from "../../src/contract/keys.js";
import { expectRows, type Job, LAKELINE } from "./contenders.js";
import type { BenchInput } from "./inputs.js";

export interface HistoryLake {
  readonly runs: number;
  readonly lake: string;
  /** The file ingested on top (the same rows at every N). */
  readonly extra: BenchInput;
  /** The table the lake holds. */
  readonly table: BenchInput;
  /** Raw key of the first upload: the lineage query's root. */
  readonly firstRaw: string;
}

/**
 * The lake for an operation that writes to it, so every repetition sees the same history: a copy
 * at the lake's own path (the original is set aside meanwhile and put back after). Lineage names a
 * local artifact by its absolute path, so a copy elsewhere would make an export record every input
 * file as a new artifact, which no lake that stays where it was ingested ever does.
 */
async function inPlaceCopy(lake: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const kept = `${lake}.kept`;
  await restoreKept(lake);
  await fs.rename(lake, kept);
  await fs.cp(kept, lake, { recursive: true });
  return { dir: lake, cleanup: () => restoreKept(lake) };
}

/** The lake as built, back in place (also after a bench that died while an operation ran). */
export async function restoreKept(lake: string): Promise<void> {
  const kept = `${lake}.kept`;
  if (!existsSync(kept)) return;
  await fs.rm(lake, { recursive: true, force: true });
  await fs.rename(kept, lake);
}

export function job(args: {
  op: string;
  operation: string;
  h: HistoryLake;
  base: HistoryLake;
  input: BenchInput;
  writes: boolean;
  /** Run on the writable copy before the operation (not timed). */
  before?: (lake: string) => Promise<void>;
  argv: (lake: string) => string[];
  check: (out: string, code: number) => void;
}): Job {
  return {
    id: `history-${args.op}:${args.h.runs}`,
    operation: args.operation,
    input: args.input,
    baseline: `history-${args.op}:${args.base.runs}`,
    memoryBound: args.op === "export",
    async prepare() {
      const copy = args.writes ? await inPlaceCopy(args.h.lake) : undefined;
      const lake = copy?.dir ?? args.h.lake;
      await args.before?.(lake);
      return {
        command: { cmd: process.execPath, args: [...LAKELINE, ...args.argv(lake)], check: args.check },
        cleanup: copy?.cleanup ?? (async () => {}),
      };
    },
  };
}

/**
 * The work compaction adds: every run of the lake compacted at once, on a copy from which the
 * compacted files and their records are removed (the lake as ingested with LAKELINE_COMPACT=off).
 */
export function compactJob(h: HistoryLake, base: HistoryLake): Job {
  return job({
    op: "compact",
    operation: "history: compact every run (lakeline compact)",
    h,
    base,
    input: h.table,
    writes: true,
    before: async (lake) => {
      const warehouse = path.join(lake, "warehouse");
      await fs.rm(path.join(warehouse, COMPACTED_PREFIX), { recursive: true, force: true });
      await fs.rm(path.join(warehouse, compactionRecordPrefix("flights")), { recursive: true, force: true });
    },
    argv: (lake) => ["compact", "flights", "--lake", lake, "--json"],
    check: (out, code) => {
      const r = JSON.parse(out) as { datasets: { files: { level: number; runs: number; rows: number }[] }[] };
      const first = (r.datasets[0]?.files ?? []).filter((f) => f.level === 1);
      if (code !== 0 || first.reduce((n, f) => n + f.runs, 0) !== h.runs)
        throw new Error(`bench: history compact: ${out.slice(0, 300)}`);
      expectRows(
        "history compact",
        h.table.rows,
        first.reduce((n, f) => n + f.rows, 0),
      );
    },
  });
}
