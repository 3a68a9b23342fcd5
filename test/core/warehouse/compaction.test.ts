import { describe, expect, it } from "vitest";
import {
  COMPACT_MIN_FILES,
  type CompactionRecord,
  LARGE_FILE_ROWS,
  liveRecords,
  MERGE_FAN_IN,
  placeRuns,
  planCompactions,
  type RunFile,
  rowMismatches,
} from "../../../src/core/warehouse/compaction.js";

const id = (n: number) => `run-${String(n).padStart(4, "0")}`;

function runFile(n: number, over: Partial<RunFile> = {}): RunFile {
  return {
    runId: id(n),
    key: `flights/ingest_date=2026-11-30/t-${id(n)}.parquet`,
    schemaVersion: 1,
    rows: 100,
    ingestDate: "2026-11-30",
    ...over,
  };
}

function record(
  name: string,
  runs: readonly number[],
  over: Partial<CompactionRecord> = {},
): CompactionRecord {
  return {
    dataset: "flights",
    id: name,
    level: 1,
    ingestDate: "2026-11-30",
    schemaVersion: 1,
    key: `_compacted/flights/ingest_date=2026-11-30/${name}.parquet`,
    md5: "0".repeat(32),
    size: 1000,
    rows: runs.length * 100,
    runs: runs.map((n) => ({ runId: id(n), rows: 100 })),
    inputs: [],
    merges: [],
    createdAt: "2026-11-30T00:00:00.000Z",
    ...over,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const selected = (ns: readonly number[]) =>
  ns.map((n) => ({ runId: id(n), schemaVersion: 1 as number | null }));

describe("placeRuns", () => {
  it("reads every selected run of a compacted file from it, unfiltered, and the rest from their own files", () => {
    // Prepare
    const runs = selected(range(0, 10));

    // Act
    const placed = placeRuns(runs, [record("a", range(0, 8))]);

    // Assess
    expect(placed.compacted).toEqual([{ record: record("a", range(0, 8)), runIds: range(0, 8).map(id) }]);
    expect(placed.own.map((r) => r.runId)).toEqual([id(8), id(9)]);
  });

  it("filters out the runs a compacted file holds that are not selected (superseded, after --as-of)", () => {
    // Act: runs 0..9 compacted; 2 superseded, 3 after as-of
    const placed = placeRuns(selected([0, 1, 4, 5, 6, 7, 8, 9]), [record("a", range(0, 10))]);

    // Assess: the shorter list wins
    expect(placed.compacted[0]!.filter).toEqual({ notIn: [id(2), id(3)] });
    expect(placed.own).toEqual([]);
  });

  it("uses an IN list when fewer runs of the file are read from it than not", () => {
    const placed = placeRuns(selected([1, 2]), [record("a", range(0, 10))]);

    expect(placed.compacted[0]!.filter).toEqual({ in: [id(1), id(2)] });
  });

  it("reads a run held by two racing compactions from one of them only, the larger", () => {
    // Prepare: two overlapping records over 0..39 and 20..49
    const a = record("a", range(0, 40));
    const b = record("b", range(20, 50));

    // Act
    const placed = placeRuns(selected(range(0, 55)), [b, a]);

    // Assess: every run exactly once
    const reads = placed.compacted.flatMap((c) => c.runIds);
    const all = [...reads, ...placed.own.map((r) => r.runId)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(range(0, 55).map(id));
    expect(placed.compacted.map((c) => c.record.id)).toEqual(["a", "b"]);
    expect(placed.compacted[1]!.filter).toEqual({ in: range(40, 50).map(id) });
  });

  it("prefers the merged record over the records it merged, which are then not read at all", () => {
    const merged = record("m", range(0, 16), { level: 2, merges: ["a", "b"] });
    const placed = placeRuns(selected(range(0, 16)), [
      record("a", range(0, 8)),
      merged,
      record("b", range(8, 16)),
    ]);

    expect(placed.compacted).toEqual([{ record: merged, runIds: range(0, 16).map(id) }]);
  });

  it("never reads a run from a compacted file of another schema version", () => {
    const runs = [{ runId: id(0), schemaVersion: 2 }];

    expect(placeRuns(runs, [record("a", [0])])).toEqual({ own: runs, compacted: [] });
  });
});

describe("planCompactions", () => {
  it(`compacts a partition's uncompacted small files once there are ${COMPACT_MIN_FILES}`, () => {
    const below = range(0, COMPACT_MIN_FILES - 1).map((n) => runFile(n));
    const at = range(0, COMPACT_MIN_FILES).map((n) => runFile(n));

    expect(planCompactions("flights", below, [])).toEqual([]);
    const [plan] = planCompactions("flights", at, []);
    expect(plan).toMatchObject({ level: 1, ingestDate: "2026-11-30", schemaVersion: 1 });
    expect(plan!.runFiles.map((f) => f.runId)).toEqual(range(0, COMPACT_MIN_FILES).map(id));
  });

  it("keeps partitions and schema versions apart, and leaves large files and unversioned runs alone", () => {
    const runs = [
      ...range(0, 40).map((n) => runFile(n)),
      ...range(40, 80).map((n) => runFile(n, { schemaVersion: 2 })),
      ...range(80, 100).map((n) => runFile(n, { ingestDate: "2026-12-01" })),
      runFile(100, { rows: LARGE_FILE_ROWS }),
      runFile(101, { schemaVersion: null }),
    ];

    const plans = planCompactions("flights", runs, []);

    expect(plans.map((p) => [p.ingestDate, p.schemaVersion, p.runs.length])).toEqual([
      ["2026-11-30", 1, 40],
      ["2026-11-30", 2, 40],
    ]);
  });

  it("does not compact runs a record already holds", () => {
    const runs = range(0, 40).map((n) => runFile(n));

    expect(planCompactions("flights", runs, [record("a", range(0, 10))])).toEqual([]);
  });

  it(`merges ${MERGE_FAN_IN} live files of a level into one of the next, each run once`, () => {
    // Prepare: 8 level-1 records, two of them overlapping (a race)
    const records = range(0, MERGE_FAN_IN).map((i) => record(`r${i}`, range(i * 32, i * 32 + 32)));
    records[1] = record("r1", range(16, 64));

    // Act
    const plans = planCompactions("flights", [], records);

    // Assess
    expect(plans).toHaveLength(1);
    expect(plans[0]!.level).toBe(2);
    expect(plans[0]!.runs.map((r) => r.runId).sort()).toEqual(range(0, 256).map(id));
    const taken = plans[0]!.merged.flatMap((m) => m.runIds);
    expect(new Set(taken).size).toBe(256);
    expect(taken).toHaveLength(256);
  });

  it("does not merge records a merge already replaced", () => {
    const records = range(0, MERGE_FAN_IN).map((i) => record(`r${i}`, range(i * 32, i * 32 + 32)));
    const merged = record("m", range(0, 256), { level: 2, merges: records.map((r) => r.id) });

    expect(liveRecords([...records, merged])).toEqual([merged]);
    expect(planCompactions("flights", [], [...records, merged])).toEqual([]);
  });
});

describe("rowMismatches", () => {
  it("names every run whose rows in the file differ from what it committed, and strangers", () => {
    const expected = [
      { runId: "a", rows: 10 },
      { runId: "b", rows: 5 },
    ];

    expect(
      rowMismatches(
        expected,
        new Map([
          ["a", 10],
          ["b", 5],
        ]),
      ),
    ).toEqual([]);
    expect(
      rowMismatches(
        expected,
        new Map([
          ["a", 20],
          ["c", 1],
        ]),
      ),
    ).toEqual([
      "run a: 20 rows in the file, 10 committed",
      "run b: 0 rows in the file, 5 committed",
      "run c: 1 rows in the file, not one of its runs",
    ]);
  });
});
