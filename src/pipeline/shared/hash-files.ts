/** DVC-compatible hashing of local files and directories, streamed so size never matters. */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { dvcDirHash, sortDvcEntries } from "../../core/hash/dvc.js";
import type { FileDigest } from "../../core/hash/md5-tap.js";
import { mapLimit } from "../../core/map-limit.js";

export { createMd5Tap, type FileDigest, Md5Tap } from "../../core/hash/md5-tap.js";

/** Large reads keep md5 CPU-bound rather than syscall-bound (matches `md5sum` throughput). */
const READ_CHUNK = 4 * 1024 * 1024;
/** Files hashed at once inside a directory: enough to overlap I/O, few enough to keep memory small. */
const DIR_CONCURRENCY = 4;

export interface DirEntryDigest {
  readonly relpath: string;
  readonly md5: string;
  readonly size: number;
}

export type PathHash =
  | { readonly kind: "file"; readonly md5: string; readonly size: number }
  | {
      readonly kind: "dir";
      /** `<md5>.dir` */
      readonly md5: string;
      readonly size: number;
      readonly nfiles: number;
      /** In DVC manifest order. */
      readonly entries: readonly DirEntryDigest[];
    };

/** md5 of a file's raw bytes (DVC 3 file hash) and its size. */
export async function md5File(file: string): Promise<FileDigest> {
  // Double-buffered: the next chunk is read (libuv thread pool) while this one is hashed (main
  // thread), so hashing keeps pace with md5sum instead of alternating with the disk.
  const hash = createHash("md5");
  const handle = await fs.open(file, "r");
  try {
    const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
    let size = 0;
    let current = 0;
    let pending = handle.read(buffers[0]!, 0, READ_CHUNK, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const chunk = buffers[current]!;
      current ^= 1;
      pending = handle.read(buffers[current]!, 0, READ_CHUNK, null);
      hash.update(chunk.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { md5: hash.digest("hex"), size };
  } finally {
    await handle.close();
  }
}

/** Every regular file under `dir` (symlinks followed), as POSIX relpaths. Empty folders contribute nothing, as in DVC. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    const entries = await fs.readdir(abs, { withFileTypes: true });
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const st = await fs.stat(childAbs);
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) await walk(childAbs, childRel);
      else if (isFile) out.push(childRel);
    }
  }
  await walk(dir, "");
  return out;
}

/** Hash every file of a directory into DVC manifest entries. */
export async function hashDirEntries(dir: string): Promise<DirEntryDigest[]> {
  const relpaths = await listFiles(dir);
  const results = await mapLimit(relpaths, DIR_CONCURRENCY, async (relpath) => ({
    relpath,
    ...(await md5File(path.join(dir, ...relpath.split("/")))),
  }));
  return sortDvcEntries(results);
}

export type DirHash = Extract<PathHash, { kind: "dir" }>;

/**
 * A directory's DVC version from its files' (relpath, md5, size), wherever they were hashed (read
 * from disk, or streamed from a store): the same entries give the same `md5.dir` and `.dir` bytes.
 */
export function dirDigest(files: readonly DirEntryDigest[]): DirHash {
  const entries = sortDvcEntries(files.map(({ relpath, md5, size }) => ({ relpath, md5, size })));
  return {
    kind: "dir",
    md5: dvcDirHash(entries),
    size: entries.reduce((n, e) => n + e.size, 0),
    nfiles: entries.length,
    entries,
  };
}

/** The DVC version of a file (`md5`) or directory (`md5.dir`), with total size and file count. */
export async function hashPath(target: string): Promise<PathHash> {
  const st = await fs.stat(target);
  if (st.isDirectory()) return dirDigest(await hashDirEntries(target));
  const digest = await md5File(target);
  return { kind: "file", ...digest };
}
