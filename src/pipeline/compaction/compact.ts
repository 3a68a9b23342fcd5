/**
 * Compaction of a dataset's committed warehouse files (core/warehouse/compaction.ts): plan from the
 * run index and the compaction records, write each new file create-only, check that it holds every
 * run's committed rows, then write its record (the commit point). Nothing is changed or removed:
 * a crash leaves at most a file no record names, which no reader reads.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import {
  compactedFileKey,
  compactionRecordKey,
  compactTimestamp,
  ingestDateOfKey,
} from "../../contract/keys.js";
import type { IngestResult } from "../../contract/records.js";
import { CompactionError } from "../../core/errors.js";
import {
  type CompactionPlan,
  type CompactionRecord,
  planCompactions,
  type RunFile,
  rowMismatches,
} from "../../core/warehouse/compaction.js";
import type { Clock } from "../../ports/clock.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { MergeSource, ParquetMerger } from "../../ports/parquet-merger.js";
import type { Scratch } from "../../ports/scratch.js";
import { md5File } from "../shared/hash-files.js";
import { readMarkers } from "../shared/markers.js";
import { readCompactionRecords } from "./records.js";

export interface CompactionDeps {
  readonly warehouse: ObjectStore;
  readonly merger: ParquetMerger;
  readonly clock: Clock;
  readonly scratch: Scratch;
  /** Called before and after each file (lineage records the compaction as an execution). */
  readonly onCompaction?: CompactionObserver;
}

/** Sees each compacted file start, then complete (its record written) or fail. */
export interface CompactionObserver {
  start(plan: CompactionPlan, runId: string, at: Date): Promise<CompactionWatch>;
}

export interface CompactionWatch {
  complete(record: CompactionRecord, at: Date): Promise<void>;
  fail(error: Error, at: Date): Promise<void>;
}

/** One compacted file written (or, on a dry run, to be written). */
export interface CompactedFile {
  readonly key?: string;
  readonly level: number;
  readonly ingestDate: string;
  readonly schemaVersion: number;
  readonly runs: number;
  readonly rows: number;
  readonly inputs: number;
}

export interface CompactionOutcome {
  readonly dataset: string;
  readonly dryRun: boolean;
  readonly files: CompactedFile[];
  /** Records set aside (file missing or of another size): their runs are read from their own files. */
  readonly invalid: { readonly key: string; readonly reason: string }[];
}

/** Merges of merges follow at most this many rounds after the level-1 files (8^6 runs). */
const MAX_ROUNDS = 6;

/** Committed runs that landed rows: the files compaction may copy. */
export function runFilesOf(runs: readonly IngestResult[]): RunFile[] {
  return runs.flatMap((r) => {
    const key = r.outputs.warehouse;
    const date = key ? ingestDateOfKey(key) : undefined;
    if (r.status !== "ok" || !key || !date) return [];
    return [
      {
        runId: r.runId,
        key,
        schemaVersion: r.schemaVersion,
        rows: r.rowsWritten,
        ingestDate: date,
        ...(r.outputs.warehouseBytes !== undefined ? { bytes: r.outputs.warehouseBytes } : {}),
        ...(r.outputs.warehouseMd5 !== undefined ? { md5: r.outputs.warehouseMd5 } : {}),
      },
    ];
  });
}

function summary(plan: CompactionPlan, key?: string): CompactedFile {
  return {
    ...(key ? { key } : {}),
    level: plan.level,
    ingestDate: plan.ingestDate,
    schemaVersion: plan.schemaVersion,
    runs: plan.runs.length,
    rows: plan.runs.reduce((a, r) => a + r.rows, 0),
    inputs: plan.level === 1 ? plan.runFiles.length : plan.merged.length,
  };
}

/** Compacts what is due in `dataset`, round after round (a level-1 file may complete a merge). */
export async function compactDataset(
  deps: CompactionDeps,
  dataset: string,
  options: { readonly dryRun?: boolean } = {},
): Promise<CompactionOutcome> {
  const runs = runFilesOf(await readMarkers(deps.warehouse, dataset, undefined, { heal: true }));
  const files: CompactedFile[] = [];
  let invalid: CompactionOutcome["invalid"] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const records = await readCompactionRecords(deps.warehouse, dataset);
    invalid = records.invalid;
    const plans = planCompactions(dataset, runs, records.valid);
    if (plans.length === 0) break;
    if (options.dryRun) {
      files.push(...plans.map((p) => summary(p)));
      break;
    }
    for (const plan of plans) files.push(summary(plan, (await writeCompaction(deps, plan)).key));
  }
  return { dataset, dryRun: Boolean(options.dryRun), files, invalid };
}

function localFile(store: ObjectStore, key: string): string {
  const file = store.localPath?.(key);
  if (!file)
    throw new CompactionError(
      `compaction reads the warehouse's files in place; the store ${store.namespace} has no local files`,
      { key },
    );
  return file;
}

function sourcesOf(store: ObjectStore, plan: CompactionPlan): { sources: MergeSource[]; inputs: string[] } {
  if (plan.level === 1)
    return {
      sources: plan.runFiles.map((f) => ({ path: localFile(store, f.key) })),
      inputs: plan.runFiles.map((f) => f.key),
    };
  return {
    sources: plan.merged.map((c) => ({
      path: localFile(store, c.record.key),
      ...(c.filter ? { filter: c.filter } : {}),
    })),
    inputs: plan.merged.map((c) => c.record.key),
  };
}

/** Writes one compacted file and then its record; the record is written only if every run's rows are in the file. */
export async function writeCompaction(deps: CompactionDeps, plan: CompactionPlan): Promise<CompactionRecord> {
  const at = deps.clock.now();
  const runId = randomUUID();
  const id = `${compactTimestamp(at)}-L${plan.level}-${runId}`;
  const key = compactedFileKey(plan.dataset, plan.ingestDate, id);
  const { sources, inputs } = sourcesOf(deps.warehouse, plan);
  const watch = await deps.onCompaction?.start(plan, runId, at);
  const dir = await deps.scratch.create("lakeline-compact-");
  try {
    const out = path.join(dir, "compacted.parquet");
    const problems = rowMismatches(plan.runs, await deps.merger.merge(sources, out));
    if (problems.length > 0)
      throw new CompactionError(
        `compaction of ${plan.dataset} ingest_date=${plan.ingestDate}: the written file does not hold what its runs committed (${problems.length} runs; ${problems.slice(0, 3).join("; ")}); nothing recorded`,
        { dataset: plan.dataset, problems },
      );
    const digest = await md5File(out);
    await deps.warehouse.putFile(key, out, { ifNoneMatch: true, handOver: true });
    const record: CompactionRecord = {
      dataset: plan.dataset,
      id,
      level: plan.level,
      ingestDate: plan.ingestDate,
      schemaVersion: plan.schemaVersion,
      key,
      md5: digest.md5,
      size: digest.size,
      rows: plan.runs.reduce((a, r) => a + r.rows, 0),
      runs: plan.runs,
      inputs,
      merges: plan.merged.map((c) => c.record.id),
      createdAt: at.toISOString(),
    };
    await deps.warehouse.put(compactionRecordKey(plan.dataset, id), `${JSON.stringify(record)}\n`, {
      ifNoneMatch: true,
      contentType: "application/json",
    });
    await watch?.complete(record, deps.clock.now());
    return record;
  } catch (err) {
    await watch?.fail(err instanceof Error ? err : new Error(String(err)), deps.clock.now());
    throw err;
  } finally {
    await deps.scratch.dispose(dir);
  }
}
