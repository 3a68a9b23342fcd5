/**
 * Conditional writes (`If-None-Match: *`) for at-least-once delivery: every output key is
 * deterministic, so "already exists" means an earlier or racing attempt wrote it first, and is
 * success. Each returns whether this call wrote the object. Shared by the pipeline, the DVC remote
 * and the lineage store.
 */
import { ObjectExistsError } from "../core/errors.js";
import type { ObjectStore, PutOptions } from "./object-store.js";

/** The content type a key's extension implies, where readers care (browsers, Athena, DVC). */
function contentTypeOf(key: string): string | undefined {
  if (key.endsWith(".json")) return "application/json";
  if (key.endsWith(".html")) return "text/html; charset=utf-8";
  return undefined;
}

export async function putOnce(
  store: ObjectStore,
  key: string,
  body: string | Uint8Array,
  contentType = contentTypeOf(key),
): Promise<boolean> {
  try {
    await store.put(key, body, { ifNoneMatch: true, ...(contentType ? { contentType } : {}) });
    return true;
  } catch (err) {
    if (err instanceof ObjectExistsError) return false;
    throw err;
  }
}

export async function putFileOnce(
  store: ObjectStore,
  key: string,
  file: string,
  options: Pick<PutOptions, "handOver"> = {},
): Promise<boolean> {
  try {
    await store.putFile(key, file, { ...options, ifNoneMatch: true });
    return true;
  } catch (err) {
    if (err instanceof ObjectExistsError) return false;
    throw err;
  }
}

/** A server-side copy of `sourceKey` to `key`, once. */
export async function copyOnce(store: ObjectStore, sourceKey: string, key: string): Promise<boolean> {
  try {
    await store.copy(sourceKey, key, { ifNoneMatch: true });
    return true;
  } catch (err) {
    if (err instanceof ObjectExistsError) return false;
    throw err;
  }
}
