/**
 * The run index (`_index/runs/<dataset>/`) and the lineage index (`_index/lineage/`) on S3: the same
 * code as on the local lake, through the S3 store adapter against moto's S3 API — a lost append
 * entry, a torn segment, commits and compactions racing on S3's conditional creates
 * (`If-None-Match: *`), and lineage subgraphs equal to those the local lake's index answers.
 * moto 5.2.5 honours `If-None-Match: *` on PutObject and CompleteMultipartUpload (tested here), and
 * `If-Match` on PutObject; it ignores `If-Match` on CompleteMultipartUpload and has no destination
 * condition on CopyObject (lakeline uses neither: its indexes are create-only objects).
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { FsObjectStore } from "../../src/adapters/local/fs-store.js";
import {
  LINEAGE_INDEX_PREFIX,
  markerKey,
  runIndexAppendKey,
  runIndexCompactKey,
  runIndexCompactPrefix,
} from "../../src/contract/keys.js";
import { type IngestResult, renderCommitMarker } from "../../src/contract/records.js";
import { ObjectExistsError } from "../../src/core/errors.js";
import { deterministicUuid } from "../../src/core/hash/uuid.js";
import type { Direction } from "../../src/core/lineage/graph.js";
import { findIndexedArtifacts, indexedSubgraph } from "../../src/pipeline/lineage/lineage-index.js";
import { lineageOf, loadSnapshot } from "../../src/pipeline/lineage/query.js";
import { createLineageRecorder, type DatasetRef } from "../../src/pipeline/lineage/recorder.js";
import { appendToRunIndex, COMPACT_AFTER, readRunIndex } from "../../src/pipeline/shared/run-index.js";
import type { ObjectStore } from "../../src/ports/object-store.js";
import { type MotoS3Handle, startMotoS3 } from "../support/moto-s3.js";
import { tempDir } from "../support/temp.js";
import { BIG_FILE } from "./object-store.contract.js";

const DATASET = "penguins";

let moto: MotoS3Handle;
let client: S3Client;
let bucketSeq = 0;

beforeAll(async () => {
  moto = await startMotoS3({ buckets: [] });
  client = moto.client();
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

async function freshStore(): Promise<S3ObjectStore> {
  const bucket = `indexes-${++bucketSeq}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  // Pages of 7 keys: a listing of the markers or the segments takes many pages, as it does at scale.
  return new S3ObjectStore(client, bucket, { listPageSize: 7 });
}

function result(n: number): IngestResult {
  const runId = `run-${String(n).padStart(4, "0")}`;
  return {
    dataset: DATASET,
    environment: "TRAINING",
    schemaVersion: 1,
    rawKey: `${DATASET}/f${n}.csv`,
    rawBucket: "raw",
    sourceMd5: `md5-${n}`,
    sourceBytes: 10,
    format: "csv",
    rowsRead: n,
    rowsWritten: n,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: { warehouse: `${DATASET}/ingest_date=2026-01-01/${runId}.parquet` },
    runId,
    status: "ok",
    ingestedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  };
}

/** What runStep's commit does: the marker (create-only), then the run's index entry. */
async function commit(store: ObjectStore, r: IngestResult, withEntry = true): Promise<void> {
  await store.put(markerKey(DATASET, r.runId), renderCommitMarker(r), { ifNoneMatch: true });
  if (withEntry) await appendToRunIndex(store, r);
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

const ids = (runs: readonly IngestResult[]) => runs.map((r) => r.runId);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("the run index on S3 (moto)", () => {
  it("finds a run whose append entry was lost, heals the entry, then compacts into one segment", async () => {
    // Prepare: 40 commits; three died between the marker and their entry.
    const store = await freshStore();
    for (const n of range(0, 40)) await commit(store, result(n), ![5, 17, 33].includes(n));

    // Act
    const first = await readRunIndex(store, DATASET, { heal: true });
    const second = await readRunIndex(store, DATASET);

    // Assess
    expect(ids(first.runs)).toEqual(ids(range(0, 40).map(result)));
    expect(first).toMatchObject({ unindexed: 40, healed: 3, compacted: 1 });
    for (const n of [5, 17, 33])
      expect(await store.head(runIndexAppendKey(DATASET, result(n).runId))).toBeDefined();
    expect(await keysUnder(store, runIndexCompactPrefix(DATASET))).toEqual([runIndexCompactKey(DATASET, 1)]);
    expect(second.runs).toEqual(first.runs);
    expect(second.unindexed).toBe(0);
  });

  it("ignores a torn segment, loses no run, and compacts past it", async () => {
    // Prepare: a whole segment, then a newer one cut short, as a crash mid-upload could not leave it
    // through the adapter (S3 writes whole objects) but a foreign writer could.
    const store = await freshStore();
    for (const n of range(0, COMPACT_AFTER)) await commit(store, result(n));
    await readRunIndex(store, DATASET, { heal: true });
    for (const n of range(COMPACT_AFTER, 2 * COMPACT_AFTER)) await commit(store, result(n));
    const torn = `{"runIndex":1,"dataset":"${DATASET}","generation":2,"kind":"delta","entries":${COMPACT_AFTER}}\n{"runId":"run-00`;
    await client.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: runIndexCompactKey(DATASET, 2), Body: torn }),
    );

    // Act
    const read = await readRunIndex(store, DATASET, { heal: true });
    const again = await readRunIndex(store, DATASET);

    // Assess
    expect(ids(read.runs)).toEqual(ids(range(0, 2 * COMPACT_AFTER).map(result)));
    expect(read).toMatchObject({ unindexed: COMPACT_AFTER, compacted: 3 });
    expect(ids(again.runs)).toEqual(ids(read.runs));
    expect(again.unindexed).toBe(0);
  });

  it("never returns a run whose marker is absent, even with its entry present", async () => {
    const store = await freshStore();
    await commit(store, result(0));
    await appendToRunIndex(store, result(1));

    const read = await readRunIndex(store, DATASET, { heal: true });

    expect(ids(read.runs)).toEqual([result(0).runId]);
  });

  it("keeps every run when commits and compacting readers race; each segment is written once", async () => {
    // Prepare / Act: 90 commits, one in three without its entry, with two healing readers every 10.
    const store = await freshStore();
    const work: Promise<unknown>[] = [];
    const compacted: number[] = [];
    for (const n of range(0, 90)) {
      work.push(commit(store, result(n), n % 3 !== 0));
      if (n % 10 === 0)
        for (let r = 0; r < 2; r++)
          work.push(
            readRunIndex(store, DATASET, { heal: true }).then((x) => {
              if (x.compacted) compacted.push(x.compacted);
            }),
          );
    }
    await Promise.all(work);
    const read = await readRunIndex(store, DATASET, { heal: true });
    const settled = await readRunIndex(store, DATASET);

    // Assess: no run lost; no generation claimed by two readers (a lost If-None-Match race says so)
    expect(ids(read.runs)).toEqual(ids(range(0, 90).map(result)));
    expect(ids(settled.runs)).toEqual(ids(read.runs));
    expect(settled.unindexed).toBeLessThan(COMPACT_AFTER);
    expect(new Set(compacted).size).toBe(compacted.length);
  });

  it("lets exactly one of many racing creates of one key win (If-None-Match: *)", async () => {
    // Prepare
    const store = await freshStore();
    const key = runIndexCompactKey(DATASET, 1);

    // Act: 12 writers at once, each with its own body
    const outcomes = await Promise.allSettled(
      range(0, 12).map((i) => store.put(key, `writer ${i}\n`, { ifNoneMatch: true })),
    );

    // Assess: one wrote, every other was told the key exists, and the object is the winner's
    const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
    const lost = outcomes
      .filter((o) => o.status === "rejected")
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(won).toHaveLength(1);
    expect(lost.every((e) => e instanceof ObjectExistsError)).toBe(true);
    expect(Buffer.from(await store.get(key)).toString()).toBe(`writer ${won[0]}\n`);
  });
});

describe("conditional creates on S3 (moto)", () => {
  it("refuses a multipart create whose key appeared after the check (CompleteMultipartUpload If-None-Match), and aborts it", async () => {
    // Prepare: another writer creates the key just before this upload completes
    const bucket = `indexes-${++bucketSeq}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const racing = moto.client();
    const writer = moto.client();
    writer.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "CompleteMultipartUploadCommand")
          await racing.send(new PutObjectCommand({ Bucket: bucket, Key: "big.parquet", Body: "first" }));
        return next(args);
      },
      { step: "initialize", name: "lakelineTestRace" },
    );
    const MiB = 1024 * 1024;
    const store = new S3ObjectStore(writer, bucket, {
      multipartThresholdBytes: 5 * MiB,
      partSizeBytes: 5 * MiB,
    });

    // Act
    const put = store.putFile("big.parquet", BIG_FILE, { ifNoneMatch: true });

    // Assess: the first writer's object stands, and no upload is left behind
    await expect(put).rejects.toBeInstanceOf(ObjectExistsError);
    expect(Buffer.from(await store.get("big.parquet")).toString()).toBe("first");
    expect(await moto.pendingMultipartUploads(bucket)).toEqual([]);
    racing.destroy();
    writer.destroy();
  });
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
/** Raw blobs, one under a key with a space, a plus and non-ASCII (S3 encodes these in listings). */
const raw = (i: number): DatasetRef => ({
  namespace: "s3://raw",
  name: i === 1 ? "penguins/training/a b+é.json" : `penguins/training/p${i}.json`,
  version: deterministicUuid("raw", String(i)).replaceAll("-", ""),
  artifactType: "RawBlob",
});
const file = (i: number): DatasetRef => ({
  namespace: "s3://warehouse",
  name: `penguins/ingest_date=2026-01-01/f${i}.parquet`,
  version: deterministicUuid("file", String(i)).replaceAll("-", ""),
  artifactType: "WarehouseFile",
  rowCount: 10,
});

/** Ingests of every raw blob (one of them delivered twice at once) and an export reading every file as one snapshot. */
async function record(store: ObjectStore, n: number): Promise<void> {
  const ingest = async (i: number) => {
    const run = await createLineageRecorder(store).start({
      runId: deterministicUuid("ingest", String(i)),
      jobName: "ingest.penguins",
      executionType: "Ingest",
      eventTime: at(i),
      inputs: [raw(i)],
    });
    await run.complete({ eventTime: at(i), outputs: [file(i)] });
  };
  await Promise.all([...range(0, n).map(ingest), ingest(0)]);
  const snapshot: DatasetRef = {
    namespace: "s3://warehouse",
    name: "penguins",
    version: `${"cd".repeat(16)}.dir`,
    artifactType: "WarehouseSnapshot",
  };
  const run = await createLineageRecorder(store).start({
    runId: deterministicUuid("export", String(n)),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: at(100),
    inputs: [snapshot],
    inputMembers: [{ snapshot, members: range(0, n).map(file) }],
  });
  await run.complete({
    eventTime: at(101),
    outputs: [
      { namespace: "s3://exports", name: "penguins/e1", version: "ab".repeat(16), artifactType: "Export" },
    ],
  });
}

describe("the lineage index on S3 (moto)", () => {
  it("answers every artifact's subgraph as the local lake's index and the full walk do", async () => {
    // Prepare: the same runs recorded on S3 and on a local zone folder
    const s3 = await freshStore();
    const local = new FsObjectStore(await tempDir("lineage-index"), "lineage");
    await record(s3, 6);
    await record(local, 6);
    const snapshot = await loadSnapshot(s3);

    // Act / Assess
    expect(snapshot.artifacts.length).toBe(6 + 6 + 1 + 1);
    expect((await keysUnder(s3, LINEAGE_INDEX_PREFIX)).sort()).toEqual(
      (await keysUnder(local, LINEAGE_INDEX_PREFIX)).sort(),
    );
    for (const artifact of snapshot.artifacts)
      for (const ref of [artifact.uri, artifact.name])
        for (const direction of ["up", "down", "both"] as Direction[]) {
          const onS3 = await indexedSubgraph(s3, await findIndexedArtifacts(s3, ref), { direction });
          const onLocal = await indexedSubgraph(local, await findIndexedArtifacts(local, ref), { direction });
          expect(onS3, `${ref} ${direction}`).toEqual(onLocal);
          expect(onS3, `${ref} ${direction}`).toEqual(lineageOf(snapshot, ref, { direction }));
        }
  });
});
