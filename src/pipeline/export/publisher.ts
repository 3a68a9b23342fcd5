/**
 * Writing into a DVC 3 remote: objects are content-addressed under `files/md5/<2>/<30>`, a
 * directory is one more object, `<md5>.dir`, holding its JSON manifest (the exact bytes hashed).
 * `dvc pull` with a `.dvc` file naming `<md5>.dir` fetches that object, then every file it lists.
 * Conditional puts make every write idempotent: an object that exists already has these bytes.
 */
import * as path from "node:path";
import { type DvcDirEntry, dvcDirJson, dvcObjectPath, renderDvcFile } from "../../core/hash/dvc.js";
import { putFileOnce, putOnce } from "../../ports/conditional-put.js";
import type { ObjectStore } from "../../ports/object-store.js";

export interface DvcDirectory {
  /** Local folder holding the files. */
  readonly dir: string;
  readonly entries: readonly DvcDirEntry[];
}

/** Upload each file's object and then the `.dir` object (so a listed file is never missing). Returns keys written. */
export async function pushDvcObjects(
  store: ObjectStore,
  directory: DvcDirectory,
  md5Dir: string,
): Promise<string[]> {
  const written: string[] = [];
  for (const e of directory.entries) {
    const key = dvcObjectPath(e.md5);
    if (await putFileOnce(store, key, path.join(directory.dir, ...e.relpath.split("/")))) written.push(key);
  }
  const dirKey = dvcObjectPath(md5Dir);
  if (await putOnce(store, dirKey, dvcDirJson(directory.entries))) written.push(dirKey);
  return written;
}

/** The `.dvc` file for a directory output at `outPath` (relative to the `.dvc` file). */
export function dvcFileFor(md5Dir: string, size: number, nfiles: number, outPath: string): string {
  return renderDvcFile({ md5: md5Dir, size, nfiles, path: outPath });
}
