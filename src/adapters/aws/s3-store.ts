/**
 * The ObjectStore port over one S3 bucket. Reads are in s3-reads.ts (version pins, body retries,
 * paged listings), writes in s3-writes.ts (create-only puts, multipart files, server-side copies).
 */
import * as fs from "node:fs/promises";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { assertSafeKey } from "../../contract/raw-key.js";
import { ObjectNotFoundError } from "../../core/errors.js";
import type {
  DownloadedObject,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  PutResult,
} from "../../ports/object-store.js";
import type { Sleep } from "./retry.js";
import {
  downloadObject,
  getBytes,
  getStream,
  headObject,
  listObjects,
  type S3ReadTarget,
} from "./s3-reads.js";
import { copyWithin, putBytes, putFileInParts, type S3WriteTarget } from "./s3-writes.js";

const MiB = 1024 * 1024;

export interface S3ObjectStoreOptions {
  /** Files of at least this many bytes upload in parts. @default 64 MiB */
  readonly multipartThresholdBytes?: number;
  /** Part size of multipart uploads; S3 needs at least 5 MiB for all parts but the last. @default 16 MiB */
  readonly partSizeBytes?: number;
  /** Objects above this size are copied in parts (UploadPartCopy). @default 5 GiB, the CopyObject limit */
  readonly maxSingleCopyBytes?: number;
  /** Part size of a copy in parts. @default 512 MiB */
  readonly copyPartSizeBytes?: number;
  /** Parts uploaded at once. @default 4 */
  readonly partConcurrency?: number;
  /**
   * Attempts for reads whose body breaks after the response started (get, download). Request
   * level retries are the S3Client's own (`maxAttempts` of its config, see createS3Client).
   * @default 3
   */
  readonly maxAttempts?: number;
  /** Objects per ListObjectsV2 page. @default 1000 (the S3 maximum) */
  readonly listPageSize?: number;
  readonly sleep?: Sleep;
}

/** An ObjectStore over one S3 bucket; the S3Client (region, endpoint, retries) is injected. */
export class S3ObjectStore implements ObjectStore {
  readonly namespace: string;
  private readonly threshold: number;
  private readonly partSize: number;
  private readonly concurrency: number;
  private readonly reads: S3ReadTarget;
  private readonly writes: S3WriteTarget;
  private pins = new Map<string, string>();

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly options: S3ObjectStoreOptions = {},
  ) {
    this.namespace = `s3://${bucket}`;
    this.partSize = options.partSizeBytes ?? 16 * MiB;
    this.threshold = Math.max(options.multipartThresholdBytes ?? 64 * MiB, 1);
    this.concurrency = Math.max(1, options.partConcurrency ?? 4);
    this.reads = {
      client,
      bucket,
      versionOf: (key) => this.pins.get(key),
      attempts: Math.max(1, options.maxAttempts ?? 3),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    };
    this.writes = { client, bucket, head: (key) => this.head(key) };
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(key);
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    return putBytes(this.writes, "put", key, bytes, options);
  }

  async putFile(key: string, file: string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(key);
    const { size } = await fs.stat(file);
    // Below the threshold the whole file is one Buffer: the SDK can then resend it on a retry,
    // which it cannot do with a half-consumed file stream.
    if (size < this.threshold) return putBytes(this.writes, "putFile", key, await fs.readFile(file), options);
    const req = { key, file, size, partSizeBytes: this.partSize, concurrency: this.concurrency };
    return putFileInParts(this.writes, req, options);
  }

  async copy(sourceKey: string, key: string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(sourceKey);
    assertSafeKey(key);
    const source = await this.head(sourceKey);
    if (!source) throw new ObjectNotFoundError(this.bucket, sourceKey);
    const req = {
      sourceKey,
      key,
      size: source.size,
      ...(this.options.maxSingleCopyBytes ? { maxSingleCopyBytes: this.options.maxSingleCopyBytes } : {}),
      partSizeBytes: this.options.copyPartSizeBytes ?? 512 * MiB,
    };
    return copyWithin(this.writes, req, options);
  }

  /**
   * This store with reads of `key` pinned to one object version (the version an S3 event names):
   * a second upload to the same key before the first is ingested must not be read in its place.
   */
  atVersion(key: string, versionId: string): S3ObjectStore {
    const pinned = new S3ObjectStore(this.client, this.bucket, this.options);
    pinned.pins = new Map([...this.pins, [key, versionId]]);
    return pinned;
  }

  async get(key: string): Promise<Uint8Array> {
    assertSafeKey(key);
    return getBytes(this.reads, key);
  }

  async getStream(key: string): Promise<Readable> {
    assertSafeKey(key);
    return getStream(this.reads, key);
  }

  async download(key: string, target: string): Promise<DownloadedObject> {
    assertSafeKey(key);
    return downloadObject(this.reads, key, target);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertSafeKey(key);
    return headObject(this.reads, key);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return listObjects(this.reads, prefix, this.options.listPageSize);
  }
}
