/**
 * The AWS wiring with moto standing in for S3: one bucket per zone, S3ObjectStores over them,
 * and S3 ObjectCreated notifications (moto, via SQS) on the raw bucket invoking the ingest Lambda handler —
 * the path an upload takes in AWS, minus Lambda itself.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestHandler, type IngestResponse } from "../../functions/ingest.js";
import { decodeS3Key } from "../../functions/shared/s3-event.js";
import { duckdbIngestEngine } from "../../src/adapters/duckdb/batch.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import type { IngestResult } from "../../src/contract/records.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { createLineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { systemClock } from "../../src/ports/clock.js";
import type { LakeStores } from "../../src/ports/object-store.js";
import { ITEMS_SCHEMA } from "../reliability/corpus.js";
import {
  lineageEventTypes,
  listKeys,
  md5OfFile,
  PENGUINS_FILE,
  tempLake,
  writeSchema,
} from "../reliability/support.js";
import {
  lambdaContext,
  type MotoS3Handle,
  startMotoS3,
  zoneBuckets,
  zoneStores,
} from "../support/moto-s3.js";

const BUCKETS = zoneBuckets("lakeline");
const CONTEXT = lambdaContext("moto");

let s3: MotoS3Handle;
let client: S3Client;
let stores: LakeStores;
let root: string;
let scratch: string;
const results: IngestResult[] = [];
const delivered: S3Event[] = [];
let handler: (event: S3Event) => Promise<IngestResponse>;

beforeAll(async () => {
  s3 = await startMotoS3({ buckets: Object.values(BUCKETS) });
  client = s3.client();
  stores = zoneStores(client, BUCKETS);
  const lake = await tempLake("moto");
  root = lake.root;
  await writeSchema(lake.schemasDir, "items", 1, ITEMS_SCHEMA);
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-moto-scratch-"));
  const deps: IngestDeps = {
    stores,
    schemas: new SchemaRegistry(lake.schemasDir),
    lineage: createLineageRecorder(stores.lineage),
    clock: systemClock,
    scratchDir: scratch,
    engine: duckdbIngestEngine,
    database: { threads: 1 },
  };
  const ingest = createIngestHandler(
    async () => deps,
    new Logger({ serviceName: "lakeline-ingest", logLevel: "SILENT" }),
  );
  handler = (event) => ingest(event, CONTEXT) as Promise<IngestResponse>;
  // The bucket notification targets only the raw bucket (the stack's S3 trigger does the same).
  s3.onObjectCreated(async (event) => {
    if (event.Records[0]!.s3.bucket.name !== BUCKETS.raw) return;
    delivered.push(event);
    results.push(...(await handler(event)).results);
  });
});

afterAll(async () => {
  await s3?.stop();
  await fs.rm(root, { recursive: true, force: true });
  await fs.rm(scratch, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms (${results.length} results)`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await s3.drainNotifications();
}

/** Rows in the committed Parquet files of a dataset (downloaded from the warehouse bucket). */
async function warehouseRows(dataset: string): Promise<{ n: number; distinct: number }> {
  const markers = await listKeys(stores.warehouse, `_runs/${dataset}/`);
  const files: string[] = [];
  for (const m of markers) {
    const marker = JSON.parse(Buffer.from(await stores.warehouse.get(m)).toString("utf8")) as IngestResult;
    if (!marker.outputs.warehouse) continue;
    const local = path.join(scratch, `${files.length}.parquet`);
    await stores.warehouse.download(marker.outputs.warehouse, local);
    files.push(local);
  }
  if (files.length === 0) return { n: 0, distinct: 0 };
  const db = await Database.open({ threads: 1 });
  try {
    const [row] = await db.all(
      `SELECT count(*) AS n, count(DISTINCT (_source_key, _source_row)) AS distinct FROM read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`,
    );
    return { n: Number(row!.n), distinct: Number(row!.distinct) };
  } finally {
    db.close();
  }
}

describe("moto ObjectCreated → ingest handler", () => {
  it("ingests one upload (key with a space) into warehouse Parquet, a commit marker and lineage", async () => {
    // Prepare
    const key = "penguins/training/penguins sample.json";
    const body = await fs.readFile(PENGUINS_FILE);

    // Act
    await client.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: body }));
    await until(() => results.some((r) => r.rawKey === key));

    // Assess
    const result = results.find((r) => r.rawKey === key)!;
    expect(result).toMatchObject({
      status: "ok",
      dataset: "penguins",
      rawBucket: BUCKETS.raw,
      rowsRead: 344,
      rowsWritten: 343,
      rowsQuarantined: 1,
    });
    expect(result.sourceMd5).toBe(await md5OfFile(PENGUINS_FILE));
    expect(await stores.warehouse.head(result.outputs.warehouse!)).toBeDefined();
    expect(await listKeys(stores.warehouse, "_runs/penguins/")).toEqual([
      `_runs/penguins/${result.runId}.json`,
    ]);
    expect(await lineageEventTypes(stores.lineage, "ingest.penguins", result.runId)).toEqual([
      "COMPLETE",
      "START",
    ]);
    expect(await warehouseRows("penguins")).toEqual({ n: 343, distinct: 343 });
    // The raw object is as uploaded.
    expect(Buffer.from(await stores.raw.get(key)).equals(body)).toBe(true);
  });

  it("processes 20 concurrent uploads once each, totals exact, and a re-delivery of every event writes nothing", async () => {
    // Prepare
    const blobs = Array.from({ length: 20 }, (_, i) => {
      const rows = Array.from({ length: 5 + i }, (_, r) => `${i * 1000 + r},n${i},${r / 2},note`);
      if (i % 4 === 0) rows.push(`bad-${i},n${i},1,note`);
      return {
        key: `items/training/batch-${String(i).padStart(2, "0")}.csv`,
        text: `id,name,score,note\n${rows.join("\n")}\n`,
        valid: 5 + i,
        bad: i % 4 === 0 ? 1 : 0,
      };
    });
    const before = results.length;

    // Act
    await Promise.all(
      blobs.map((b) => client.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: b.key, Body: b.text }))),
    );
    await until(() => results.length >= before + blobs.length);

    // Assess
    const batch = results.slice(before);
    expect(batch).toHaveLength(20);
    expect(batch.map((r) => r.rawKey).sort()).toEqual(blobs.map((b) => b.key));
    for (const r of batch) {
      const b = blobs.find((x) => x.key === r.rawKey)!;
      expect(r).toMatchObject({
        status: "ok",
        rowsRead: b.valid + b.bad,
        rowsWritten: b.valid,
        rowsQuarantined: b.bad,
      });
    }
    expect(new Set(batch.map((r) => r.runId)).size).toBe(20);
    const total = blobs.reduce((n, b) => n + b.valid, 0);
    expect(batch.reduce((n, r) => n + r.rowsWritten, 0)).toBe(total);
    expect(await listKeys(stores.warehouse, "_runs/items/")).toHaveLength(20);
    expect((await listKeys(stores.warehouse, "items/")).filter((k) => k.endsWith(".parquet"))).toHaveLength(
      20,
    );
    expect(await warehouseRows("items")).toEqual({ n: total, distinct: total });
    expect(await listKeys(stores.failed)).toEqual([]);

    // Act: S3 delivers every event a second time, all at once
    const warehouseBefore = await listKeys(stores.warehouse);
    const events = delivered.filter((e) => decodeS3Key(e.Records[0]!.s3.object.key).startsWith("items/"));
    const again = await Promise.all(events.map(async (e) => (await handler(e)).results[0]!));

    // Assess
    expect(again.map((r) => r.runId).sort()).toEqual(batch.map((r) => r.runId).sort());
    expect(await listKeys(stores.warehouse)).toEqual(warehouseBefore);
    expect(await warehouseRows("items")).toEqual({ n: total, distinct: total });
  });
});
