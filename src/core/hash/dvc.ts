/**
 * DVC 3 content hashes and file formats (md5 only, as `dvc add` writes them with `hash: md5`).
 * A file's version is the md5 of its raw bytes; a directory's is the md5 of its manifest — the
 * list of `{"md5", "relpath"}` entries sorted by relpath, serialised by Python's `json.dumps(...,
 * sort_keys=True)` — with ".dir" appended (dvc_data/hashfile/tree.py: `as_list`, `as_bytes`).
 */
import { createHash } from "node:crypto";
import { compareCodePoints, pythonJsonString, sortsAsUtf16 } from "./python-json.js";

export interface DvcDirEntry {
  /** POSIX path relative to the directory root. */
  readonly relpath: string;
  /** md5 hex of the file's bytes. */
  readonly md5: string;
}

export const DVC_DIR_SUFFIX = ".dir";
const MD5_HEX = /^[0-9a-f]{32}$/;

export function md5Hex(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

export function isDvcDirHash(hash: string): boolean {
  return hash.endsWith(DVC_DIR_SUFFIX) && MD5_HEX.test(hash.slice(0, -DVC_DIR_SUFFIX.length));
}

export function isDvcHash(hash: string): boolean {
  return MD5_HEX.test(hash) || isDvcDirHash(hash);
}

const byUtf16 = (a: DvcDirEntry, b: DvcDirEntry) =>
  a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0;

/** Entries in DVC's manifest order: by relpath, compared by Unicode code point. */
export function sortDvcEntries<T extends DvcDirEntry>(entries: readonly T[]): T[] {
  // Without surrogates UTF-16 order is code point order, and the native comparison is far cheaper
  // than a per-character one (an export sorts one entry per warehouse file it read).
  if (sortsAsUtf16(entries.map((e) => e.relpath))) return [...entries].sort(byUtf16);
  return [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
}

/**
 * The serialised manifest: the exact bytes DVC hashes and stores as the `.dir` object in its
 * cache and remotes. Only `md5` and `relpath` are kept, as DVC does for hashing: each entry is
 * `json.dumps({"md5": …, "relpath": …}, sort_keys=True)`, written out directly (the keys are in
 * sorted order already) rather than through the generic encoder.
 */
export function dvcDirJson(entries: readonly DvcDirEntry[]): string {
  const items = sortDvcEntries(entries).map(
    (e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`,
  );
  return `[${items.join(", ")}]`;
}

/** The directory's DVC version: `<md5 of the manifest>.dir`. */
export function dvcDirHash(entries: readonly DvcDirEntry[]): string {
  return `${md5Hex(dvcDirJson(entries))}${DVC_DIR_SUFFIX}`;
}

/** Where DVC 3 keeps an object in a cache or remote: `files/md5/<2 chars>/<rest>` (".dir" kept). */
export function dvcObjectPath(hash: string): string {
  if (!isDvcHash(hash)) throw new RangeError(`not a DVC md5 hash: ${JSON.stringify(hash)}`);
  return `files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`;
}

export interface DvcOut {
  readonly md5: string;
  readonly size: number;
  /** Directories only. */
  readonly nfiles?: number;
  /** Path of the output relative to the `.dvc` file. */
  readonly path: string;
}

// YAML plain scalars that cannot be misread (as numbers, booleans, nulls or syntax).
const PLAIN_YAML = /^[A-Za-z0-9_./][A-Za-z0-9_./ -]*$/;
const YAML_KEYWORDS = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:e[-+]?\d+)?$|^0[xo]/i;

function yamlScalar(s: string): string {
  if (s !== "" && PLAIN_YAML.test(s) && !s.endsWith(" ") && !YAML_KEYWORDS.test(s) && !NUMBER_LIKE.test(s))
    return s;
  // A YAML double-quoted scalar accepts JSON string syntax.
  return JSON.stringify(s);
}

/** A `.dvc` file as `dvc add` writes it for one output. */
export function renderDvcFile(out: DvcOut): string {
  const lines = ["outs:", `- md5: ${out.md5}`, `  size: ${out.size}`];
  if (out.nfiles !== undefined) lines.push(`  nfiles: ${out.nfiles}`);
  lines.push("  hash: md5", `  path: ${yamlScalar(out.path)}`);
  return `${lines.join("\n")}\n`;
}
