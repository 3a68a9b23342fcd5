/**
 * The run index through the ObjectStore port: readers open a few index objects instead of every
 * commit marker, and never lose a committed run — a marker whose entry was never written, a segment
 * cut short by a crash, appends and compactions racing each other.
 */
import { describe, expect, it } from "vitest";
import {
  markerKey,
  runIndexAppendKey,
  runIndexCompactKey,
  runIndexCompactPrefix,
} from "../../../src/contract/keys.js";
import { type IngestResult, renderCommitMarker } from "../../../src/contract/records.js";
import {
  appendToRunIndex,
  COMPACT_AFTER,
  DELTAS_PER_FULL,
  readRunIndex,
} from "../../../src/pipeline/shared/run-index.js";
import { MemoryStore } from "../../support/memory-store.js";

const DATASET = "penguins";

function result(n: number): IngestResult {
  const runId = `run-${String(n).padStart(4, "0")}`;
  return {
    dataset: DATASET,
    environment: "TRAINING",
    schemaVersion: 1,
    rawKey: `${DATASET}/f${n}.csv`,
    rawBucket: "raw",
    sourceMd5: `md5-${n}`,
    sourceBytes: 10,
    format: "csv",
    rowsRead: n,
    rowsWritten: n,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: { warehouse: `${DATASET}/ingest_date=2026-01-01/${runId}.parquet` },
    runId,
    status: "ok",
    ingestedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    sample: [{ row: 1, reasons: ["x"] }],
  };
}

/** What runStep's commit does: the marker, then the run's index entry. */
async function commit(store: MemoryStore, r: IngestResult, withEntry = true): Promise<void> {
  await store.put(markerKey(DATASET, r.runId), renderCommitMarker(r), { ifNoneMatch: true });
  if (withEntry) await appendToRunIndex(store, r);
}

/** Counts the objects read, to show what a reader opens. */
class CountingStore extends MemoryStore {
  gets: string[] = [];
  override async get(key: string): Promise<Uint8Array> {
    this.gets.push(key);
    return super.get(key);
  }
}

const ids = (runs: readonly IngestResult[]) => runs.map((r) => r.runId);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("the run index", () => {
  it("returns every committed run, and after compaction reads one segment instead of every marker", async () => {
    // Prepare
    const store = new CountingStore();
    for (const n of range(0, 40)) await commit(store, result(n));

    // Act
    const first = await readRunIndex(store, DATASET, { heal: true });
    store.gets = [];
    const second = await readRunIndex(store, DATASET);

    // Assess
    expect(ids(first.runs)).toEqual(range(0, 40).map((n) => result(n).runId));
    expect(first).toMatchObject({ unindexed: 40, healed: 0, compacted: 1 });
    expect(second.runs).toEqual(first.runs);
    expect(second.unindexed).toBe(0);
    expect(store.gets).toEqual([runIndexCompactKey(DATASET, 1)]);
    expect(second.runs[3]).toEqual((({ sample: _s, ...rest }) => rest)(result(3)));
  });

  it("finds a committed run whose index entry was never written, and heals the index", async () => {
    // Prepare: the process died between the marker and its entry.
    const store = new MemoryStore();
    for (const n of range(0, 3)) await commit(store, result(n));
    await commit(store, result(3), false);

    // Act
    const read = await readRunIndex(store, DATASET, { heal: true });

    // Assess
    expect(ids(read.runs)).toEqual(ids([0, 1, 2, 3].map(result)));
    expect(read.healed).toBe(1);
    expect(await store.head(runIndexAppendKey(DATASET, result(3).runId))).toBeDefined();
  });

  it("ignores a segment cut short by a crash, loses no run, and writes past it", async () => {
    // Prepare: a full segment, then a newer one that a crash left torn.
    const store = new MemoryStore();
    for (const n of range(0, COMPACT_AFTER)) await commit(store, result(n));
    await readRunIndex(store, DATASET, { heal: true });
    for (const n of range(COMPACT_AFTER, 2 * COMPACT_AFTER)) await commit(store, result(n));
    const torn = `{"runIndex":1,"dataset":"${DATASET}","generation":2,"kind":"delta","entries":${COMPACT_AFTER}}\n{"runId":"run-00`;
    await store.put(runIndexCompactKey(DATASET, 2), torn);

    // Act
    const read = await readRunIndex(store, DATASET, { heal: true });
    const again = await readRunIndex(store, DATASET);

    // Assess
    expect(ids(read.runs)).toEqual(ids(range(0, 2 * COMPACT_AFTER).map(result)));
    expect(read).toMatchObject({ unindexed: COMPACT_AFTER, compacted: 3 });
    expect(ids(again.runs)).toEqual(ids(read.runs));
    expect(again.unindexed).toBe(0);
  });

  it("never returns a run without a commit marker", async () => {
    const store = new MemoryStore();
    await commit(store, result(0));
    await appendToRunIndex(store, result(1));

    const read = await readRunIndex(store, DATASET, { heal: true });

    expect(ids(read.runs)).toEqual([result(0).runId]);
  });

  it("keeps every run when commits and compacting readers race", async () => {
    // Prepare / Act: 120 commits, one in three without its entry, with readers healing in between.
    const store = new MemoryStore();
    const work: Promise<unknown>[] = [];
    for (const n of range(0, 120)) {
      work.push(commit(store, result(n), n % 3 !== 0));
      if (n % 10 === 0)
        work.push(readRunIndex(store, DATASET, { heal: true }), readRunIndex(store, DATASET, { heal: true }));
    }
    await Promise.all(work);
    const read = await readRunIndex(store, DATASET, { heal: true });
    const settled = await readRunIndex(store, DATASET);

    // Assess
    expect(ids(read.runs)).toEqual(ids(range(0, 120).map(result)));
    expect(ids(settled.runs)).toEqual(ids(read.runs));
    expect(settled.unindexed).toBeLessThan(COMPACT_AFTER);
  });

  it("writes deltas after a full segment, then a full one again", async () => {
    // Prepare
    const store = new CountingStore();
    let n = 0;
    const batch = async () => {
      for (const i of range(n, n + COMPACT_AFTER)) await commit(store, result(i));
      n += COMPACT_AFTER;
      return readRunIndex(store, DATASET, { heal: true });
    };

    // Act
    for (let i = 0; i < DELTAS_PER_FULL + 3; i++) await batch();
    const segments: string[] = [];
    for await (const o of store.list(runIndexCompactPrefix(DATASET))) segments.push(o.key);
    const kinds = await Promise.all(
      segments.map(
        async (k) =>
          JSON.parse(
            Buffer.from(await store.get(k))
              .toString()
              .split("\n")[0]!,
          ).kind,
      ),
    );
    store.gets = [];
    const read = await readRunIndex(store, DATASET);

    // Assess
    expect(kinds).toEqual(["full", ...Array(DELTAS_PER_FULL).fill("delta"), "full", "delta"]);
    expect(ids(read.runs)).toEqual(ids(range(0, n).map(result)));
    expect(store.gets).toEqual([
      runIndexCompactKey(DATASET, DELTAS_PER_FULL + 3),
      runIndexCompactKey(DATASET, DELTAS_PER_FULL + 2),
    ]);
  });
});
