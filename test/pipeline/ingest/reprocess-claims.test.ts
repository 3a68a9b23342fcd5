/**
 * Keys that name the run, content claims by outcome and the latest-processing rule of exports,
 * over an in-memory store.
 */
import { describe, expect, it } from "vitest";
import { markerKey, runKeys } from "../../../src/contract/keys.js";
import type { IngestResult } from "../../../src/contract/records.js";
import { committedSourceRuns } from "../../../src/pipeline/export/driver.js";
import { claimContent, committedTwin } from "../../../src/pipeline/ingest/claim.js";
import type { RunContext } from "../../../src/pipeline/ingest/context.js";
import { MemoryStore } from "../../support/memory-store.js";

const AT = new Date("2024-05-01T10:00:00.000Z");
const MD5 = "0123456789abcdef0123456789abcdef";

function marker(runId: string, over: Partial<IngestResult> = {}): IngestResult {
  return {
    dataset: "cars",
    environment: "TRAINING",
    schemaVersion: 1,
    rawKey: `cars/training/${runId}.json`,
    rawBucket: "raw",
    sourceMd5: MD5,
    sourceBytes: 10,
    format: "jsonl",
    rowsRead: 3,
    rowsWritten: 3,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: { warehouse: `cars/ingest_date=2024-05-01/x-${runId}.parquet` },
    runId,
    status: "ok",
    ingestedAt: AT.toISOString(),
    ...over,
  };
}

function context(warehouse: MemoryStore, runId: string, rawKey = `cars/training/${runId}.json`): RunContext {
  return {
    deps: { stores: { warehouse } },
    ref: { key: rawKey },
    keys: runKeys("cars", "TRAINING", AT, MD5, runId),
    local: "",
    md5: MD5,
    scratch: "",
    common: { ...marker(runId), rawKey },
  } as unknown as RunContext;
}

async function commit(store: MemoryStore, m: IngestResult): Promise<void> {
  await store.put(markerKey(m.dataset, m.runId), JSON.stringify(m));
}

describe("run keys", () => {
  it("are the same for one run and differ between two processings of one blob", () => {
    // Act
    const first = runKeys("cars", "TRAINING", AT, MD5, "run-a");
    const redelivered = runKeys("cars", "TRAINING", AT, MD5, "run-a");
    const reprocessed = runKeys("cars", "TRAINING", AT, MD5, "run-b");
    // Assess
    expect(redelivered).toEqual(first);
    expect(first.warehouse).toBe("cars/ingest_date=2024-05-01/20240501T100000000Z-run-a.parquet");
    for (const zone of ["warehouse", "quarantine", "rejectedDir", "marker", "reportDir"] as const)
      expect(reprocessed[zone]).not.toBe(first[zone]);
    expect(reprocessed.content).toBe(first.content);
  });
});

describe("content claims by outcome", () => {
  it("makes an upload of bytes another run committed rows from a duplicate of that upload", async () => {
    // Prepare
    const store = new MemoryStore();
    await claimContent(context(store, "first"));
    await commit(store, marker("first"));
    // Act
    const twin = await committedTwin(context(store, "second"));
    // Assess
    expect(twin).toMatchObject({
      status: "duplicate",
      duplicateOf: "cars/training/first.json",
      rowsWritten: 0,
    });
    expect(twin?.reason).toContain("lakeline reprocess cars --key cars/training/first.json");
  });

  it("lets a claim whose run committed no rows (rejected, all quarantined, never committed) block nothing", async () => {
    for (const owner of [
      marker("r", { status: "rejected", rowsWritten: 0, rowsQuarantined: 3, outputs: {} }),
      marker("q", { rowsWritten: 0, rowsQuarantined: 3, outputs: {} }),
      undefined,
    ]) {
      // Prepare: a claim left behind by the owner (as older versions claimed before running)
      const store = new MemoryStore();
      const ownerId = owner?.runId ?? "died";
      await store.put(
        runKeys("cars", "TRAINING", AT, MD5, ownerId).content,
        JSON.stringify({ runId: ownerId, rawKey: "cars/training/old.json", md5: MD5 }),
      );
      if (owner) await commit(store, owner);
      // Act
      const twin = await committedTwin(context(store, "later"));
      await claimContent(context(store, "later"));
      // Assess: not a duplicate, and the run that wrote rows now holds the claim
      expect(twin).toBeUndefined();
      const claim = JSON.parse(Buffer.from(await store.get(context(store, "later").keys.content)).toString());
      expect(claim.runId).toBe("later");
    }
  });

  it("keeps the claim of a committed run when a re-processing writes rows from the same bytes", async () => {
    // Prepare
    const store = new MemoryStore();
    await claimContent(context(store, "first"));
    await commit(store, marker("first"));
    // Act
    await claimContent(context(store, "reprocessed", "cars/training/first.json"));
    // Assess
    const claim = JSON.parse(Buffer.from(await store.get(context(store, "x").keys.content)).toString());
    expect(claim.runId).toBe("first");
  });
});

describe("the runs an export reads", () => {
  it("are each source blob's latest landed processing at or before the as-of time", async () => {
    // Prepare
    const store = new MemoryStore();
    const at = (h: number) => `2024-05-01T${String(h).padStart(2, "0")}:00:00.000Z`;
    await commit(store, marker("v1", { ingestedAt: at(8) }));
    await commit(store, marker("v2", { ingestedAt: at(9), schemaVersion: 2 }));
    await commit(store, marker("v3-rejected", { ingestedAt: at(10), status: "rejected", outputs: {} }));
    await commit(store, marker("later", { ingestedAt: at(12), schemaVersion: 3 }));
    await commit(store, marker("other", { ingestedAt: at(8), sourceMd5: "f".repeat(32) }));
    await commit(store, marker("serving", { ingestedAt: at(9), environment: "SERVING" }));
    // Act
    const now = await committedSourceRuns(store, "cars", "TRAINING", new Date(at(11)));
    const before = await committedSourceRuns(store, "cars", "TRAINING", new Date(at(8)));
    // Assess
    expect(now.map((r) => r.runId).sort()).toEqual(["other", "v2"]);
    expect(before.map((r) => r.runId).sort()).toEqual(["other", "v1"]);
  });
});
