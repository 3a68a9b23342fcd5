/**
 * Server-side copy within a bucket: the bytes never leave S3. CopyObject takes objects up to 5 GiB;
 * larger ones are copied in parts (UploadPartCopy, byte ranges of the source), as S3 requires.
 */
import {
  type CompletedPart,
  CopyObjectCommand,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { inParts, type MultipartOutcome } from "./s3-multipart.js";

/** The largest object one CopyObject may copy. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

export interface CopyRequest {
  readonly bucket: string;
  readonly sourceKey: string;
  readonly key: string;
  /** Size of the source object. */
  readonly size: number;
  /** Above this size the copy goes in parts. @default 5 GiB */
  readonly maxSingleCopyBytes?: number;
  /** Part size of a copy in parts (S3: at least 5 MiB, at most 5 GiB). */
  readonly partSizeBytes: number;
  readonly contentType?: string;
  /** Send `If-None-Match: *` with CompleteMultipartUpload (copies in parts only). */
  readonly ifNoneMatch?: boolean;
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

export async function copyObject(client: S3Client, req: CopyRequest): Promise<MultipartOutcome> {
  if (req.size <= (req.maxSingleCopyBytes ?? MAX_SINGLE_COPY_BYTES)) {
    const out = await client.send(
      new CopyObjectCommand({
        Bucket: req.bucket,
        Key: req.key,
        CopySource: copySource(req.bucket, req.sourceKey),
        ...(req.contentType ? { ContentType: req.contentType, MetadataDirective: "REPLACE" } : {}),
      }),
    );
    return { etag: out.CopyObjectResult?.ETag, versionId: out.VersionId };
  }
  return copyInParts(client, req);
}

function copyInParts(client: S3Client, req: CopyRequest): Promise<MultipartOutcome> {
  return inParts(client, req, async (uploadId) => {
    const parts: CompletedPart[] = [];
    // One part at a time: each is a server-side copy, so the function's network and memory stay idle.
    for (let offset = 0, n = 1; offset < req.size; offset += req.partSizeBytes, n++) {
      const last = Math.min(req.size, offset + req.partSizeBytes) - 1;
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: req.bucket,
          Key: req.key,
          UploadId: uploadId,
          PartNumber: n,
          CopySource: copySource(req.bucket, req.sourceKey),
          CopySourceRange: `bytes=${offset}-${last}`,
        }),
      );
      parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag });
    }
    return parts;
  });
}
