/** Scale on the shipped ingest asset: a 3M-row gzip CSV within the function's memory. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResponse } from "../../functions/ingest.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { deploy, harness, lambda, upload } from "./support/context.js";
import { listKeys, type MotoDeployment } from "./support/deployment.js";
import { s3ObjectCreated } from "./support/events.js";

const VEGA = path.resolve(import.meta.dirname, "../../node_modules/vega-datasets/data");
let d: MotoDeployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.close());

describe("shipped ingest at scale", () => {
  it("ingests a gzip CSV of 3,000,000 flights in one invocation, within the function's memory", async () => {
    // Prepare
    const file = path.join(harness().workDir, "flights-3m.csv.gz");
    const db = await Database.open();
    try {
      await db.exec(
        `COPY (SELECT * FROM read_parquet('${VEGA}/flights-3m.parquet')) TO '${file}' (FORMAT csv, HEADER, COMPRESSION gzip)`,
      );
    } finally {
      db.close();
    }
    const key = "flights/TRAINING/flights 2001 H1.csv.gz";
    const put = await upload(d, key, readFileSync(file));
    const ingest = lambda("ingest", d);
    // Act
    const out = await ingest.invoke<IngestResponse>([
      s3ObjectCreated({ bucket: d.buckets.Raw, key, ...put }),
    ]);
    // Assess
    const first = out.results[0]!;
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    const result = first.value.results[0]!;
    console.log(
      `flights 3M gzip (${(put.size / 1e6).toFixed(1)} MB): ${(out.millis / 1000).toFixed(1)} s, peak RSS ${(out.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(result).toMatchObject({ status: "ok", rowsRead: 3_000_000 });
    expect(result.rowsWritten + result.rowsQuarantined).toBe(3_000_000);
    expect(out.maxRssBytes).toBeLessThan(ingest.fn.memoryMb * 2 ** 20);
    expect(await listKeys(d.s3, d.buckets.Warehouse, "_runs/flights/")).toHaveLength(1);
  });
});
