import * as fs from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FsObjectStore } from "../../src/adapters/local/fs-store.js";
import { tempDir } from "../support/temp.js";
import { objectStoreContract } from "./object-store.contract.js";

objectStoreContract("FsObjectStore", async () => {
  const root = await tempDir("fs-store");
  return {
    store: new FsObjectStore(path.join(root, "warehouse")),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});

describe("FsObjectStore.listKeys", () => {
  it("names the keys list() yields, in the same order, without a stat per object", async () => {
    // Prepare: written out of order, with a sibling prefix that must not match
    const root = await tempDir("fs-store");
    const store = new FsObjectStore(path.join(root, "warehouse"));
    for (const key of ["p/b", "q/x", "p/c d", "p/a/2", "pz", "p/a/10"]) await store.put(key, key);
    try {
      // Act
      const keys = await store.listKeys("p/");
      const listed: string[] = [];
      for await (const o of store.list("p/")) listed.push(o.key);
      // Assess
      expect(keys).toEqual(listed);
      expect(keys).toEqual(["p/a/10", "p/a/2", "p/b", "p/c d"]);
      expect(await store.listKeys("p/a/1")).toEqual(["p/a/10"]);
      expect(await store.listKeys("nothing/")).toEqual([]);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe("FsObjectStore.localPath", () => {
  it("is the resolved path of the key's file, from a relative root too, and refuses unsafe keys", async () => {
    // Prepare: a root given relative to the working directory, and one given absolute
    const root = await tempDir("fs-store");
    const relative = new FsObjectStore(path.relative(process.cwd(), path.join(root, "warehouse")));
    const absolute = new FsObjectStore(path.join(root, "warehouse"));
    try {
      await absolute.put("flights/ingest_date=2026-11-30/a b.parquet", "x");
      for (const store of [relative, absolute]) {
        // Act
        const file = store.localPath("flights/ingest_date=2026-11-30/a b.parquet");
        // Assess
        expect(file).toBe(path.join(root, "warehouse", "flights", "ingest_date=2026-11-30", "a b.parquet"));
        expect(await fs.readFile(file, "utf8")).toBe("x");
        expect(store.localPath("flights/")).toBe(path.join(root, "warehouse", "flights"));
        expect(() => store.localPath("flights/../../etc/passwd")).toThrow(/'\.\.' segments/);
        expect(() => store.localPath("/etc/passwd")).toThrow(/absolute/);
      }
      expect(new FsObjectStore("/").localPath("a/b")).toBe("/a/b");
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe("FsObjectStore.putFile, handed over", () => {
  it("keeps a regular file's bytes under a second name, and copies what is not a regular file", async () => {
    // Prepare: a scratch file, and a symlink to another (linking a symlink would store the link)
    const root = await tempDir("fs-store");
    const store = new FsObjectStore(path.join(root, "warehouse"));
    const file = path.join(root, "valid.parquet");
    const target = path.join(root, "target.parquet");
    const symlink = path.join(root, "link.parquet");
    await fs.writeFile(file, "valid rows");
    await fs.writeFile(target, "linked rows");
    await fs.symlink(target, symlink);
    try {
      // Act
      await store.putFile("d/valid.parquet", file, { ifNoneMatch: true, handOver: true });
      await store.putFile("d/symlinked.parquet", symlink, { ifNoneMatch: true, handOver: true });
      await store.putFile("d/copied.parquet", file, { ifNoneMatch: true });
      await fs.rm(target);
      // Assess
      const stored = (key: string) => fs.lstat(store.localPath(key));
      expect((await stored("d/valid.parquet")).ino).toBe((await fs.stat(file)).ino);
      expect((await stored("d/copied.parquet")).ino).not.toBe((await fs.stat(file)).ino);
      expect((await stored("d/symlinked.parquet")).isFile()).toBe(true);
      expect(Buffer.from(await store.get("d/symlinked.parquet")).toString()).toBe("linked rows");
      expect(Buffer.from(await store.get("d/valid.parquet")).toString()).toBe("valid rows");
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
