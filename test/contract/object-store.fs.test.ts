import * as fs from "node:fs/promises";
import * as path from "node:path";
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
