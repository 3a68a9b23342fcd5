import * as fs from "node:fs/promises";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore, type S3ObjectStoreOptions } from "../../src/adapters/aws/s3-store.js";
import { ObjectExistsError } from "../../src/core/errors.js";
import { type MotoS3Handle, startMotoS3 } from "../support/moto-s3.js";
import { BIG_FILE, md5, objectStoreContract } from "./object-store.contract.js";

const MiB = 1024 * 1024;
/** Small enough that the 13.5 MB test file goes up in three parts and a listing takes pages. */
const TEST_OPTIONS: S3ObjectStoreOptions = {
  multipartThresholdBytes: 5 * MiB,
  partSizeBytes: 5 * MiB,
  // …and is copied in parts (UploadPartCopy), as objects over CopyObject's 5 GiB are.
  maxSingleCopyBytes: 5 * MiB,
  copyPartSizeBytes: 5 * MiB,
  listPageSize: 2,
};

let moto: MotoS3Handle;
let bucketSeq = 0;

beforeAll(async () => {
  moto = await startMotoS3({ buckets: [] });
});
afterAll(async () => {
  await moto?.stop();
});

async function freshBucket(client: S3Client): Promise<string> {
  const bucket = `lake-${++bucketSeq}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Record the command names a client sends. */
function recordCommands(client: S3Client): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(context.commandName ?? "?");
      return next(args);
    },
    { step: "initialize", name: "lakelineTestRecorder" },
  );
  return names;
}

// The contract through S3's own `If-None-Match: *` on PutObject and CompleteMultipartUpload.
objectStoreContract("S3ObjectStore on moto", async () => {
  const client = moto.client();
  const bucket = await freshBucket(client);
  return { store: new S3ObjectStore(client, bucket, TEST_OPTIONS), cleanup: async () => client.destroy() };
});

describe("S3ObjectStore specifics", () => {
  it("copies server-side: CopyObject up to the single-copy limit, UploadPartCopy above it, no byte read back", async () => {
    // Prepare
    const client = moto.client();
    const store = new S3ObjectStore(client, await freshBucket(client), TEST_OPTIONS);
    await store.putFile("_staging/big", BIG_FILE);
    await store.put("_staging/small", "small");
    const sent = recordCommands(client);
    // Act
    await store.copy("_staging/big", "big", { ifNoneMatch: true });
    await store.copy("_staging/small", "small", { ifNoneMatch: true });
    // Assess
    expect(sent.filter((c) => c === "UploadPartCopyCommand")).toHaveLength(3);
    expect(sent.filter((c) => c === "CopyObjectCommand")).toHaveLength(1);
    expect(sent).not.toContain("GetObjectCommand");
    expect(md5(await store.get("big"))).toBe(md5(await fs.readFile(BIG_FILE)));
  });

  it("sends If-None-Match: * and maps 412 to ObjectExistsError without a HEAD", async () => {
    // Prepare
    const client = moto.client();
    const store = new S3ObjectStore(client, await freshBucket(client), TEST_OPTIONS);
    const sent = recordCommands(client);
    await store.put("runs/a.json", "1", { ifNoneMatch: true });
    // Act
    const again = store.put("runs/a.json", "2", { ifNoneMatch: true });
    // Assess
    await expect(again).rejects.toBeInstanceOf(ObjectExistsError);
    expect(sent).toEqual(["PutObjectCommand", "PutObjectCommand"]);
  });

  it("uploads large files in parts, leaves no upload behind, and names them s3://bucket", async () => {
    // Prepare
    const client = moto.client();
    const bucket = await freshBucket(client);
    const store = new S3ObjectStore(client, bucket, TEST_OPTIONS);
    const sent = recordCommands(client);
    // Act
    const put = await store.putFile("flights/3m.parquet", BIG_FILE);
    // Assess: 13,493,022 bytes = 5 MiB + 5 MiB + 2,007,582
    expect(sent.filter((c) => c === "UploadPartCommand")).toHaveLength(3);
    expect(sent).toContain("CompleteMultipartUploadCommand");
    expect(put.etag).toMatch(/^[0-9a-f]{32}/);
    expect(await moto.pendingMultipartUploads(bucket)).toEqual([]);
    expect(store.namespace).toBe(`s3://${bucket}`);
  });

  it("sends a file below the threshold as one PutObject", async () => {
    const client = moto.client();
    const store = new S3ObjectStore(client, await freshBucket(client), { multipartThresholdBytes: 64 * MiB });
    const sent = recordCommands(client);
    await store.putFile("flights/3m.parquet", BIG_FILE);
    expect(sent).toEqual(["PutObjectCommand"]);
  });

  it("pages through ListObjectsV2", async () => {
    const client = moto.client();
    const store = new S3ObjectStore(client, await freshBucket(client), { listPageSize: 2 });
    for (const k of ["a", "b", "c", "d", "e"]) await store.put(`p/${k}`, k);
    const sent = recordCommands(client);
    const keys: string[] = [];
    for await (const o of store.list("p/")) keys.push(o.key);
    expect(keys).toEqual(["p/a", "p/b", "p/c", "p/d", "p/e"]);
    expect(sent).toEqual(["ListObjectsV2Command", "ListObjectsV2Command", "ListObjectsV2Command"]);
  });

  it("returns the object's ETag (the md5 of a single-part object) from put and head", async () => {
    const client = moto.client();
    const store = new S3ObjectStore(client, await freshBucket(client), TEST_OPTIONS);
    const put = await store.put("x.txt", "hello");
    expect(put.etag).toBe(md5(Buffer.from("hello")));
    expect((await store.head("x.txt"))?.etag).toBe(put.etag);
  });
});

describe("moto test helper notifications", () => {
  it("delivers ObjectCreated events shaped like S3's, filtered by the bucket's rules", async () => {
    // Prepare
    const s3 = await startMotoS3({
      buckets: ["raw", "other"],
      notifications: { raw: [{ suffix: ".json" }] },
    });
    const events: { bucket: string; key: string; size?: number; eTag?: string; name: string }[] = [];
    const unsubscribe = s3.onObjectCreated((e) => {
      const r = e.Records[0]!;
      events.push({
        bucket: r.s3.bucket.name,
        key: r.s3.object.key,
        size: r.s3.object.size,
        eTag: r.s3.object.eTag,
        name: r.eventName,
      });
    });
    try {
      const client = s3.client();
      const raw = new S3ObjectStore(client, "raw", TEST_OPTIONS);
      // Act
      await raw.put("penguins/training/a b+é.json", "[]");
      await raw.put("penguins/training/skip.csv", "x");
      await new S3ObjectStore(client, "other").put("any.bin", "y");
      await s3.drainNotifications();
      // Assess
      // S3 URL-encodes the key (form encoding: space as +)
      // Each bucket notifies through its own queue, so the two buckets' events may arrive in either order.
      const decoded = events
        .map((e) => ({ ...e, key: decodeURIComponent(e.key.replace(/\+/g, " ")) }))
        .sort((a, b) =>
          a.bucket === b.bucket ? a.key.localeCompare(b.key) : b.bucket.localeCompare(a.bucket),
        );
      expect(decoded).toEqual([
        {
          bucket: "raw",
          key: "penguins/training/a b+é.json",
          size: 2,
          eTag: md5(Buffer.from("[]")),
          name: "ObjectCreated:Put",
        },
        { bucket: "other", key: "any.bin", size: 1, eTag: md5(Buffer.from("y")), name: "ObjectCreated:Put" },
      ]);
      expect(events.find((e) => e.bucket === "raw")!.key).toContain("a+b%2B%C3%A9.json");
    } finally {
      unsubscribe();
      await s3.stop();
    }
  });

  it("surfaces handler failures from drainNotifications", async () => {
    const s3 = await startMotoS3({ buckets: ["raw"] });
    try {
      s3.onObjectCreated(async () => {
        throw new Error("handler broke");
      });
      await new S3ObjectStore(s3.client(), "raw").put("k", "v");
      await expect(s3.drainNotifications()).rejects.toThrow(/1 ObjectCreated handler/);
    } finally {
      await s3.stop();
    }
  });
});
