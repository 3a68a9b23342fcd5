import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { FsObjectStore } from "../../src/adapters/local/fs-store.js";
import { objectStoreContract } from "./object-store.contract.js";

objectStoreContract("FsObjectStore", async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-fs-store-"));
  return {
    store: new FsObjectStore(path.join(root, "warehouse")),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});
