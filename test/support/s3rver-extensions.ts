/**
 * What s3rver 3 lacks or gets wrong, mended over its own on-disk layout so the adapter runs
 * against S3 semantics rather than against s3rver's gaps:
 * - AbortMultipartUpload (s3rver answers 405) and ListMultipartUploads (501): without them the
 *   adapter's clean-up path could not be exercised against a server at all;
 * - ListObjectsV2 pagination: s3rver encrypts continuation tokens with DES, which OpenSSL 3
 *   (Node ≥ 17) refuses, so any truncated listing fails with 500 InternalError;
 * - atomic object writes: s3rver writes the object file in place and resolves before its write
 *   stream has flushed, so a concurrent GET can read a truncated object (S3 never does);
 * - conditional writes (`If-None-Match: *` → 412), optional: s3rver ignores the header on writes.
 */
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type S3rver from "s3rver";

type KoaContext = {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
};

/** The parts of s3rver's FilesystemStore used here. */
interface Store {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5: string): Promise<void>;
  listObjects(
    bucket: string,
    options: { prefix?: string; maxKeys?: number },
  ): Promise<{
    objects: { key: string; size: number; lastModifiedDate: Date; metadata: Record<string, string> }[];
  }>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, unknown>;
}

function storeOf(server: S3rver): Store {
  return server.store as unknown as Store;
}

function uploadsDir(root: string, bucket: string): string {
  return path.join(root, bucket, "._S3rver_uploads");
}

export async function listUploads(
  root: string,
  bucket: string,
): Promise<{ key: string; uploadId: string }[]> {
  const dir = uploadsDir(root, bucket);
  if (!existsSync(dir)) return [];
  const out: { key: string; uploadId: string }[] = [];
  for (const uploadId of (await fs.readdir(dir)).sort()) {
    const key = await fs.readFile(path.join(dir, uploadId, "key"), "utf8").catch(() => undefined);
    if (key !== undefined) out.push({ key, uploadId });
  }
  return out;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function xml(ctx: KoaContext, body: string): void {
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function xmlError(ctx: KoaContext, status: number, code: string, message: string): void {
  xml(ctx, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
  ctx.status = status;
}

function queryString(ctx: KoaContext, name: string): string | undefined {
  const v = ctx.query[name];
  return typeof v === "string" ? v : undefined;
}

/** Koa middleware answering the requests s3rver cannot; everything else passes through. */
export function missingApis(server: S3rver, conditionalWrites: boolean) {
  const store = storeOf(server);
  const root = store.rootDirectory;
  return async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    const [bucket, ...keyParts] = ctx.path.slice(1).split("/").map(decodeURIComponent);
    const key = keyParts.join("/");
    const uploadId = queryString(ctx, "uploadId");
    if (!bucket) return next();

    if (ctx.method === "DELETE" && key && uploadId) {
      const dir = path.join(uploadsDir(root, bucket), path.basename(uploadId));
      if (!existsSync(dir)) return xmlError(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === "GET" && !key && "uploads" in ctx.query) {
      const uploads = await listUploads(root, bucket);
      return xml(
        ctx,
        `<ListMultipartUploadsResult><Bucket>${xmlEscape(bucket)}</Bucket>${uploads
          .map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId></Upload>`)
          .join("")}<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`,
      );
    }
    if (
      ctx.method === "GET" &&
      !key &&
      queryString(ctx, "list-type") === "2" &&
      !queryString(ctx, "delimiter")
    ) {
      if (!(await store.getBucket(bucket))) {
        return xmlError(ctx, 404, "NoSuchBucket", "The specified bucket does not exist");
      }
      return listObjectsV2(ctx, store, bucket);
    }
    const writesObject = (ctx.method === "PUT" && !uploadId) || (ctx.method === "POST" && uploadId);
    if (conditionalWrites && key && writesObject && ctx.headers["if-none-match"] === "*") {
      if (existsSync(store.getResourcePath(bucket, key, "object"))) {
        return xmlError(
          ctx,
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
        );
      }
    }
    return next();
  };
}

/** ListObjectsV2 with an opaque continuation token (the last key, base64url). */
async function listObjectsV2(ctx: KoaContext, store: Store, bucket: string): Promise<void> {
  const prefix = queryString(ctx, "prefix") ?? "";
  const maxKeys = Math.min(1000, Number(queryString(ctx, "max-keys") ?? 1000));
  const token = queryString(ctx, "continuation-token");
  const startAfter = token
    ? Buffer.from(token, "base64url").toString("utf8")
    : (queryString(ctx, "start-after") ?? "");
  // s3rver walks directories, which is not S3's UTF-8 key order ("a-x" sorts before "a/1").
  const { objects } = await store.listObjects(bucket, { prefix });
  const sorted = objects
    .filter((o) => o.key > startAfter)
    .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const page = sorted.slice(0, maxKeys);
  const truncated = sorted.length > page.length;
  const next = truncated ? Buffer.from(page[page.length - 1]!.key).toString("base64url") : undefined;
  const contents = page
    .map(
      (o) =>
        `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModifiedDate.toISOString()}</LastModified>` +
        `<ETag>${xmlEscape(String(o.metadata.etag))}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  xml(
    ctx,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name>` +
      `<Prefix>${xmlEscape(prefix)}</Prefix>${token ? `<ContinuationToken>${token}</ContinuationToken>` : ""}` +
      `${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ""}<KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}</ListBucketResult>`,
  );
}

/**
 * Replace s3rver's object write with one that writes a temporary file, waits for it to be on
 * disk, records the metadata, and only then renames it into place: s3rver treats an object as
 * existing as soon as its file does, so the rename is the moment it appears, whole.
 */
export function atomicPuts(server: S3rver): void {
  const store = storeOf(server);
  store.putObject = async (object: StoredObject) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, "object");
    await fs.mkdir(path.dirname(objectPath), { recursive: true });
    const tmp = `${objectPath}.${randomUUID()}.tmp`;
    const hash = createHash("md5");
    let size = 0;
    const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        content,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(tmp),
      );
      const md5 = hash.digest("hex");
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      await fs.rename(tmp, objectPath);
      return { size, md5 };
    } finally {
      await fs.rm(tmp, { force: true });
    }
  };
}
