import * as fs from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mapLimit } from "../../core/map-limit.js";

export interface MultipartRequest {
  readonly bucket: string;
  readonly key: string;
  readonly file: string;
  readonly size: number;
  readonly partSizeBytes: number;
  readonly concurrency: number;
  readonly contentType?: string;
  /** Send `If-None-Match: *` with CompleteMultipartUpload, so the object is created only once. */
  readonly ifNoneMatch?: boolean;
}

export interface MultipartOutcome {
  readonly etag?: string;
  readonly versionId?: string;
}

/** The upload failed; `abortError` is set when the clean-up failed too (parts may be left). */
export class MultipartFailure extends Error {
  override readonly name = "MultipartFailure";
  constructor(
    readonly uploadId: string,
    readonly failure: unknown,
    readonly abortError?: unknown,
  ) {
    super(`multipart upload ${uploadId} failed`, { cause: failure });
  }
}

/**
 * Upload a file in parts read straight from disk, a few in flight at once. Each part is a
 * Buffer, so the SDK can resend it on a retryable failure. Any failure aborts the upload after
 * every in-flight part has settled: an abort racing a part upload can leave that part behind.
 */
export async function uploadMultipart(client: S3Client, req: MultipartRequest): Promise<MultipartOutcome> {
  return inParts(client, req, (uploadId) => uploadParts(client, req, uploadId));
}

/**
 * The frame of every multipart write: create the upload, let `parts` fill it, complete it (with
 * `If-None-Match: *` when asked), and on any failure abort it, reporting a failed abort too.
 */
export async function inParts(
  client: S3Client,
  req: {
    readonly bucket: string;
    readonly key: string;
    readonly contentType?: string;
    readonly ifNoneMatch?: boolean;
  },
  parts: (uploadId: string) => Promise<CompletedPart[]>,
): Promise<MultipartOutcome> {
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, ContentType: req.contentType }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload returned no UploadId for ${req.key}`);
  try {
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: req.bucket,
        Key: req.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: await parts(uploadId) },
        ...(req.ifNoneMatch ? { IfNoneMatch: "*" } : {}),
      }),
    );
    return { etag: done.ETag, versionId: done.VersionId };
  } catch (failure) {
    try {
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, UploadId: uploadId }),
      );
    } catch (abortError) {
      throw new MultipartFailure(uploadId, failure, abortError);
    }
    throw new MultipartFailure(uploadId, failure);
  }
}

async function uploadParts(
  client: S3Client,
  req: MultipartRequest,
  uploadId: string,
): Promise<CompletedPart[]> {
  const count = Math.max(1, Math.ceil(req.size / req.partSizeBytes));
  const handle = await fs.open(req.file, "r");
  try {
    // mapLimit starts no part after a failure and settles those in flight before the handle closes.
    const indexes = Array.from({ length: count }, (_, i) => i);
    return await mapLimit(indexes, req.concurrency, (index) =>
      uploadPart(client, req, uploadId, handle, index),
    );
  } finally {
    await handle.close();
  }
}

async function uploadPart(
  client: S3Client,
  req: MultipartRequest,
  uploadId: string,
  handle: fs.FileHandle,
  index: number,
): Promise<CompletedPart> {
  const offset = index * req.partSizeBytes;
  const length = Math.min(req.partSizeBytes, req.size - offset);
  const body = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(body, 0, length, offset);
  if (bytesRead !== length) throw new Error(`${req.file} changed size during upload`);
  const out = await client.send(
    new UploadPartCommand({
      Bucket: req.bucket,
      Key: req.key,
      UploadId: uploadId,
      PartNumber: index + 1,
      Body: body,
      ContentLength: length,
    }),
  );
  return { PartNumber: index + 1, ETag: out.ETag };
}
