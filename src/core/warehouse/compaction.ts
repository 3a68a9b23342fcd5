/**
 * Compaction of the warehouse: the rows of many committed runs' small files copied into one larger
 * file, so a read opens a few files instead of one per run. Additive: a run's own file is never
 * changed or removed (every reader that names it stays correct); the compacted file counts only
 * once its compaction record exists (the commit point), and readers read each run from exactly
 * one place — a compacted file (filtered on `_run_id` when it also holds runs not assigned to it)
 * or else its own file. Two compactions that raced over the same runs therefore never double a row.
 *
 * Tiered like an LSM tree: small run files of one partition and schema version become a level-1
 * file once there are enough of them; enough files of one level become one of the next level.
 */

/** One run's rows in a compacted file. */
export interface CompactedRun {
  readonly runId: string;
  readonly rows: number;
}

/** The commit point of a compacted file: written create-only after the file, and checked before. */
export interface CompactionRecord {
  readonly dataset: string;
  readonly id: string;
  /** 1 for a file of run files; n + 1 for a merge of level-n files. */
  readonly level: number;
  readonly ingestDate: string;
  /** Every run in the file was validated under this version: one column layout per file. */
  readonly schemaVersion: number;
  /** Warehouse key of the compacted file. */
  readonly key: string;
  readonly md5: string;
  readonly size: number;
  readonly rows: number;
  readonly runs: readonly CompactedRun[];
  /** Warehouse keys of the files read: run files (level 1) or compacted files. */
  readonly inputs: readonly string[];
  /** Ids of the compaction records a merge replaced (read no more, kept as history). */
  readonly merges: readonly string[];
  readonly createdAt: string;
}

/**
 * Small run files of one (partition, schema version) before they are compacted. A read of 32
 * files costs ~10 ms of file opens (~0.3 ms each), within noise of one file; fewer would write a
 * second copy of little data too often, more lets the per-file cost grow before it is paid back.
 */
export const COMPACT_MIN_FILES = 32;
/** Files of one level merged into one of the next: each row is copied at most log8(runs) times. */
export const MERGE_FAN_IN = 8;
/** A file this large already reads at DuckDB's full speed; copying it again buys nothing. */
export const LARGE_FILE_BYTES = 64 * 1024 * 1024;
export const LARGE_FILE_ROWS = 1_000_000;

/** A committed run as compaction sees it (a landed run with a warehouse file). */
export interface RunFile {
  readonly runId: string;
  readonly key: string;
  readonly schemaVersion: number | null;
  readonly rows: number;
  readonly bytes?: number;
  /** The file's md5, as its run recorded it (lineage names the file by it). */
  readonly md5?: string;
  readonly ingestDate: string;
}

/** Which rows of a compacted file a read takes: every row, or a `_run_id` filter. */
export type RunFilter = { readonly in: readonly string[] } | { readonly notIn: readonly string[] };

export interface CompactedRead {
  readonly record: CompactionRecord;
  /** Runs read from this file. */
  readonly runIds: readonly string[];
  /** Absent when every run of the file is read from it. */
  readonly filter?: RunFilter;
}

export interface Placement<R> {
  /** Runs read from their own file. */
  readonly own: R[];
  readonly compacted: CompactedRead[];
}

/** Records preferred first: more runs, then the higher level, then the id (a stable tie-break). */
function preference(a: CompactionRecord, b: CompactionRecord): number {
  return b.runs.length - a.runs.length || b.level - a.level || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Where each selected run is read from: at most one compacted file (of the run's schema version),
 * else its own file. A file holding runs that are not selected or are read elsewhere gets the
 * smaller of an IN list of its assigned runs or a NOT IN list of the others.
 */
export function placeRuns<R extends { readonly runId: string; readonly schemaVersion: number | null }>(
  selected: readonly R[],
  records: readonly CompactionRecord[],
): Placement<R> {
  const byId = new Map(selected.map((r) => [r.runId, r]));
  const taken = new Set<string>();
  const compacted: CompactedRead[] = [];
  for (const record of [...records].sort(preference)) {
    const runIds = record.runs
      .map((r) => r.runId)
      .filter((id) => !taken.has(id) && byId.get(id)?.schemaVersion === record.schemaVersion);
    if (runIds.length === 0) continue;
    for (const id of runIds) taken.add(id);
    const mine = new Set(runIds);
    const others = record.runs.map((r) => r.runId).filter((id) => !mine.has(id));
    if (others.length === 0) compacted.push({ record, runIds });
    else
      compacted.push({
        record,
        runIds,
        filter: others.length <= runIds.length ? { notIn: others } : { in: runIds },
      });
  }
  return { own: selected.filter((r) => !taken.has(r.runId)), compacted };
}

/** One compaction to do: run files into a level-1 file, or compacted files into the next level. */
export interface CompactionPlan {
  readonly dataset: string;
  readonly level: number;
  readonly ingestDate: string;
  readonly schemaVersion: number;
  /** Level 1: the run files. */
  readonly runFiles: readonly RunFile[];
  /** Merges: the compacted files, each read with its filter so no run is taken twice. */
  readonly merged: readonly CompactedRead[];
  /** Every run the new file will hold, with its rows. */
  readonly runs: readonly CompactedRun[];
}

const isLarge = (rows: number, bytes: number | undefined) =>
  rows >= LARGE_FILE_ROWS || (bytes ?? 0) >= LARGE_FILE_BYTES;

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Records no merge replaced: the ones a read and the next merge consider. */
export function liveRecords(records: readonly CompactionRecord[]): CompactionRecord[] {
  const merged = new Set(records.flatMap((r) => r.merges));
  return records.filter((r) => !merged.has(r.id));
}

/**
 * What to compact now: in each (partition, schema version), the small run files no record holds
 * when there are at least COMPACT_MIN_FILES of them, and the live small files of a level when there
 * are at least MERGE_FAN_IN. Runs of every processing are kept (the history views read them).
 */
export function planCompactions(
  dataset: string,
  runs: readonly RunFile[],
  records: readonly CompactionRecord[],
): CompactionPlan[] {
  const plans: CompactionPlan[] = [];
  const covered = new Set(records.flatMap((r) => r.runs.map((x) => x.runId)));
  const small = runs.filter(
    (r) => r.schemaVersion !== null && !covered.has(r.runId) && !isLarge(r.rows, r.bytes),
  );
  for (const group of groupBy(small, (r) => `${r.ingestDate}|${r.schemaVersion}`).values()) {
    if (group.length < COMPACT_MIN_FILES) continue;
    const first = group[0]!;
    plans.push({
      dataset,
      level: 1,
      ingestDate: first.ingestDate,
      schemaVersion: first.schemaVersion!,
      runFiles: [...group].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      merged: [],
      runs: group.map((r) => ({ runId: r.runId, rows: r.rows })),
    });
  }
  const mergeable = liveRecords(records).filter((r) => !isLarge(r.rows, r.size));
  const levels = groupBy(mergeable, (r) => `${r.ingestDate}|${r.schemaVersion}|${r.level}`);
  for (const group of levels.values()) {
    if (group.length < MERGE_FAN_IN) continue;
    const first = group[0]!;
    const rows = new Map(group.flatMap((r) => r.runs.map((x) => [x.runId, x.rows] as const)));
    const selected = [...rows.keys()].map((runId) => ({ runId, schemaVersion: first.schemaVersion }));
    plans.push({
      dataset,
      level: first.level + 1,
      ingestDate: first.ingestDate,
      schemaVersion: first.schemaVersion,
      runFiles: [],
      merged: placeRuns(selected, group).compacted,
      runs: [...rows].map(([runId, n]) => ({ runId, rows: n })),
    });
  }
  return plans;
}

/** The runs whose row count in the written file differs from what their run committed. */
export function rowMismatches(
  expected: readonly CompactedRun[],
  counted: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const want = new Set(expected.map((r) => r.runId));
  for (const r of expected) {
    const n = counted.get(r.runId) ?? 0;
    if (n !== r.rows) problems.push(`run ${r.runId}: ${n} rows in the file, ${r.rows} committed`);
  }
  for (const [runId, n] of counted)
    if (!want.has(runId)) problems.push(`run ${runId}: ${n} rows in the file, not one of its runs`);
  return problems;
}
