/**
 * Load on the embedded lake: 200 blobs dropped at once, ingested with bounded concurrency, then
 * every notification delivered a second time. Each blob is processed once, no row twice, and the
 * warehouse holds exactly the rows the runs report.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ingestFiles } from "../../cli/commands/ingest.js";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor } from "../../cli/deps/upload.js";
import { ITEMS_SCHEMA } from "./corpus.js";
import { listKeys, queryLake, tempLake, writeSchema } from "./support.js";

const BLOBS = 200;
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

/** Blob i: 1–10 rows, every (i)th row with a bad id so quarantine is exercised too. */
function blob(i: number): { text: string; rows: number; bad: number } {
  const rows = 1 + (i % 10);
  const lines = ["id,name,score,note"];
  let bad = 0;
  for (let r = 0; r < rows; r++) {
    const broken = (i + r) % 17 === 0;
    if (broken) bad++;
    lines.push(`${broken ? "x" : i * 100 + r},blob${i},${r / 4},row ${r}`);
  }
  return { text: `${lines.join("\n")}\n`, rows, bad };
}

describe("200 blobs dropped at once", () => {
  it("are each ingested once with bounded concurrency; re-delivered notifications change nothing", async () => {
    // Prepare
    const config = await tempLake("load");
    roots.push(config.root);
    await writeSchema(config.schemasDir, "items", 1, ITEMS_SCHEMA);
    const dir = path.join(config.root, "drop");
    await fs.mkdir(dir);
    const blobs = Array.from({ length: BLOBS }, (_, i) => blob(i));
    const files = await Promise.all(
      blobs.map(async (b, i) => {
        const f = path.join(dir, `blob-${String(i).padStart(3, "0")}.csv`);
        await fs.writeFile(f, b.text);
        return f;
      }),
    );

    // Act
    const outcomes = await ingestFiles(files, {
      dataset: "items",
      env: "training",
      lake: config.lakeDir,
      schemas: config.schemasDir,
      concurrency: "4",
    });

    // Assess: every blob processed, once
    expect(outcomes.map((o) => o.status)).toEqual(Array(BLOBS).fill("ok"));
    expect(outcomes.map((o) => o.rowsRead)).toEqual(blobs.map((b) => b.rows));
    expect(outcomes.map((o) => o.rowsQuarantined)).toEqual(blobs.map((b) => b.bad));
    expect(new Set(outcomes.map((o) => o.runId)).size).toBe(BLOBS);
    const written = outcomes.reduce((n, o) => n + (o.rowsWritten ?? 0), 0);
    expect(written).toBe(blobs.reduce((n, b) => n + b.rows - b.bad, 0));
    const deps = localIngestDeps(config);
    expect(await listKeys(deps.stores.warehouse, "_runs/items/")).toHaveLength(BLOBS);
    const [totals] = await queryLake(
      config,
      "SELECT count(*) AS n, count(DISTINCT _source_key) AS blobs, count(DISTINCT (_source_key, _source_row)) AS distinct_rows, count(DISTINCT id) AS ids FROM items",
    );
    const withValidRows = blobs.filter((b) => b.rows > b.bad).length;
    expect(totals).toEqual({ n: written, blobs: withValidRows, distinct_rows: written, ids: written });
    const [quarantined] = await queryLake(config, "SELECT count(*) AS n FROM items_quarantine");
    expect(quarantined!.n).toBe(blobs.reduce((n, b) => n + b.bad, 0));

    // Act: at-least-once delivery: every notification again, 8 at a time
    const invoke = localIngestInvoker(deps);
    const keys = outcomes.map((o) => o.rawKey!);
    const before = await listKeys(deps.stores.warehouse);
    const again: string[] = [];
    for (let i = 0; i < keys.length; i += 8) {
      const batch = await Promise.all(
        keys
          .slice(i, i + 8)
          .map(async (k) => (await invoke(await notificationFor(deps.stores.raw, k))).results[0]!),
      );
      again.push(...batch.map((r) => r.runId));
    }

    // Assess: the same runs answer; nothing new written
    expect(again).toEqual(outcomes.map((o) => o.runId));
    expect(await listKeys(deps.stores.warehouse)).toEqual(before);
    const [count] = await queryLake(config, "SELECT count(*) AS n FROM items");
    expect(count!.n).toBe(written);
    // Correctness only: its speed is the bench's business, and 400 ingests on a shared 2-core
    // machine can take a minute or more.
  }, 240_000);
});
