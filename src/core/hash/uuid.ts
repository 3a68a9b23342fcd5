import { createHash } from "node:crypto";

/** Namespace of every lakeline-derived UUID (itself uuid5(NAMESPACE_URL, "https://github.com/lakeline/lakeline")). */
export const LAKELINE_UUID_NAMESPACE = "52eb7ae7-72cb-5738-996e-a257dbf3ce42";

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return Buffer.from(hex, "hex");
}

/** RFC 4122 version 5 UUID (sha1 of namespace bytes + name bytes) — same as Python's `uuid.uuid5`. */
export function uuidV5(namespace: string, name: string): string {
  const digest = createHash("sha1").update(uuidBytes(namespace)).update(name, "utf8").digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUID that depends only on `parts` (in order). Parts are JSON-encoded as an array so that
 * ("a/b", "c") and ("a", "b/c") never collide. Used for run ids derived from
 * (bucket, key, version/etag, pipeline version, schema version) and for lineage record ids.
 */
export function deterministicUuid(...parts: string[]): string {
  return uuidV5(LAKELINE_UUID_NAMESPACE, JSON.stringify(parts));
}
