/** Shared helpers of the reliability tests: throwaway lakes and schema folders, the CLI in-process, fingerprints. */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { openLakeEngine } from "../../cli/deps/lake-engine.js";
import type { LocalConfig } from "../../src/contract/env.js";
import { BackendError } from "../../src/core/errors.js";
import type { LakeStores, ObjectStore, Zone } from "../../src/ports/object-store.js";

export const PENGUINS_FILE = path.resolve("node_modules/vega-datasets/data/penguins.json");

import { SCHEMAS_DIR } from "../support/temp.js";

export { SCHEMAS_DIR, tempDir, tempLake } from "../support/temp.js";

export async function writeSchema(
  schemasDir: string,
  dataset: string,
  version: number,
  body: unknown,
): Promise<string> {
  const dir = path.join(schemasDir, dataset);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `v${version}.json`);
  await fs.writeFile(file, typeof body === "string" ? body : JSON.stringify(body, null, 2));
  return file;
}

/** The penguins schema under another dataset name, with its policy changed. */
export async function penguinsVariant(
  schemasDir: string,
  dataset: string,
  policy: Record<string, unknown>,
): Promise<void> {
  const base = JSON.parse(await fs.readFile(path.join(SCHEMAS_DIR, "penguins", "v1.json"), "utf8"));
  await writeSchema(schemasDir, dataset, 1, { ...base, dataset, policy: { ...base.policy, ...policy } });
}

export async function md5OfFile(file: string): Promise<string> {
  return createHash("md5")
    .update(await fs.readFile(file))
    .digest("hex");
}

export async function listKeys(store: ObjectStore, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

/** Every file under a directory (relative paths), for comparing a lake before and after. */
export async function treeOf(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((p) => !p.split(path.sep).includes(".tmp"))
    .sort();
}

/** A stack trace's tell-tale frame line. */
export const STACK_FRAME = /^\s+at .+[:(]/m;

/** One SQL answer from the local warehouse, through the same engine `lakeline query` uses. */
export async function queryLake(config: LocalConfig, sql: string): Promise<Record<string, unknown>[]> {
  const engine = await openLakeEngine(config, { threads: 1 });
  try {
    return (await engine.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await engine.close();
  }
}

/** OpenLineage event types stored for a run, e.g. ["COMPLETE", "START"]. */
export async function lineageEventTypes(
  lineage: ObjectStore,
  jobName: string,
  runId: string,
): Promise<string[]> {
  const keys = await listKeys(lineage, `openlineage/${encodeURIComponent(jobName)}/${runId}/`);
  return keys.map((k) => path.posix.basename(k, ".json")).sort();
}

export type WriteHook = (op: "put" | "putFile" | "copy", key: string) => void | Promise<void>;

/**
 * The same store with a hook run before each write: a test counts writes, or makes one throw to
 * simulate a run dying at that point (the write does not happen, as when a Lambda is killed).
 */
export function hookWrites(store: ObjectStore, hook: WriteHook): ObjectStore {
  return {
    bucket: store.bucket,
    namespace: store.namespace,
    put: async (key, body, options) => {
      await hook("put", key);
      return store.put(key, body, options);
    },
    putFile: async (key, file, options) => {
      await hook("putFile", key);
      return store.putFile(key, file, options);
    },
    copy: async (sourceKey, key, options) => {
      await hook("copy", key);
      return store.copy(sourceKey, key, options);
    },
    get: (key) => store.get(key),
    getStream: (key) => store.getStream(key),
    download: (key, file) => store.download(key, file),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    ...(store.localPath ? { localPath: (key: string) => store.localPath!(key) } : {}),
  };
}

/** Stores where writes to `zone` whose key matches `when` throw while `armed()` says so. */
export function faulty(
  stores: LakeStores,
  zone: Zone,
  when: (key: string) => boolean,
  armed: () => boolean = () => true,
): LakeStores {
  const broken: ObjectStore = hookWrites(stores[zone], (_op, key) => {
    if (armed() && when(key)) throw new BackendError(`simulated crash writing ${zone}/${key}`);
  });
  return { ...stores, [zone]: broken };
}
