/**
 * Reads of one S3 bucket for S3ObjectStore: whole objects, streams, downloads to a local file,
 * heads and paged listings. A read may be pinned to an object version (the version an S3 event
 * names); a body that breaks off after the headers arrived is read again (the SDK's own retries end
 * there).
 */
import { randomUUID } from "node:crypto";
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
  type S3Client,
} from "@aws-sdk/client-s3";
import { createMd5Tap } from "../../core/hash/md5-tap.js";
import type { DownloadedObject, ObjectInfo, PutResult } from "../../ports/object-store.js";
import { type Sleep, withBackoff } from "./retry.js";
import { isNotFound, isSdkError, mapS3Error } from "./s3-errors.js";

export interface S3ReadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  /** The version a read of `key` is pinned to, if any. */
  readonly versionOf: (key: string) => string | undefined;
  /** Attempts for a read whose body broke off. */
  readonly attempts: number;
  readonly sleep?: Sleep;
}

function getObject(t: S3ReadTarget, key: string): Promise<GetObjectCommandOutput> {
  return t.client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key, VersionId: t.versionOf(key) }));
}

const BROKEN_STREAM_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ERR_STREAM_PREMATURE_CLOSE"]);

/** A response body that broke off (not a service error, and not e.g. a full local disk). */
function isBrokenBody(err: unknown): boolean {
  if (isSdkError(err)) return false;
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code !== undefined && BROKEN_STREAM_CODES.has(code)) || /aborted|premature/i.test(String(err));
}

/** Retry reads whose body broke mid-way: the SDK's retry ends once the headers arrived. */
async function withBodyRetries<T>(
  t: S3ReadTarget,
  operation: "get" | "download",
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await withBackoff({ maxAttempts: t.attempts, sleep: t.sleep, retryable: isBrokenBody }, read);
  } catch (err) {
    throw mapS3Error(err, operation, t.bucket, key);
  }
}

export function getBytes(t: S3ReadTarget, key: string): Promise<Uint8Array> {
  return withBodyRetries(t, "get", key, async () => {
    const out = await getObject(t, key);
    return out.Body!.transformToByteArray();
  });
}

export async function getStream(t: S3ReadTarget, key: string): Promise<Readable> {
  const out = await getObject(t, key).catch((err: unknown) => {
    throw mapS3Error(err, "getStream", t.bucket, key);
  });
  return out.Body as Readable;
}

export async function downloadObject(
  t: S3ReadTarget,
  key: string,
  target: string,
): Promise<DownloadedObject> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  // Written beside the target and renamed, so `target` never holds a partial object; hashed as it
  // streams, so the caller need not read it again.
  const tmp = `${target}.${randomUUID()}.part`;
  try {
    const info = await withBodyRetries(t, "download", key, async () => {
      const out = await getObject(t, key);
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

export async function headObject(t: S3ReadTarget, key: string): Promise<ObjectInfo | undefined> {
  try {
    const out = await t.client.send(
      new HeadObjectCommand({ Bucket: t.bucket, Key: key, VersionId: t.versionOf(key) }),
    );
    return objectInfo(key, out);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw mapS3Error(err, "head", t.bucket, key);
  }
}

export async function* listObjects(
  t: Pick<S3ReadTarget, "client" | "bucket">,
  prefix: string,
  pageSize: number | undefined,
): AsyncIterable<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await t.client
      .send(
        new ListObjectsV2Command({
          Bucket: t.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
          MaxKeys: pageSize,
        }),
      )
      .catch((err: unknown) => {
        throw mapS3Error(err, "list", t.bucket, prefix);
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

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

export function putResult(key: string, etag: string | undefined, versionId: string | undefined): PutResult {
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
