/**
 * The guard of one invocation, on the S3 path (moto): a blob larger than `maxBlobBytes` is routed,
 * not crashed on — and never downloaded, since in AWS such a blob may not fit /tmp at all. It is
 * hashed as it streams, and the run commits like any other: marker, lineage COMPLETE, and a record
 * under `_routed/` in the failed zone. Where the deployment sets a part size, a CSV or JSON-lines blob
 * is also cut at record boundaries into raw parts, each ingested as its own run. Blobs within the
 * limit are ingested as usual.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { Logger } from "@aws-lambda-powertools/logger";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestHandler, type IngestResponse } from "../../functions/ingest.js";
import { objectCreatedEvent } from "../../functions/shared/s3-event.js";
import { duckdbIngestEngine } from "../../src/adapters/duckdb/batch.js";
import type { IngestResult } from "../../src/contract/records.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { createLineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { systemClock } from "../../src/ports/clock.js";
import type { LakeStores, ObjectStore } from "../../src/ports/object-store.js";
import {
  lineageEventTypes,
  listKeys,
  md5OfFile,
  PENGUINS_FILE,
  SCHEMAS_DIR,
} from "../reliability/support.js";
import { VEGA } from "../support/cli.js";
import {
  lambdaContext,
  type MotoS3Handle,
  startMotoS3,
  zoneBuckets,
  zoneStores,
} from "../support/moto-s3.js";

const BUCKETS = zoneBuckets("routing");
const CONTEXT = lambdaContext("routing");
const LIMIT = 20_000; // penguins.json is ~66 KB; its first 40 records fit

let s3: MotoS3Handle;
let stores: LakeStores;
let scratch: string;
const downloads: string[] = [];

beforeAll(async () => {
  s3 = await startMotoS3({ buckets: Object.values(BUCKETS) });
  stores = zoneStores(s3.client(), BUCKETS);
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-routing-"));
});

afterAll(async () => {
  await s3?.stop();
  await fs.rm(scratch, { recursive: true, force: true });
});

/** The raw zone, noting every download (the routed blob must never be one). */
function watchedRaw(raw: ObjectStore): ObjectStore {
  return Object.assign(Object.create(raw) as ObjectStore, {
    download: (key: string, target: string) => {
      downloads.push(key);
      return raw.download(key, target);
    },
  });
}

async function ingest(key: string, body: Buffer, partBytes?: number): Promise<IngestResult> {
  await s3.client().send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: body }));
  return deliver(key, partBytes);
}

/** The ObjectCreated notification of `key`, delivered to the ingest handler (as S3 would). */
async function deliver(key: string, partBytes?: number): Promise<IngestResult> {
  const info = (await stores.raw.head(key))!;
  const deps: IngestDeps = {
    stores: { ...stores, raw: watchedRaw(stores.raw) },
    schemas: new SchemaRegistry(SCHEMAS_DIR),
    lineage: createLineageRecorder(stores.lineage),
    clock: systemClock,
    scratchDir: scratch,
    engine: duckdbIngestEngine,
    database: { threads: 1 },
    maxBlobBytes: LIMIT,
    ...(partBytes ? { partBytes } : {}),
  };
  const handler = createIngestHandler(
    async () => deps,
    new Logger({ serviceName: "lakeline-ingest", logLevel: "SILENT" }),
  );
  const event = objectCreatedEvent({
    bucket: BUCKETS.raw,
    key,
    size: info.size,
    ...(info.etag ? { etag: info.etag } : {}),
  });
  const response = (await handler(event, CONTEXT)) as IngestResponse;
  return response.results[0]!;
}

describe("a blob larger than one invocation takes", () => {
  it("is routed without being downloaded: hashed as it streams, committed, recorded under _routed/", async () => {
    // Prepare
    const body = await fs.readFile(PENGUINS_FILE);
    expect(body.length).toBeGreaterThan(LIMIT);

    // Act
    const result = await ingest("penguins/training/all-penguins.json", body);

    // Assess
    expect(result).toMatchObject({ status: "routed", rowsRead: 0, rowsWritten: 0, sourceBytes: body.length });
    expect(result.reason).toMatch(/exceeds the 20000-byte limit of one invocation/);
    expect(result.sourceMd5).toBe(await md5OfFile(PENGUINS_FILE));
    expect(downloads).toEqual([]);
    expect(await listKeys(stores.failed, "_routed/penguins/")).toEqual([
      `_routed/penguins/${result.runId}.json`,
    ]);
    expect(await listKeys(stores.warehouse, "_runs/penguins/")).toContain(
      `_runs/penguins/${result.runId}.json`,
    );
    expect(await lineageEventTypes(stores.lineage, "ingest.penguins", result.runId)).toEqual([
      "COMPLETE",
      "START",
    ]);
    // The raw blob stays as uploaded.
    expect(Buffer.from(await stores.raw.get("penguins/training/all-penguins.json")).equals(body)).toBe(true);
  });

  it("within the limit, is ingested as usual", async () => {
    const penguins = JSON.parse(await fs.readFile(PENGUINS_FILE, "utf8")) as unknown[];
    const small = Buffer.from(JSON.stringify(penguins.slice(0, 40)));
    expect(small.length).toBeLessThan(LIMIT);
    const result = await ingest("penguins/training/first-40.json", small);
    expect(result).toMatchObject({ status: "ok", rowsRead: 40, rowsWritten: 40 });
    expect(downloads).toEqual(["penguins/training/first-40.json"]);
  });

  it("is cut at record boundaries into raw parts, each ingested as its own run, every row accounted for (CSV, gzip)", async () => {
    // Prepare: Seattle/New York weather, gzip-compressed, decompressing to ~5× the limit.
    const csv = await fs.readFile(path.join(VEGA, "weather.csv"));
    const key = "weather/training/weather-2012-2015.csv.gz";
    const rows = csv.toString("utf8").trim().split("\n").length - 1;

    // Act: the upload is split; then each part's own notification ingests it.
    const routed = await ingest(key, gzipSync(csv), 8_000);
    const parts = routed.outputs.parts ?? [];
    const results = [];
    for (const part of parts) results.push(await deliver(part, 8_000));

    // Assess
    expect(routed).toMatchObject({ status: "routed", rowsRead: 0 });
    expect(routed.reason).toMatch(/cut at record boundaries into \d+ parts of about 8000 bytes/);
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts)
      expect(p).toMatch(
        new RegExp(`^weather/training/_parts/${routed.runId}/weather-2012-2015\\.part-\\d{5}\\.csv$`),
      );
    expect(downloads).not.toContain(key);
    expect(results.map((r) => r.status)).toEqual(parts.map(() => "ok"));
    expect(results.reduce((n, r) => n + r.rowsRead, 0)).toBe(rows);
    expect(results.reduce((n, r) => n + r.rowsWritten, 0)).toBe(rows);
    // Lineage: the split run took the blob in and put the parts out, each with its first line.
    const complete = JSON.parse(
      Buffer.from(
        await stores.lineage.get(`openlineage/ingest.weather/${routed.runId}/COMPLETE.json`),
      ).toString("utf8"),
    ) as { outputs: { name: string }[] };
    expect(complete.outputs.map((o) => o.name)).toEqual(parts);
    // The uploaded blob is untouched, and a re-delivered notification splits nothing again.
    expect((await stores.raw.head(key))!.size).toBe(gzipSync(csv).length);
    const { alreadyCommitted, ...again } = await deliver(key, 8_000);
    expect(again).toEqual(routed);
    expect(alreadyCommitted).toBeDefined();
  });
});
