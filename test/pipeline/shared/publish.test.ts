/**
 * Publishing an output whose key an earlier attempt already wrote (a replay after a crash, or a
 * racing delivery): the stored bytes stay, and the version recorded for lineage and the commit
 * marker is theirs, not the md5 of the bytes this attempt happened to produce.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FsObjectStore } from "../../../src/adapters/local/fs-store.js";
import { publishFile } from "../../../src/pipeline/shared/publish.js";
import { tempDir } from "../../support/temp.js";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

describe("publishFile", () => {
  it("describes the bytes it stored", async () => {
    const dir = await tempDir("publish");
    const store = new FsObjectStore(path.join(dir, "zone"), "zone");
    fs.writeFileSync(path.join(dir, "mine"), "first attempt");
    const ref = await publishFile(store, "d/out.parquet", path.join(dir, "mine"), {
      artifactType: "WarehouseFile",
    });
    expect({ version: ref.version, size: ref.size }).toEqual({ version: md5("first attempt"), size: 13 });
  });

  it("records the digest read beforehand when it stored the file, and the stored bytes' otherwise", async () => {
    // Prepare: the file was hashed while other work ran; a second key already holds other bytes
    const dir = await tempDir("publish");
    const store = new FsObjectStore(path.join(dir, "zone"), "zone");
    fs.writeFileSync(path.join(dir, "mine"), "valid rows");
    await store.put("d/taken.parquet", "first attempt");
    const digest = { md5: md5("valid rows"), size: 10 };
    const publish = (key: string) =>
      publishFile(store, key, path.join(dir, "mine"), { artifactType: "WarehouseFile" }, digest);
    // Act
    const ref = await publish("d/out.parquet");
    const taken = await publish("d/taken.parquet");
    // Assess
    expect({ md5: ref.version, size: ref.size }).toEqual(digest);
    expect(md5(Buffer.from(await store.get("d/out.parquet")).toString())).toBe(ref.version);
    expect({ version: taken.version, size: taken.size }).toEqual({ version: md5("first attempt"), size: 13 });
  });

  it("describes the stored bytes when an earlier attempt wrote the key first", async () => {
    const dir = await tempDir("publish");
    const store = new FsObjectStore(path.join(dir, "zone"), "zone");
    await store.put("d/out.parquet", "first attempt");
    fs.writeFileSync(path.join(dir, "mine"), "second attempt, other row order");
    const ref = await publishFile(store, "d/out.parquet", path.join(dir, "mine"), {
      artifactType: "WarehouseFile",
    });
    expect({ version: ref.version, size: ref.size }).toEqual({ version: md5("first attempt"), size: 13 });
    expect(Buffer.from(await store.get("d/out.parquet")).toString()).toBe("first attempt");
  });
});
