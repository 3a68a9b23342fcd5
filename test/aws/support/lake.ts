/** Reading the lake on moto back into the test: objects to files, Parquet through DuckDB. */
import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { listKeys } from "./deployment.js";

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

/** Download every object under `prefix` into `dir`, keeping the key's path below the prefix. */
export async function downloadPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
): Promise<string[]> {
  const files: string[] = [];
  for (const key of await listKeys(s3, bucket, prefix)) {
    const file = path.join(dir, ...key.slice(prefix.length).split("/"));
    await fs.mkdir(path.dirname(file), { recursive: true });
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(out.Body as Readable, createWriteStream(file));
    files.push(file);
  }
  return files;
}
