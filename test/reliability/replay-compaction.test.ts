/**
 * After an outage: many uploads whose runs died at the commit, then one `lakeline replay` that
 * commits them all. The replayed runs are as many small files as the uploads, so the replay
 * compacts what is due, as an ingest command does, and every row is read once from the compacted file.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { compactionRecordPrefix } from "../../src/contract/keys.js";
import { COMPACT_MIN_FILES } from "../../src/core/warehouse/compaction.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import type { ReplayReport } from "../../src/pipeline/ingest/replay.js";
import { withCompact } from "../e2e/compaction-support.js";
import { runCli } from "../support/cli.js";
import { faulty, listKeys, PENGUINS_FILE, queryLake, tempLake } from "./support.js";

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

describe("lakeline replay after an outage", () => {
  it("commits every failed run, then compacts them into one file that reads each row once", async () => {
    // Prepare: COMPACT_MIN_FILES uploads of ten penguins each, every run dying at its commit marker
    const config = await tempLake("replay-compaction");
    roots.push(config.root);
    const plain = localIngestDeps(config);
    const down: IngestDeps = {
      ...plain,
      stores: faulty(plain.stores, "warehouse", (k) => k.startsWith("_runs/")),
    };
    const penguins = JSON.parse(await fs.readFile(PENGUINS_FILE, "utf8")) as object[];
    const invoke = localIngestInvoker(down);
    for (let i = 0; i < COMPACT_MIN_FILES; i++) {
      const file = path.join(config.root, `penguins-${String(i).padStart(2, "0")}.jsonl`);
      const part = penguins.slice(i * 10, i * 10 + 10);
      await fs.writeFile(file, `${part.map((p) => JSON.stringify(p)).join("\n")}\n`);
      const key = await uploadRaw(plain.stores.raw, file, "penguins", "training");
      await expect(invoke(await notificationFor(plain.stores.raw, key))).rejects.toThrow(
        /simulated crash writing warehouse\/_runs\//,
      );
    }
    expect(await listKeys(plain.stores.failed)).toHaveLength(COMPACT_MIN_FILES);
    expect(await queryLake(config, "SELECT count(*) AS n FROM penguins")).toEqual([{ n: 0 }]);

    // Act
    const replay = await withCompact("on", () =>
      runCli("replay", "--lake", config.lakeDir, "--schemas", config.schemasDir, "--json"),
    );

    // Assess: stdout stays the report; the compaction is said on stderr and recorded
    expect(replay.code, replay.stderr).toBe(0);
    const report = JSON.parse(replay.stdout) as ReplayReport;
    expect(report).toMatchObject({ scanned: COMPACT_MIN_FILES, replayed: COMPACT_MIN_FILES, failed: 0 });
    const written = report.items.reduce((n, i) => n + (i.rowsWritten ?? 0), 0);
    expect(replay.stderr).toMatch(
      new RegExp(
        `^compacted ${COMPACT_MIN_FILES} runs of penguins into 1 file \\(ingest_date=[-0-9]+\\), ${written} rows$`,
        "m",
      ),
    );
    const records = await listKeys(plain.stores.warehouse, compactionRecordPrefix("penguins"));
    expect(records).toHaveLength(1);
    const record = JSON.parse(Buffer.from(await plain.stores.warehouse.get(records[0]!)).toString("utf8"));
    expect(record.runs.map((r: { runId: string }) => r.runId).sort()).toEqual(
      report.items.map((i) => i.runId).sort(),
    );
    const [read] = await queryLake(
      config,
      "SELECT count(*) AS n, count(DISTINCT _source_md5 || _source_row) AS distinct_rows FROM penguins",
    );
    expect(read).toEqual({ n: written, distinct_rows: written });
  }, 120_000);
});
