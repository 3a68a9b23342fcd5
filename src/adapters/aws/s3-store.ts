import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { assertSafeKey } from "../../contract/raw-key.js";
import { ObjectExistsError, ObjectNotFoundError } from "../../core/errors.js";
import { createMd5Tap } from "../../core/hash/md5-tap.js";
import type {
  DownloadedObject,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  PutResult,
} from "../../ports/object-store.js";
import { type Sleep, withBackoff } from "./retry.js";
import { copyObject, MAX_SINGLE_COPY_BYTES } from "./s3-copy.js";
import {
  backendError,
  isConditionalConflict,
  isNotFound,
  isSdkError,
  mapS3Error,
  s3Attempts,
} from "./s3-errors.js";
import { MultipartFailure, uploadMultipart } from "./s3-multipart.js";

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
  private readonly attempts: number;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly options: S3ObjectStoreOptions = {},
  ) {
    this.namespace = `s3://${bucket}`;
    this.partSize = options.partSizeBytes ?? 16 * MiB;
    this.threshold = Math.max(options.multipartThresholdBytes ?? 64 * MiB, 1);
    this.concurrency = Math.max(1, options.partConcurrency ?? 4);
    this.attempts = Math.max(1, options.maxAttempts ?? 3);
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(key);
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    return this.putBytes("put", key, bytes, options);
  }

  async putFile(key: string, file: string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(key);
    const { size } = await fs.stat(file);
    // Below the threshold the whole file is one Buffer: the SDK can then resend it on a retry,
    // which it cannot do with a half-consumed file stream.
    if (size < this.threshold) return this.putBytes("putFile", key, await fs.readFile(file), options);
    if (options.ifNoneMatch) await this.assertAbsent(key); // fail before uploading gigabytes
    try {
      const out = await uploadMultipart(this.client, {
        bucket: this.bucket,
        key,
        file,
        size,
        partSizeBytes: this.partSize,
        concurrency: this.concurrency,
        contentType: options.contentType,
        ifNoneMatch: options.ifNoneMatch,
      });
      return result(key, out.etag, out.versionId);
    } catch (err) {
      if (!(err instanceof MultipartFailure))
        throw mapS3Error(err, "putFile", this.bucket, key, options.ifNoneMatch);
      if (err.abortError !== undefined) {
        throw backendError(err.failure, "putFile", this.bucket, key, {
          uploadId: err.uploadId,
          abortFailed: true,
          abortError: String(err.abortError),
        });
      }
      const mapped = mapS3Error(err.failure, "putFile", this.bucket, key, options.ifNoneMatch);
      Object.assign(mapped.data, { uploadId: err.uploadId, aborted: true });
      throw mapped;
    }
  }

  async copy(sourceKey: string, key: string, options: PutOptions = {}): Promise<PutResult> {
    assertSafeKey(sourceKey);
    assertSafeKey(key);
    const source = await this.head(sourceKey);
    if (!source) throw new ObjectNotFoundError(this.bucket, sourceKey);
    const maxSingle = this.options.maxSingleCopyBytes ?? MAX_SINGLE_COPY_BYTES;
    // CopyObject carries no If-None-Match: check first. The targets lakeline copies to are content
    // addressed, so a writer racing past the check writes the same bytes.
    if (options.ifNoneMatch && source.size <= maxSingle) await this.assertAbsent(key);
    try {
      const out = await copyObject(this.client, {
        bucket: this.bucket,
        sourceKey,
        key,
        size: source.size,
        maxSingleCopyBytes: maxSingle,
        partSizeBytes: this.options.copyPartSizeBytes ?? 512 * MiB,
        contentType: options.contentType,
        ifNoneMatch: options.ifNoneMatch,
      });
      return result(key, out.etag, out.versionId);
    } catch (err) {
      const failure = err instanceof MultipartFailure ? err.failure : err;
      throw mapS3Error(failure, "copy", this.bucket, key, options.ifNoneMatch);
    }
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

  private pins = new Map<string, string>();

  async get(key: string): Promise<Uint8Array> {
    assertSafeKey(key);
    return this.withBodyRetries("get", key, async () => {
      const out = await this.getObject(key);
      return out.Body!.transformToByteArray();
    });
  }

  async getStream(key: string): Promise<Readable> {
    assertSafeKey(key);
    const out = await this.getObject(key).catch((err: unknown) => {
      throw mapS3Error(err, "getStream", this.bucket, key);
    });
    return out.Body as Readable;
  }

  async download(key: string, target: string): Promise<DownloadedObject> {
    assertSafeKey(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Written beside the target and renamed, so `target` never holds a partial object; hashed as it
    // streams, so the caller need not read it again.
    const tmp = `${target}.${randomUUID()}.part`;
    try {
      const info = await this.withBodyRetries("download", key, async () => {
        const out = await this.getObject(key);
        const tap = createMd5Tap();
        await pipeline(out.Body as Readable, tap, createWriteStream(tmp));
        return { ...objectInfo(key, out), md5: (await tap.done).md5 };
      });
      await fs.rename(tmp, target);
      return info;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: this.pins.get(key) }),
      );
      return objectInfo(key, out);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw mapS3Error(err, "head", this.bucket, key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            ContinuationToken: token,
            MaxKeys: this.options.listPageSize,
          }),
        )
        .catch((err: unknown) => {
          throw mapS3Error(err, "list", this.bucket, prefix);
        });
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          key: o.Key,
          size: o.Size ?? 0,
          ...(o.ETag ? { etag: unquote(o.ETag) } : {}),
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async putBytes(
    operation: "put" | "putFile",
    key: string,
    body: Uint8Array,
    options: PutOptions,
  ): Promise<PutResult> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: options.contentType,
          ...(options.ifNoneMatch ? { IfNoneMatch: "*" } : {}),
        }),
      );
      return result(key, out.ETag, out.VersionId);
    } catch (err) {
      // A retried conditional put can lose to its own first attempt (written, but the response
      // was lost). Identical bytes under the key mean the write is done, not a conflict.
      if (options.ifNoneMatch && isConditionalConflict(err) && s3Attempts(err) > 1) {
        const existing = await this.head(key);
        if (existing?.etag === createHash("md5").update(body).digest("hex")) {
          return result(key, existing.etag, existing.versionId);
        }
      }
      throw mapS3Error(err, operation, this.bucket, key, options.ifNoneMatch);
    }
  }

  private async assertAbsent(key: string): Promise<void> {
    if (await this.head(key)) throw new ObjectExistsError(this.bucket, key);
  }

  private getObject(key: string): Promise<GetObjectCommandOutput> {
    return this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: this.pins.get(key) }),
    );
  }

  /** Retry reads whose body broke mid-way: the SDK's retry ends once the headers arrived. */
  private async withBodyRetries<T>(
    operation: "get" | "download",
    key: string,
    read: () => Promise<T>,
  ): Promise<T> {
    try {
      return await withBackoff(
        { maxAttempts: this.attempts, sleep: this.options.sleep, retryable: isBrokenBody },
        read,
      );
    } catch (err) {
      throw mapS3Error(err, operation, this.bucket, key);
    }
  }
}

const BROKEN_STREAM_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ERR_STREAM_PREMATURE_CLOSE"]);

/** A response body that broke off (not a service error, and not e.g. a full local disk). */
function isBrokenBody(err: unknown): boolean {
  if (isSdkError(err)) return false;
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code !== undefined && BROKEN_STREAM_CODES.has(code)) || /aborted|premature/i.test(String(err));
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

function result(key: string, etag: string | undefined, versionId: string | undefined): PutResult {
  return { key, ...(etag ? { etag: unquote(etag) } : {}), ...(versionId ? { versionId } : {}) };
}

function objectInfo(
  key: string,
  out: { ContentLength?: number; ETag?: string; VersionId?: string; LastModified?: Date },
): ObjectInfo {
  return {
    key,
    size: out.ContentLength ?? 0,
    ...(out.ETag ? { etag: unquote(out.ETag) } : {}),
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
    ...(out.LastModified ? { lastModified: out.LastModified } : {}),
  };
}
