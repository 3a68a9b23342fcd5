/**
 * The shipped ingest asset under Node 22 against moto: AWS-shaped S3 events, the template's
 * environment, lineage on the bus as EventBridge received it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResponse } from "../../functions/ingest.js";
import { deploy, type Lambda, lambda, upload } from "./support/context.js";
import { listKeys, type MotoDeployment } from "./support/deployment.js";
import { s3ObjectCreated } from "./support/events.js";

const PENGUINS = readFileSync(
  path.resolve(import.meta.dirname, "../../node_modules/vega-datasets/data/penguins.json"),
);
const PENGUIN_ROWS = (JSON.parse(PENGUINS.toString()) as unknown[]).length;

let d: MotoDeployment;
let ingest: Lambda;
beforeAll(async () => {
  d = await deploy();
  ingest = lambda("ingest", d);
});
afterAll(() => d?.close());

async function uploadAndEvent(key: string, body: Buffer | string) {
  const put = await upload(d, key, body);
  return s3ObjectCreated({ bucket: d.buckets.Raw, key, ...put });
}

const ok = (r: { results: ({ ok: true; value: IngestResponse } | { ok: false; error: unknown })[] }) =>
  r.results.map((x) => {
    if (!x.ok) throw new Error(`invocation failed: ${JSON.stringify(x.error)}`);
    return x.value;
  });

describe("shipped ingest on moto", () => {
  it("ingests penguins under a key with spaces and unicode, commits once, and sends lineage to the bus", async () => {
    // Prepare
    const key = "penguins/TRAINING/pingüinos de Palmer ✓ 2026.json";
    const event = await uploadAndEvent(key, PENGUINS);
    // Act
    const out = await ingest.invoke<IngestResponse>([event]);
    // Assess
    const [response] = ok(out);
    const result = response!.results[0]!;
    expect(result).toMatchObject({ status: "ok", dataset: "penguins", rawKey: key, rowsRead: PENGUIN_ROWS });
    expect(result.rowsWritten + result.rowsQuarantined).toBe(PENGUIN_ROWS);
    expect(await listKeys(d.s3, d.buckets.Warehouse, "_runs/penguins/")).toEqual([
      `_runs/penguins/${result.runId}.json`,
    ]);
    expect(await listKeys(d.s3, d.buckets.Warehouse, "penguins/ingest_date=")).toHaveLength(1);
    const bus = await d.busEvents();
    const types = bus.map((e) => (e.detail as { eventType: string; run: { runId: string } }).eventType);
    expect(types).toEqual(["START", "COMPLETE"]);
    for (const e of bus) expect(e.bytes).toBeLessThanOrEqual(256 * 1024);
  });

  it("re-delivery of the same event is the same run and writes nothing new", async () => {
    // Prepare
    const key = "penguins/TRAINING/redelivered.json";
    const event = await uploadAndEvent(key, PENGUINS.toString().replace("Adelie", "Adelie"));
    const first = ok(await ingest.invoke<IngestResponse>([event]))[0]!.results[0]!;
    const before = await listKeys(d.s3, d.buckets.Warehouse);
    await d.busEvents();
    // Act: S3 delivers at least once; Lambda retries; both arrive in one warm container here
    const again = ok(await ingest.invoke<IngestResponse>([event, event]));
    // Assess
    for (const r of again) expect(r.results[0]!.runId).toBe(first.runId);
    expect(await listKeys(d.s3, d.buckets.Warehouse)).toEqual(before);
    expect(await d.busEvents()).toEqual([]);
  });

  it("reads the object version the event names, not a newer upload to the same key", async () => {
    // Prepare: two uploads to one key before the first event is handled
    const key = "penguins/TRAINING/overwritten.json";
    const all = JSON.parse(PENGUINS.toString()) as unknown[];
    const body1 = JSON.stringify(all.slice(0, 10));
    const v1 = await upload(d, key, body1);
    const v2 = await upload(d, key, JSON.stringify(all.slice(0, 50)));
    expect(v1.versionId).toBeDefined();
    expect(v2.versionId).not.toBe(v1.versionId);
    // Act
    const [r1, r2] = ok(
      await ingest.invoke<IngestResponse>([
        s3ObjectCreated({ bucket: d.buckets.Raw, key, ...v1 }),
        s3ObjectCreated({ bucket: d.buckets.Raw, key, ...v2 }),
      ]),
    );
    // Assess
    expect(r1!.results[0]!.rowsRead).toBe(10);
    expect(r2!.results[0]!.rowsRead).toBe(50);
    expect(r1!.results[0]!.runId).not.toBe(r2!.results[0]!.runId);
    expect(r1!.results[0]!.sourceMd5).toBe(createHash("md5").update(body1).digest("hex"));
    const starts = (await d.busEvents())
      .map((e) => e.detail as { eventType: string; run: { runId: string }; inputs: { name: string }[] })
      .filter((e) => e.eventType === "START" && e.run.runId === r1!.results[0]!.runId);
    // The lineage input names the first version's bytes (its DVC md5), in the dataset version facet
    expect(JSON.stringify(starts[0]?.inputs)).toContain(r1!.results[0]!.sourceMd5!);
  });

  it("ingests upper-case and .gzip extensions, and rejects a blob in no record format with its reason", async () => {
    // Prepare
    const csv =
      "Species,Island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Sex\n" +
      "Adelie,Torgersen,39.1,18.7,181,3750,MALE\n";
    const { gzipSync } = await import("node:zlib");
    const upper = await uploadAndEvent("penguins/TRAINING/DATA.CSV", csv);
    const gzip = await uploadAndEvent(
      "penguins/TRAINING/more.csv.GZIP",
      gzipSync(csv.replace("39.1", "40.2")),
    );
    const binary = await uploadAndEvent(
      "penguins/TRAINING/model.bin",
      Buffer.from([0x50, 0x41, 0x52, 0x31, 0, 0, 1]),
    );
    // Act
    const [a, b, c] = ok(await ingest.invoke<IngestResponse>([upper, gzip, binary]));
    // Assess
    expect(a!.results[0]).toMatchObject({ status: "ok", rowsWritten: 1 });
    expect(b!.results[0]).toMatchObject({ status: "ok", rowsWritten: 1 });
    expect(c!.results[0]).toMatchObject({ status: "rejected", rawKey: "penguins/TRAINING/model.bin" });
    expect(c!.results[0]!.reason).toMatch(/binary/);
  });

  it("a run killed after it started is completed by the retry, with one set of outputs", async () => {
    // Prepare
    const key = "penguins/TRAINING/crashed.json";
    const event = await uploadAndEvent(key, PENGUINS.toString().replace("Torgersen", "Torgersen "));
    const started = async () =>
      (await listKeys(d.s3, d.buckets.Lineage, "openlineage/")).some((k) => k.endsWith("/START.json"));
    const startsBefore = (await listKeys(d.s3, d.buckets.Lineage, "openlineage/")).filter((k) =>
      k.endsWith("/START.json"),
    ).length;
    await d.busEvents();
    // Act: the container dies (timeout, OOM) after START; Lambda's async retry runs it again
    const crashed = await ingest.invoke(
      [event],
      {},
      {
        killWhen: async () =>
          (await listKeys(d.s3, d.buckets.Lineage, "openlineage/")).filter((k) => k.endsWith("/START.json"))
            .length > startsBefore,
      },
    );
    const retried = ok(await ingest.invoke<IngestResponse>([event]))[0]!.results[0]!;
    // Assess
    expect(crashed.killed).toBe(true);
    expect(await started()).toBe(true);
    expect(retried.status).toBe("ok");
    expect(await listKeys(d.s3, d.buckets.Warehouse, `_runs/penguins/${retried.runId}`)).toHaveLength(1);
    const marker = JSON.parse(
      await (
        await d.s3.send(
          new GetObjectCommand({ Bucket: d.buckets.Warehouse, Key: `_runs/penguins/${retried.runId}.json` }),
        )
      ).Body!.transformToString(),
    ) as { outputs: { warehouse: string } };
    // Every Parquet file of the dataset is some committed run's one output: the crash left no extra
    const committed = [];
    for (const k of await listKeys(d.s3, d.buckets.Warehouse, "_runs/penguins/")) {
      const body = await d.s3.send(new GetObjectCommand({ Bucket: d.buckets.Warehouse, Key: k }));
      const out = (JSON.parse(await body.Body!.transformToString()) as typeof marker).outputs.warehouse;
      if (out) committed.push(out);
    }
    const parquet = (await listKeys(d.s3, d.buckets.Warehouse, "penguins/")).filter((k) =>
      k.endsWith(".parquet"),
    );
    expect(parquet.sort()).toEqual(committed.sort());
    expect(parquet).toContain(marker.outputs.warehouse);
  });

  it("a re-processing request killed after its Parquet was written is retried at the first attempt's time and keys", async () => {
    // Prepare: a blob that landed; the request names no requestedAt (the function picks the time).
    const key = "penguins/TRAINING/reprocessed.json";
    const event = await uploadAndEvent(key, PENGUINS.toString().replace("Biscoe", "Biscoe "));
    ok(await ingest.invoke<IngestResponse>([event]));
    const parquetKeys = async () =>
      (await listKeys(d.s3, d.buckets.Warehouse, "penguins/")).filter((k) => k.endsWith(".parquet"));
    const before = await parquetKeys();
    const request = { reprocess: { dataset: "penguins", key } };
    // Act: the container dies once the re-processing's Parquet is stored, before its commit; Lambda's
    // async retry delivers the same payload later.
    const crashed = await ingest.invoke(
      [request],
      {},
      {
        killWhen: async () => (await parquetKeys()).length > before.length,
      },
    );
    const written = (await parquetKeys()).filter((k) => !before.includes(k));
    await new Promise((r) => setTimeout(r, 50));
    const retried = ok(await ingest.invoke<IngestResponse>([request]))[0]!.results[0]!;
    // Assess: the retry is the same run, at the time the first attempt recorded, on the same key.
    expect(crashed.killed).toBe(true);
    expect(retried).toMatchObject({ status: "ok", rowsRead: PENGUIN_ROWS });
    const pinned = JSON.parse(
      await (
        await d.s3.send(
          new GetObjectCommand({
            Bucket: d.buckets.Warehouse,
            Key: `_reprocess/penguins/${retried.runId}.json`,
          }),
        )
      ).Body!.transformToString(),
    ) as { requestedAt: string };
    expect(retried.reprocess?.requestedAt).toBe(pinned.requestedAt);
    expect(retried.ingestedAt).toBe(pinned.requestedAt);
    expect(written).toEqual([retried.outputs.warehouse]);
    expect(await parquetKeys()).toEqual([...before, retried.outputs.warehouse!].sort());
  });
});
