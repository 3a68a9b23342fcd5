/**
 * The pipeline's writes and reads of its own outputs: conditional writes (ports/conditional-put.ts),
 * publishing a finished file with the version of the bytes stored, the md5 of a stored object, and
 * the one read the bookkeeping needs (markers, claims, statistics are small JSON objects).
 */
import { pipeline } from "node:stream/promises";
import { putFileOnce } from "../../ports/conditional-put.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ArtifactTypeName, DatasetRef } from "../lineage/recorder.js";
import { createMd5Tap, type FileDigest, md5File } from "./hash-files.js";

export { putFileOnce, putOnce } from "../../ports/conditional-put.js";

/** The md5 and size of a stored object, read once (an S3 ETag is not an md5 under KMS or multipart). */
export async function md5Stored(store: ObjectStore, key: string): Promise<{ md5: string; size: number }> {
  const local = store.localPath?.(key);
  if (local) return md5File(local);
  const tap = createMd5Tap();
  await pipeline(await store.getStream(key), tap, async (source: AsyncIterable<Buffer>) => {
    for await (const _ of source);
  });
  return tap.done;
}

/**
 * Publish a finished file of the run's own (scratch, handed over: see PutOptions) under `key` and
 * describe it for lineage (its md5 is its version). `digest` is the file's md5 when the caller has
 * already read it (the valid rows are hashed while the statistics still run).
 */
export async function publishFile(
  store: ObjectStore,
  key: string,
  file: string,
  artifact: { artifactType: ArtifactTypeName } & Omit<
    DatasetRef,
    "namespace" | "name" | "version" | "size" | "artifactType"
  >,
  digest?: FileDigest,
): Promise<DatasetRef> {
  // The version describes the stored bytes: if an earlier attempt (before a crash and replay, or a
  // racing delivery) stored this key first, its bytes stay, and they need not equal ours (DuckDB
  // writes rows in parallel, in no fixed order).
  const stored = (await putFileOnce(store, key, file, { handOver: true }))
    ? (digest ?? (await md5File(file)))
    : await md5Stored(store, key);
  return { namespace: store.namespace, name: key, version: stored.md5, size: stored.size, ...artifact };
}

export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  if (!(await store.head(key))) return undefined;
  return JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as T;
}
