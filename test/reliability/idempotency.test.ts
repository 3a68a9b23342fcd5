/**
 * Exactly-once results from at-least-once delivery: S3 may deliver one ObjectCreated event more
 * than once, and a retried Lambda runs it again — possibly at the same time as the first attempt.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import type { IngestResponse } from "../../functions/ingest.js";
import type { LocalConfig } from "../../src/contract/env.js";
import type { IngestResult } from "../../src/contract/records.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { runCli } from "../support/cli.js";
import {
  hookWrites,
  lineageEventTypes,
  listKeys,
  md5OfFile,
  PENGUINS_FILE,
  penguinsVariant,
  queryLake,
  tempLake,
  treeOf,
  type WriteHook,
} from "./support.js";

const PENGUINS_VALID = 343;
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

interface Lake {
  config: LocalConfig & { root: string };
  deps: IngestDeps;
  invoke: (event: S3Event) => Promise<IngestResponse>;
}

async function lake(label: string, onWrite?: WriteHook): Promise<Lake> {
  const config = await tempLake(label);
  roots.push(config.root);
  const plain = localIngestDeps(config);
  const deps = onWrite
    ? { ...plain, stores: { ...plain.stores, warehouse: hookWrites(plain.stores.warehouse, onWrite) } }
    : plain;
  return { config, deps, invoke: localIngestInvoker(deps) };
}

/** Everything a run writes, outside the raw zone (lineage type records are shared and idempotent too). */
async function outputsOf(l: Lake): Promise<string[]> {
  return (await treeOf(l.config.lakeDir)).filter((p) => !p.startsWith(`raw${path.sep}`));
}

async function warehouseParquet(l: Lake, dataset: string): Promise<string[]> {
  return (await listKeys(l.deps.stores.warehouse, `${dataset}/`)).filter((k) => k.endsWith(".parquet"));
}

async function rowCount(l: Lake, dataset: string): Promise<number> {
  const [row] = await queryLake(l.config, `SELECT count(*) AS n FROM ${dataset}`);
  return Number(row!.n);
}

describe("the same S3 event delivered twice", () => {
  let l: Lake;
  let event: S3Event;
  let first: IngestResult;
  let outputsAfterFirst: string[];
  let second: IngestResult;

  beforeAll(async () => {
    l = await lake("seq");
    const key = await uploadRaw(l.deps.stores.raw, PENGUINS_FILE, "penguins", "training");
    event = await notificationFor(l.deps.stores.raw, key);
    first = (await l.invoke(event)).results[0]!;
    outputsAfterFirst = await outputsOf(l);
    second = (await l.invoke(event)).results[0]!;
  });

  it("the second delivery returns the committed result and writes nothing", async () => {
    expect(first.status).toBe("ok");
    expect(first.rowsWritten).toBe(PENGUINS_VALID);
    const { alreadyCommitted, ...committed } = second;
    expect(committed).toEqual(first);
    expect(Date.parse(alreadyCommitted!.at)).toBeGreaterThanOrEqual(Date.parse(first.ingestedAt));
    expect(await outputsOf(l)).toEqual(outputsAfterFirst);
  });

  it("leaves one Parquet file, one commit marker, one START and one COMPLETE event", async () => {
    expect(await warehouseParquet(l, "penguins")).toEqual([first.outputs.warehouse]);
    expect(await listKeys(l.deps.stores.warehouse, "_runs/")).toEqual([`_runs/penguins/${first.runId}.json`]);
    expect(await lineageEventTypes(l.deps.stores.lineage, "ingest.penguins", first.runId)).toEqual([
      "COMPLETE",
      "START",
    ]);
    expect(await rowCount(l, "penguins")).toBe(PENGUINS_VALID);
  });
});

describe("the same S3 event delivered to racing invocations", () => {
  it("five concurrent runs of one event produce the outputs of one", async () => {
    // Prepare
    const parquetAttempts: string[] = [];
    const l = await lake("race", (_op, key) => {
      if (key.endsWith(".parquet")) parquetAttempts.push(key);
    });
    const key = await uploadRaw(l.deps.stores.raw, PENGUINS_FILE, "penguins", "training");
    const event = await notificationFor(l.deps.stores.raw, key);
    const rawMd5 = await md5OfFile(l.deps.stores.raw.localPath?.(key) ?? "");

    // Act
    const responses = await Promise.all(Array.from({ length: 5 }, () => l.invoke(event)));

    // Assess
    const results = responses.map((r) => r.results[0]!);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    for (const r of results) {
      expect(r.status).toBe("ok");
      expect(r.rowsWritten).toBe(PENGUINS_VALID);
      expect(r.outputs.warehouse).toBe(results[0]!.outputs.warehouse);
    }
    const runId = results[0]!.runId;
    // The runs really raced: several got past the marker check and tried to publish the same key.
    expect(parquetAttempts.length).toBeGreaterThan(1);
    expect(new Set(parquetAttempts)).toEqual(new Set([results[0]!.outputs.warehouse]));
    expect(await warehouseParquet(l, "penguins")).toEqual([results[0]!.outputs.warehouse]);
    expect(await listKeys(l.deps.stores.warehouse, "_runs/")).toEqual([`_runs/penguins/${runId}.json`]);
    expect(await listKeys(l.deps.stores.warehouse, "_content/")).toHaveLength(1);
    expect(await listKeys(l.deps.stores.warehouse, "_stats/")).toHaveLength(1);
    expect(await lineageEventTypes(l.deps.stores.lineage, "ingest.penguins", runId)).toEqual([
      "COMPLETE",
      "START",
    ]);
    expect(await listKeys(l.deps.stores.failed)).toEqual([]);
    expect(await rowCount(l, "penguins")).toBe(PENGUINS_VALID);
    expect(await md5OfFile(l.deps.stores.raw.localPath?.(key) ?? "")).toBe(rawMd5);
  });
});

describe("byte-identical content under a new key", () => {
  it("is recorded as a duplicate of the first upload and adds no rows", async () => {
    // Prepare
    const l = await lake("dup");
    const copy = path.join(l.config.root, "penguins-copy.json");
    await fs.copyFile(PENGUINS_FILE, copy);
    const args = [
      "--dataset",
      "penguins",
      "--lake",
      l.config.lakeDir,
      "--schemas",
      l.config.schemasDir,
      "--json",
    ];
    const first = await runCli("ingest", PENGUINS_FILE, ...args);
    const countBefore = await runCli(
      "query",
      "SELECT count(*) AS n FROM penguins",
      "--lake",
      l.config.lakeDir,
      "--schemas",
      l.config.schemasDir,
      "--format",
      "json",
    );

    // Act
    const again = await runCli("ingest", copy, ...args);
    const countAfter = await runCli(
      "query",
      "SELECT count(*) AS n FROM penguins",
      "--lake",
      l.config.lakeDir,
      "--schemas",
      l.config.schemasDir,
      "--format",
      "json",
    );

    // Assess
    // penguins.json has one Sex of "." outside the domain: ERROR anomaly, status 1; the duplicate writes nothing.
    expect([first.code, again.code]).toEqual([1, 0]);
    const a = JSON.parse(first.stdout) as IngestResult;
    const b = JSON.parse(again.stdout) as IngestResult;
    expect(a.status).toBe("ok");
    expect(b.status).toBe("duplicate");
    expect(b.rawKey).toBe("penguins/training/penguins-copy.json");
    expect(b.duplicateOf).toBe(a.rawKey);
    expect(b.reason).toContain(a.runId);
    expect([b.rowsRead, b.rowsWritten, b.rowsQuarantined]).toEqual([0, 0, 0]);
    expect(b.runId).not.toBe(a.runId);
    expect(JSON.parse(countBefore.stdout)).toEqual([{ n: PENGUINS_VALID }]);
    expect(JSON.parse(countAfter.stdout)).toEqual([{ n: PENGUINS_VALID }]);
    expect(await warehouseParquet(l, "penguins")).toHaveLength(1);
    // Both uploads are kept as raw objects and both runs are committed.
    expect(await listKeys(l.deps.stores.raw, "penguins/")).toHaveLength(2);
    expect(await listKeys(l.deps.stores.warehouse, "_runs/penguins/")).toHaveLength(2);
  });

  it("is processed again when the dataset's policy has dedupeByContent: false, and counted once", async () => {
    // Prepare
    const l = await lake("nodedupe");
    await penguinsVariant(l.config.schemasDir, "penguins_raw", { dedupeByContent: false });
    const copy = path.join(l.config.root, "penguins-copy.json");
    await fs.copyFile(PENGUINS_FILE, copy);
    const args = [
      "--dataset",
      "penguins_raw",
      "--lake",
      l.config.lakeDir,
      "--schemas",
      l.config.schemasDir,
      "--json",
    ];
    await runCli("ingest", PENGUINS_FILE, ...args);

    // Act
    const again = await runCli("ingest", copy, ...args);

    // Assess
    const b = JSON.parse(again.stdout) as IngestResult;
    expect(b.status).toBe("ok");
    expect(b.rowsWritten).toBe(PENGUINS_VALID);
    expect(await warehouseParquet(l, "penguins_raw")).toHaveLength(2);
    expect(await listKeys(l.deps.stores.warehouse, "_content/")).toEqual([]);
    // One source blob: the table reads its latest processing, the history view both.
    expect(await rowCount(l, "penguins_raw")).toBe(PENGUINS_VALID);
    expect(await rowCount(l, "penguins_raw_history")).toBe(2 * PENGUINS_VALID);
  });
});
