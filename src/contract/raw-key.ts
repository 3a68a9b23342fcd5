import { InvalidKeyError, UsageError } from "../core/errors.js";
import { SERVING, TRAINING } from "../core/schema/types.js";

const DATASET_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Dataset names become Glue table names and path segments: lowercase snake_case only. */
export function assertDatasetName(name: string): string {
  if (!DATASET_NAME.test(name)) {
    throw new UsageError(
      `invalid dataset name ${JSON.stringify(name)}: use lowercase letters, digits and _ (starting with a letter, at most 63)`,
      { dataset: name },
    );
  }
  return name;
}

/**
 * What makes a key unsafe, but its length: a leading `/`, a backslash, a NUL, an empty segment
 * before the last (`//`), a `.` or `..` segment.
 */
const UNSAFE = /^\/|\\|\0|\/\/|(?:^|\/)\.\.?(?:\/|$)/;
/** Below this many UTF-16 units a key is under 1024 UTF-8 bytes (at most 3 bytes per unit). */
const SURELY_SHORT = 341;

/** Reject keys that could escape a zone or that S3 and filesystems disagree on. */
export function assertSafeKey(key: string): string {
  // One native scan for the keys every listing and view names; the checks below name the fault.
  if (key.length > 0 && key.length <= SURELY_SHORT && !UNSAFE.test(key)) return key;
  if (key.length === 0) throw new InvalidKeyError(key, "empty key");
  if (Buffer.byteLength(key, "utf8") > 1024) throw new InvalidKeyError(key, "longer than 1024 bytes");
  if (key.startsWith("/")) throw new InvalidKeyError(key, "absolute paths are not keys");
  if (key.includes("\\")) throw new InvalidKeyError(key, "backslashes are not allowed");
  if (key.includes("\0")) throw new InvalidKeyError(key, "NUL bytes are not allowed");
  for (const segment of key.split("/")) {
    if (segment === "..") throw new InvalidKeyError(key, "'..' segments are not allowed");
    if (segment === ".") throw new InvalidKeyError(key, "'.' segments are not allowed");
  }
  if (
    key
      .split("/")
      .slice(0, -1)
      .some((s) => s === "")
  )
    throw new InvalidKeyError(key, "empty path segment");
  return key;
}

export interface RawKey {
  readonly dataset: string;
  readonly environment: string;
  /** The remainder of the key after `<dataset>/<environment>/`. */
  readonly name: string;
}

/** The environment segments a raw key may carry, lower-case as in keys (`<dataset>/training/…`). */
export const KEY_ENVIRONMENTS: readonly string[] = [TRAINING.toLowerCase(), SERVING.toLowerCase()];
/** The environment of data that names none. */
export const DEFAULT_ENVIRONMENT = TRAINING;
const KNOWN_ENVIRONMENTS = new Set(KEY_ENVIRONMENTS);

/**
 * Raw zone keys follow `<dataset>/<environment>/<anything>`; a key without an environment
 * segment (`<dataset>/<file>`) is TRAINING data.
 */
export function parseRawKey(key: string): RawKey {
  assertSafeKey(key);
  const parts = key.split("/");
  if (parts.length < 2) throw new InvalidKeyError(key, "raw keys look like <dataset>/<environment>/<file>");
  const dataset = parts[0]!;
  try {
    assertDatasetName(dataset);
  } catch {
    throw new InvalidKeyError(key, `first segment ${JSON.stringify(dataset)} is not a valid dataset name`);
  }
  const second = parts[1]!.toLowerCase();
  if (parts.length >= 3 && KNOWN_ENVIRONMENTS.has(second)) {
    return { dataset, environment: second.toUpperCase(), name: parts.slice(2).join("/") };
  }
  return { dataset, environment: DEFAULT_ENVIRONMENT, name: parts.slice(1).join("/") };
}

/** A key, lower-cased, without its compression suffix (`.gz`, `.gzip`), and whether it had one. */
export function stripExtensions(key: string): { base: string; gz: boolean } {
  const lower = key.toLowerCase();
  if (lower.endsWith(".gz")) return { base: lower.slice(0, -3), gz: true };
  if (lower.endsWith(".gzip")) return { base: lower.slice(0, -5), gz: true };
  return { base: lower, gz: false };
}
