/**
 * Writes to one S3 bucket for S3ObjectStore: a PutObject of bytes, a file in parts, a server-side
 * copy; each optionally create-only (`If-None-Match: *`, ObjectExistsError when the key exists).
 */
import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ObjectExistsError } from "../../core/errors.js";
import type { ObjectInfo, PutOptions, PutResult } from "../../ports/object-store.js";
import { copyObject, MAX_SINGLE_COPY_BYTES } from "./s3-copy.js";
import { backendError, isConditionalConflict, mapS3Error, s3Attempts } from "./s3-errors.js";
import { MultipartFailure, uploadMultipart } from "./s3-multipart.js";
import { putResult } from "./s3-reads.js";

export interface S3WriteTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly head: (key: string) => Promise<ObjectInfo | undefined>;
}

async function assertAbsent(t: S3WriteTarget, key: string): Promise<void> {
  if (await t.head(key)) throw new ObjectExistsError(t.bucket, key);
}

export async function putBytes(
  t: S3WriteTarget,
  operation: "put" | "putFile",
  key: string,
  body: Uint8Array,
  options: PutOptions,
): Promise<PutResult> {
  try {
    const out = await t.client.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: key,
        Body: body,
        ContentLength: body.byteLength,
        ContentType: options.contentType,
        ...(options.ifNoneMatch ? { IfNoneMatch: "*" } : {}),
      }),
    );
    return putResult(key, out.ETag, out.VersionId);
  } catch (err) {
    // A retried conditional put can lose to its own first attempt (written, but the response
    // was lost). Identical bytes under the key mean the write is done, not a conflict.
    if (options.ifNoneMatch && isConditionalConflict(err) && s3Attempts(err) > 1) {
      const existing = await t.head(key);
      if (existing?.etag === createHash("md5").update(body).digest("hex")) {
        return putResult(key, existing.etag, existing.versionId);
      }
    }
    throw mapS3Error(err, operation, t.bucket, key, options.ifNoneMatch);
  }
}

/** A file in parts (multipart upload); an upload that fails is aborted, and the error says so. */
export async function putFileInParts(
  t: S3WriteTarget,
  req: { key: string; file: string; size: number; partSizeBytes: number; concurrency: number },
  options: PutOptions,
): Promise<PutResult> {
  const { key } = req;
  if (options.ifNoneMatch) await assertAbsent(t, key); // fail before uploading gigabytes
  try {
    const out = await uploadMultipart(t.client, {
      bucket: t.bucket,
      ...req,
      contentType: options.contentType,
      ifNoneMatch: options.ifNoneMatch,
    });
    return putResult(key, out.etag, out.versionId);
  } catch (err) {
    if (!(err instanceof MultipartFailure))
      throw mapS3Error(err, "putFile", t.bucket, key, options.ifNoneMatch);
    if (err.abortError !== undefined) {
      throw backendError(err.failure, "putFile", t.bucket, key, {
        uploadId: err.uploadId,
        abortFailed: true,
        abortError: String(err.abortError),
      });
    }
    const mapped = mapS3Error(err.failure, "putFile", t.bucket, key, options.ifNoneMatch);
    Object.assign(mapped.data, { uploadId: err.uploadId, aborted: true });
    throw mapped;
  }
}

/** A server-side copy of an object of the bucket (`size` bytes) to another key of it. */
export async function copyWithin(
  t: S3WriteTarget,
  req: { sourceKey: string; key: string; size: number; maxSingleCopyBytes?: number; partSizeBytes: number },
  options: PutOptions,
): Promise<PutResult> {
  const maxSingle = req.maxSingleCopyBytes ?? MAX_SINGLE_COPY_BYTES;
  // CopyObject carries no If-None-Match: check first. The targets lakeline copies to are content
  // addressed, so a writer racing past the check writes the same bytes.
  if (options.ifNoneMatch && req.size <= maxSingle) await assertAbsent(t, req.key);
  try {
    const out = await copyObject(t.client, {
      bucket: t.bucket,
      ...req,
      maxSingleCopyBytes: maxSingle,
      contentType: options.contentType,
      ifNoneMatch: options.ifNoneMatch,
    });
    return putResult(req.key, out.etag, out.versionId);
  } catch (err) {
    const failure = err instanceof MultipartFailure ? err.failure : err;
    throw mapS3Error(failure, "copy", t.bucket, req.key, options.ifNoneMatch);
  }
}
