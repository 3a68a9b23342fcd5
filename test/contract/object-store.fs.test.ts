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
