import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createS3Client } from "../../src/adapters/aws/s3-client.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { BackendError } from "../../src/core/errors.js";
import {
  type Fault,
  type FaultProxy,
  INTERNAL_ERROR,
  type ProxiedRequest,
  RESET,
  SLOW_DOWN,
  startFaultProxy,
} from "../support/fault-proxy.js";
import { MOTO_CREDENTIALS, type MotoS3Handle, startMotoS3 } from "../support/moto-s3.js";
import { BIG_FILE, md5 } from "./object-store.contract.js";

const MiB = 1024 * 1024;
const MAX_ATTEMPTS = 3;

let s3: MotoS3Handle;
let proxy: FaultProxy;
let client: S3Client;
let store: S3ObjectStore;
let bucketSeq = 0;
let bucket: string;

beforeAll(async () => {
  s3 = await startMotoS3({ buckets: [] });
  proxy = await startFaultProxy(s3);
  client = createS3Client({
    endpoint: proxy.endpoint,
    region: "us-east-1",
    credentials: MOTO_CREDENTIALS,
    maxAttempts: MAX_ATTEMPTS,
  });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await s3?.stop();
});
beforeEach(async () => {
  proxy.setRule(() => undefined);
  bucket = `faults-${++bucketSeq}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ObjectStore(client, bucket, {
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
    partConcurrency: 2,
    sleep: async () => {},
  });
  proxy.requests.length = 0;
});
afterEach(() => proxy.setRule(() => undefined));

/** Apply `fault` to the first `times` requests matching `match`. */
function failFirst(times: number, match: (r: ProxiedRequest) => boolean, fault: Fault): void {
  let left = times;
  proxy.setRule((r) => {
    if (left > 0 && match(r)) {
      left--;
      return fault;
    }
    return undefined;
  });
}

const isPutObject = (r: ProxiedRequest) =>
  r.method === "PUT" && !r.query.has("partNumber") && r.path.split("/").length > 2;
const isGetObject = (r: ProxiedRequest) => r.method === "GET" && r.path.split("/").length > 2;
const isPart = (n: number) => (r: ProxiedRequest) =>
  r.method === "PUT" && r.query.get("partNumber") === String(n);
const faultsOf = (pred: (r: ProxiedRequest) => boolean) =>
  proxy.requests.filter(pred).map((r) => r.fault ?? "ok");

describe("S3ObjectStore under injected faults", () => {
  it("retries a put through a connection reset", async () => {
    failFirst(1, isPutObject, RESET);
    await store.put("raw/a.json", '{"a":1}');
    expect(faultsOf(isPutObject)).toEqual(["reset", "ok"]);
    expect(Buffer.from(await store.get("raw/a.json")).toString()).toBe('{"a":1}');
  });

  it("retries a get through a 500 InternalError", async () => {
    await store.put("raw/b.json", "bee");
    failFirst(1, isGetObject, INTERNAL_ERROR);
    expect(Buffer.from(await store.get("raw/b.json")).toString()).toBe("bee");
    expect(faultsOf(isGetObject)).toEqual(["error", "ok"]);
  });

  it("backs off through two 503 SlowDown answers and reports the attempt numbers", async () => {
    failFirst(2, isPutObject, SLOW_DOWN);
    await store.put("raw/c.json", "sea");
    expect(proxy.requests.filter(isPutObject).map((r) => [r.attempt, r.fault ?? "ok"])).toEqual([
      [1, "error"],
      [2, "error"],
      [3, "ok"],
    ]);
  });

  it("retries one failed part of a multipart upload and completes it", async () => {
    // Prepare: part 2 of 3 fails once with SlowDown
    failFirst(1, isPart(2), SLOW_DOWN);
    // Act
    await store.putFile("big/flights.parquet", BIG_FILE);
    // Assess
    expect(faultsOf(isPart(2))).toEqual(["error", "ok"]);
    expect(proxy.requests.filter((r) => r.query.has("partNumber"))).toHaveLength(4);
    expect(md5(await store.get("big/flights.parquet"))).toBe(md5(await fs.readFile(BIG_FILE)));
    expect(await s3.pendingMultipartUploads(bucket)).toEqual([]);
  });

  it("aborts a multipart upload whose part keeps failing and ends in a BackendError", async () => {
    // Prepare: part 2 always fails
    proxy.setRule((r) => (isPart(2)(r) ? INTERNAL_ERROR : undefined));
    // Act
    const failure = await store.putFile("big/doomed.parquet", BIG_FILE).catch((e: unknown) => e);
    // Assess: a clean error naming the object, the retries spent, and the upload aborted
    expect(failure).toBeInstanceOf(BackendError);
    const err = failure as BackendError;
    expect(err.message).toContain(`s3://${bucket}/big/doomed.parquet`);
    expect(err.data).toMatchObject({
      code: "InternalError",
      status: 500,
      attempts: MAX_ATTEMPTS,
      aborted: true,
    });
    expect(faultsOf(isPart(2))).toEqual(["error", "error", "error"]);
    const aborts = proxy.requests.filter(
      (r) => r.method === "DELETE" && r.query.get("uploadId") === err.data.uploadId,
    );
    expect(aborts).toHaveLength(1);
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(listed.Uploads ?? []).toEqual([]);
    expect(await store.head("big/doomed.parquet")).toBeUndefined();
  });

  it("gives up on a persistent 503 with a BackendError after the configured attempts", async () => {
    proxy.setRule((r) => (isPutObject(r) ? SLOW_DOWN : undefined));
    const failure = await store.put("raw/never.json", "x").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).data).toMatchObject({
      code: "SlowDown",
      status: 503,
      attempts: MAX_ATTEMPTS,
    });
    expect(proxy.requests.filter(isPutObject)).toHaveLength(MAX_ATTEMPTS);
  });

  it("treats a conditional put that lost its response to its own first attempt as done", async () => {
    // Prepare: the first PUT is written, but its response never arrives; the retry gets 412
    failFirst(1, isPutObject, { kind: "drop-response" });
    // Act
    const put = await store.put("runs/once.json", '{"run":1}', { ifNoneMatch: true });
    // Assess
    expect(put.etag).toBe(md5(Buffer.from('{"run":1}')));
    expect(faultsOf(isPutObject)).toEqual(["drop-response", "ok"]);
    expect(Buffer.from(await store.get("runs/once.json")).toString()).toBe('{"run":1}');
  });

  it("re-reads an object whose body broke off mid-stream, for get and download", async () => {
    // Prepare
    await store.put("raw/body.bin", Buffer.alloc(2 * MiB, 7));
    const truncate: Fault = { kind: "truncate-body", bytes: 64 * 1024 };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-faults-"));
    try {
      // Act
      failFirst(1, isGetObject, truncate);
      const bytes = await store.get("raw/body.bin");
      failFirst(1, isGetObject, truncate);
      const info = await store.download("raw/body.bin", path.join(dir, "body.bin"));
      // Assess
      expect(bytes.byteLength).toBe(2 * MiB);
      expect(info.size).toBe(2 * MiB);
      expect((await fs.stat(path.join(dir, "body.bin"))).size).toBe(2 * MiB);
      expect(await fs.readdir(dir)).toEqual(["body.bin"]);
      expect(faultsOf(isGetObject)).toEqual(["truncate-body", "ok", "truncate-body", "ok"]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
