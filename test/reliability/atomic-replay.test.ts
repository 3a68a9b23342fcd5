/**
 * A run that dies mid-publish leaves nothing a reader can see (views list only files a commit
 * marker names), a FAIL lineage event, a record in the failed zone and the raw blob untouched;
 * `lakeline replay` then completes it, and replaying again changes nothing.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { IngestResult } from "../../src/contract/records.js";
import { BackendError } from "../../src/core/errors.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import type { ReplayReport } from "../../src/pipeline/ingest/replay.js";
import { replayFailed } from "../../src/pipeline/ingest/replay.js";
import type { Zone } from "../../src/ports/object-store.js";
import { runCli } from "../support/cli.js";
import {
  faulty,
  lineageEventTypes,
  listKeys,
  md5OfFile,
  PENGUINS_FILE,
  queryLake,
  STACK_FRAME,
  tempLake,
  treeOf,
} from "./support.js";

const PENGUINS_VALID = 343;
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

interface Crash {
  readonly name: string;
  readonly zone: Zone;
  readonly when: (key: string) => boolean;
  /** Whether the warehouse Parquet is on disk after the crash (written, but not committed). */
  readonly parquetWritten: boolean;
  /**
   * Lineage events right after the crash. A crash at the marker comes after COMPLETE (every output
   * exists; only the commit is missing), so no FAIL follows it: replay just commits.
   */
  readonly lineage: string[];
}

const CRASHES: Crash[] = [
  {
    name: "writing the warehouse Parquet",
    zone: "warehouse",
    when: (k) => k.endsWith(".parquet"),
    parquetWritten: false,
    lineage: ["FAIL", "START"],
  },
  {
    name: "writing the quarantine Parquet",
    zone: "quarantine",
    when: (k) => k.endsWith(".parquet"),
    parquetWritten: true,
    lineage: ["FAIL", "START"],
  },
  {
    name: "writing the commit marker",
    zone: "warehouse",
    when: (k) => k.startsWith("_runs/"),
    parquetWritten: true,
    lineage: ["COMPLETE", "START"],
  },
];

async function penguinsCount(config: { lakeDir: string; schemasDir: string }): Promise<number> {
  const [row] = await queryLake(config, "SELECT count(*) AS n FROM penguins");
  return Number(row!.n);
}

describe.each(CRASHES)("a run that dies $name", (crash) => {
  it("is invisible to queries, recorded as failed, and completed exactly once by lakeline replay", async () => {
    // Prepare
    const config = await tempLake("crash");
    roots.push(config.root);
    const plain = localIngestDeps(config);
    let armed = true;
    const deps: IngestDeps = { ...plain, stores: faulty(plain.stores, crash.zone, crash.when, () => armed) };
    const key = await uploadRaw(plain.stores.raw, PENGUINS_FILE, "penguins", "training");
    const zones = localLakeStores(config.lakeDir);
    const rawFile = zones.raw.localPath(key);
    const sourceMd5 = await md5OfFile(PENGUINS_FILE);

    // Act: the invocation fails (so Lambda would retry / send it to the failure destination)
    const attempt = localIngestInvoker(deps)(await notificationFor(plain.stores.raw, key));

    // Assess: nothing visible, failure recorded, raw untouched
    await expect(attempt).rejects.toThrow(/simulated crash/);
    const failedKeys = await listKeys(plain.stores.failed);
    expect(failedKeys).toHaveLength(1);
    const record = JSON.parse(Buffer.from(await plain.stores.failed.get(failedKeys[0]!)).toString("utf8"));
    expect(failedKeys[0]).toBe(`penguins/${record.runId}.json`);
    expect(record).toMatchObject({
      dataset: "penguins",
      rawKey: key,
      schemaVersion: 1,
      errorName: "BackendError",
      ref: { key },
    });
    expect(record.error).toMatch(/simulated crash/);
    const runId: string = record.runId;
    expect(await lineageEventTypes(plain.stores.lineage, "ingest.penguins", runId)).toEqual(crash.lineage);
    if (crash.lineage.includes("FAIL")) {
      const fail = JSON.parse(
        Buffer.from(
          await plain.stores.lineage.get(`openlineage/ingest.penguins/${runId}/FAIL.json`),
        ).toString("utf8"),
      );
      expect(fail.run.facets.errorMessage.message).toMatch(/simulated crash/);
    }
    const parquetOnDisk = (await listKeys(plain.stores.warehouse, "penguins/")).filter((k) =>
      k.endsWith(".parquet"),
    );
    expect(parquetOnDisk).toHaveLength(crash.parquetWritten ? 1 : 0);
    expect(await listKeys(plain.stores.warehouse, "_runs/")).toEqual([]);
    expect(await penguinsCount(config)).toBe(0);
    expect(await md5OfFile(rawFile)).toBe(sourceMd5);

    // Act: a dry run, then the real replay (the fault is gone: a fresh process with plain stores)
    armed = false;
    const lakeArgs = ["--lake", config.lakeDir, "--schemas", config.schemasDir, "--json"];
    const before = await treeOf(config.lakeDir);
    const dry = await runCli("replay", "--dry-run", ...lakeArgs);
    const afterDry = await treeOf(config.lakeDir);
    const replay = await runCli("replay", ...lakeArgs);
    const afterReplay = await treeOf(config.lakeDir);
    const again = await runCli("replay", ...lakeArgs);

    // Assess: completed once; the second replay is a no-op
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      scanned: 1,
      replayed: 0,
      dryRun: true,
      items: [{ runId, outcome: "would-replay" }],
    });
    expect(afterDry).toEqual(before);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toBe("");
    const report = JSON.parse(replay.stdout) as ReplayReport;
    expect(report).toMatchObject({ scanned: 1, replayed: 1, skipped: 0, failed: 0 });
    expect(report.items[0]).toMatchObject({
      runId,
      rawKey: key,
      outcome: "replayed",
      status: "ok",
      rowsWritten: PENGUINS_VALID,
    });
    expect(JSON.parse(again.stdout)).toMatchObject({
      scanned: 1,
      replayed: 0,
      skipped: 1,
      failed: 0,
      items: [{ runId, outcome: "committed", status: "ok" }],
    });
    expect(await treeOf(config.lakeDir)).toEqual(afterReplay);
    expect(await penguinsCount(config)).toBe(PENGUINS_VALID);
    expect(await listKeys(plain.stores.warehouse, "_runs/")).toEqual([`_runs/penguins/${runId}.json`]);
    const marker = JSON.parse(
      Buffer.from(await plain.stores.warehouse.get(`_runs/penguins/${runId}.json`)).toString("utf8"),
    ) as IngestResult;
    expect(marker).toMatchObject({
      status: "ok",
      rowsRead: 344,
      rowsWritten: PENGUINS_VALID,
      rowsQuarantined: 1,
    });
    expect(
      (await listKeys(plain.stores.warehouse, "penguins/")).filter((k) => k.endsWith(".parquet")),
    ).toEqual([marker.outputs.warehouse]);
    expect(await lineageEventTypes(plain.stores.lineage, "ingest.penguins", runId)).toEqual(
      [...new Set(["COMPLETE", ...crash.lineage])].sort(),
    );
    // The COMPLETE event names the Parquet file actually committed (the crashed attempt's, if it got that far).
    const complete = JSON.parse(
      Buffer.from(
        await plain.stores.lineage.get(`openlineage/ingest.penguins/${runId}/COMPLETE.json`),
      ).toString("utf8"),
    );
    const output = complete.outputs.find((o: { name: string }) => o.name === marker.outputs.warehouse);
    const stored = await md5OfFile(zones.warehouse.localPath(marker.outputs.warehouse!));
    expect(output.facets.version.datasetVersion).toBe(stored);
    // …and so does the marker, which exports read instead of hashing every warehouse file again.
    expect(marker.outputs.warehouseMd5).toBe(stored);
    expect(await md5OfFile(rawFile)).toBe(sourceMd5);
  });
});

describe("replayFailed", () => {
  it("reports a replay that fails again and keeps the record; a later replay completes it", async () => {
    // Prepare
    const config = await tempLake("refail");
    roots.push(config.root);
    const plain = localIngestDeps(config);
    const broken: IngestDeps = {
      ...plain,
      stores: faulty(
        plain.stores,
        "quarantine",
        (k) => k.endsWith(".parquet"),
        () => true,
      ),
    };
    const key = await uploadRaw(plain.stores.raw, PENGUINS_FILE, "penguins", "training");
    await expect(localIngestInvoker(broken)(await notificationFor(plain.stores.raw, key))).rejects.toThrow(
      BackendError,
    );

    // Act
    const stillBroken = await replayFailed(broken);
    const otherDataset = await replayFailed(plain, { dataset: "weather" });
    const fixed = await replayFailed(plain, { dataset: "penguins" });

    // Assess
    expect(stillBroken).toMatchObject({ scanned: 1, replayed: 0, failed: 1 });
    expect(stillBroken.items[0]!.error).toMatch(/simulated crash/);
    expect(otherDataset.scanned).toBe(0);
    expect(fixed).toMatchObject({ scanned: 1, replayed: 1, failed: 0 });
    expect(await penguinsCount(config)).toBe(PENGUINS_VALID);
  });

  it("exits 1 from the CLI while a replay still fails, and names the dataset it refuses without a stack trace", async () => {
    // Prepare
    const config = await tempLake("cli");
    roots.push(config.root);
    const plain = localIngestDeps(config);
    await fs.mkdir(path.join(config.lakeDir, "failed", "penguins"), { recursive: true });
    // A record whose raw object no longer exists: replay cannot succeed.
    await plain.stores.failed.put(
      "penguins/00000000-0000-5000-8000-000000000000.json",
      JSON.stringify({
        dataset: "penguins",
        runId: "00000000-0000-5000-8000-000000000000",
        rawKey: "penguins/training/gone.csv",
        ref: { key: "penguins/training/gone.csv" },
        error: "x",
        failedAt: "2024-01-01T00:00:00Z",
      }),
    );

    // Act
    const run = await runCli("replay", "--lake", config.lakeDir, "--schemas", config.schemasDir);
    const bad = await runCli("replay", "--dataset", "../etc", "--lake", config.lakeDir);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/penguins\/training\/gone\.csv: failed: raw object not found/);
    expect(run.stdout).toMatch(/1 failed run record\(s\): 0 replayed, 0 already committed, 1 failed/);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/invalid dataset name "\.\.\/etc"/);
    expect(bad.stderr).not.toMatch(STACK_FRAME);
  });
});
