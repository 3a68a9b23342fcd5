import * as fs from "node:fs";
import { afterAll, describe } from "vitest";
import { LocalOnlineStore } from "../../src/adapters/local/online-store.js";
import { tempDir } from "../support/temp.js";
import { onlineStoreContract } from "./online-store.contract.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("OnlineStore contract: the local lake's JSON store", () => {
  onlineStoreContract(async () => {
    const dir = await tempDir("online-store");
    dirs.push(dir);
    return new LocalOnlineStore(dir);
  });
});
