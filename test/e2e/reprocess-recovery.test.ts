/**
 * Re-processing where runs did not simply commit: a blob routed and cut into parts, a run that
 * crashed, and the ingest function's `{ "reprocess": … }` request delivered again after a crash.
 * vega-datasets' cars through the CLI, across several runs; the crashes are injected into the
 * stores the in-process ingest function writes through.
 */
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { compactTimestamp } from "../../src/contract/keys.js";
import { BackendError } from "../../src/core/errors.js";
import { fixedClock } from "../../src/ports/clock.js";
import type { LakeStores } from "../../src/ports/object-store.js";
import { hookWrites, listKeys } from "../reliability/support.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { CARS, EARLY, jsonLines, LATE, releaseDraft, releaseFix, writeLines } from "./cars-support.js";

let dir: string;
let lake: string;
let schemas: string;
const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);
const query = async (sql: string) => {
  const r = await cli("query", sql, "--format", "json");
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Record<string, number>[];
};
/** Rows the table reads, and how many distinct source rows they are. */
const TABLE_ROWS =
  "SELECT count(*) AS n, count(DISTINCT (_source_md5, _source_row)) AS distinct_rows FROM cars";

/** The lake's stores, with every write of a commit marker failing while `armed` says so. */
function crashingAtCommit(stores: LakeStores, armed: () => boolean): LakeStores {
  const warehouse = hookWrites(stores.warehouse, (_op, key) => {
    if (armed() && key.startsWith("_runs/")) throw new BackendError(`simulated crash writing ${key}`);
  });
  return { ...stores, warehouse };
}

beforeEach(async () => {
  dir = await tempDir("reprocess-recovery");
  lake = path.join(dir, "lake");
  schemas = path.join(dir, "schemas");
  await releaseDraft(writeLines(dir, "cars-early.json", EARLY), schemas);
});

describe("re-processing a blob that was routed and cut into parts", () => {
  const saved = { max: process.env.LAKELINE_MAX_BLOB_BYTES, part: process.env.LAKELINE_PART_BYTES };
  afterEach(() => {
    for (const [name, value] of [
      ["LAKELINE_MAX_BLOB_BYTES", saved.max],
      ["LAKELINE_PART_BYTES", saved.part],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it("re-runs every part, so the table and the export hold each source row once", async () => {
    // Prepare: the late half (about 50 KB) is over a 20 KB limit of one invocation: cut into parts.
    process.env.LAKELINE_MAX_BLOB_BYTES = "20000";
    process.env.LAKELINE_PART_BYTES = "12000";
    const late = writeLines(dir, "cars-late.jsonl", LATE);
    const ingested = await cli("ingest", late, "--dataset", "cars", "--json");
    const cut = jsonLines(ingested);
    releaseFix(schemas);

    // Act
    const reprocessed = await cli("reprocess", "cars", "--key", "cars/training/cars-late.jsonl", "--json");

    // Assess
    expect(cut[0]).toMatchObject({ status: "routed", rawKey: "cars/training/cars-late.jsonl" });
    const parts = cut[0]!.outputs.parts ?? [];
    expect(parts.length).toBeGreaterThan(2);
    expect(cut.slice(1).map((r) => r.rawKey)).toEqual(parts);
    expect(cut.slice(1).reduce((n, r) => n + r.rowsRead, 0)).toBe(LATE.length);
    expect(cut.slice(1).reduce((n, r) => n + r.rowsQuarantined, 0)).toBe(154);
    expect(ingested.code).toBe(1); // the parts' quarantined rows; the routing itself refused nothing
    const again = jsonLines(reprocessed);
    expect(reprocessed.code).toBe(0);
    expect(again.map((r) => r.rawKey)).toEqual(parts);
    expect(again.every((r) => r.status === "ok" && r.schemaVersion === 2 && r.rowsQuarantined === 0)).toBe(
      true,
    );
    expect(await query(TABLE_ROWS)).toEqual([{ n: LATE.length, distinct_rows: LATE.length }]);
    expect(await query("SELECT count(*) AS n FROM cars_quarantine")).toEqual([{ n: 0 }]);
    const exported = await cli("export", "cars", "--json");
    expect(JSON.parse(exported.stdout)).toMatchObject({ totalRows: LATE.length, sources: parts.length });
  });
});

describe("re-processing a run that failed", () => {
  it("runs the failed run's raw object under the fixed schema; a later replay of the failure changes nothing", async () => {
    // Prepare: the late half's upload run crashes at its commit, leaving a failure record.
    await cli("ingest", writeLines(dir, "cars-early.json", EARLY), "--dataset", "cars");
    const deps = localIngestDeps({ lakeDir: lake, schemasDir: schemas });
    const crashing = localIngestInvoker({ ...deps, stores: crashingAtCommit(deps.stores, () => true) });
    const key = await uploadRaw(deps.stores.raw, writeLines(dir, "cars-late.json", LATE), "cars", "training");
    await expect(crashing(await notificationFor(deps.stores.raw, key))).rejects.toThrow(/simulated crash/);
    const [record] = await listKeys(deps.stores.failed, "cars/");
    const failedRun = path.posix.basename(record!, ".json");
    releaseFix(schemas);

    // Act
    const reprocessed = await cli("reprocess", "cars", "--run", failedRun, "--json");
    const replayed = await cli("replay", "--dataset", "cars");

    // Assess
    const [result] = jsonLines(reprocessed);
    expect(reprocessed.code).toBe(0);
    expect(result).toMatchObject({ rawKey: key, status: "ok", schemaVersion: 2, rowsWritten: LATE.length });
    expect(result!.runId).not.toBe(failedRun);
    // Replay commits the failed upload run under v1 (154 rows quarantined), an earlier processing
    // of the same blob: the table keeps reading the re-processing.
    expect(replayed.stdout).toMatch(/1 replayed/);
    expect(await query(TABLE_ROWS)).toEqual([{ n: CARS.length, distinct_rows: CARS.length }]);
    expect(await query("SELECT count(*) AS n FROM cars_quarantine")).toEqual([{ n: 0 }]);
    expect((await cli("reprocess", "cars", "--run", "00000000-0000-5000-8000-000000000000")).code).toBe(64);
  });
});

describe("the ingest function's re-processing request, delivered again after a crash", () => {
  it("fixes the request time at the first attempt: the retry writes the keys that attempt used", async () => {
    // Prepare: the late half landed under v1; v2 released; a request without requestedAt.
    await cli("ingest", writeLines(dir, "cars-late.json", LATE), "--dataset", "cars");
    releaseFix(schemas);
    const deps = localIngestDeps({ lakeDir: lake, schemasDir: schemas });
    // Request times after the upload's (the table reads a blob's latest processing).
    const first = new Date(Date.now() + 3_600_000);
    const request = { reprocess: { dataset: "cars", key: "cars/training/cars-late.json", schemaVersion: 2 } };
    const crashing = localIngestInvoker({
      ...deps,
      clock: fixedClock(first.toISOString()),
      stores: crashingAtCommit(deps.stores, () => true),
    });
    await expect(crashing(request)).rejects.toThrow(/simulated crash/);
    const written = (await listKeys(deps.stores.warehouse, "cars/")).filter((k) => k.endsWith(".parquet"));

    // Act: Lambda retries the same payload an hour later, then it is delivered once more.
    const later = localIngestInvoker({
      ...deps,
      clock: fixedClock(new Date(first.getTime() + 3_600_000).toISOString()),
    });
    const retried = (await later(request)).results[0]!;
    const redelivered = (await later(request)).results[0]!;

    // Assess
    expect(retried).toMatchObject({
      status: "ok",
      rowsWritten: LATE.length,
      ingestedAt: first.toISOString(),
    });
    expect(retried.reprocess?.requestedAt).toBe(first.toISOString());
    expect(retried.outputs.warehouse).toContain(`${compactTimestamp(first)}-${retried.runId}`);
    const after = (await listKeys(deps.stores.warehouse, "cars/")).filter((k) => k.endsWith(".parquet"));
    expect(after).toEqual(written);
    expect(redelivered.alreadyCommitted).toBeDefined();
    expect(redelivered.runId).toBe(retried.runId);
    expect(await query(TABLE_ROWS)).toEqual([{ n: LATE.length, distinct_rows: LATE.length }]);
  });
});
