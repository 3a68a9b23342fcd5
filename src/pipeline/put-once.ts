/**
 * Conditional writes for at-least-once delivery: every output key is deterministic, so "already
 * exists" means a re-delivered or racing run wrote it first, and is success. Plus the one read the
 * pipeline's bookkeeping needs (markers, claims, statistics are small JSON objects).
 */
import { md5File } from "../adapters/local/hash-fs.js";
import { ObjectExistsError } from "../core/errors.js";
import type { ArtifactTypeName, DatasetRef } from "../lineage/recorder.js";
import type { ObjectStore } from "../ports/object-store.js";

function contentTypeOf(key: string): string | undefined {
  if (key.endsWith(".json")) return "application/json";
  if (key.endsWith(".html")) return "text/html; charset=utf-8";
  return undefined;
}

export async function putOnce(store: ObjectStore, key: string, body: string | Uint8Array): Promise<void> {
  try {
    const contentType = contentTypeOf(key);
    await store.put(key, body, { ifNoneMatch: true, ...(contentType ? { contentType } : {}) });
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
}

export async function putFileOnce(store: ObjectStore, key: string, file: string): Promise<void> {
  try {
    await store.putFile(key, file, { ifNoneMatch: true });
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
}

/** Publish a finished local file under `key` and describe it for lineage (its md5 is its version). */
export async function publishFile(
  store: ObjectStore,
  key: string,
  file: string,
  artifact: { artifactType: ArtifactTypeName } & Omit<
    DatasetRef,
    "namespace" | "name" | "version" | "size" | "artifactType"
  >,
): Promise<DatasetRef> {
  const digest = await md5File(file);
  await putFileOnce(store, key, file);
  return { namespace: store.namespace, name: key, version: digest.md5, size: digest.size, ...artifact };
}

export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  if (!(await store.head(key))) return undefined;
  return JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as T;
}
