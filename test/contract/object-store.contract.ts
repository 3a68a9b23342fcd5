import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidKeyError, ObjectExistsError, ObjectNotFoundError } from "../../src/core/errors.js";
import type { ObjectStore } from "../../src/ports/object-store.js";
import { tempDir } from "../support/temp.js";

export interface StoreUnderTest {
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
}

/** A real 13.5 MB Parquet file: big enough to go multipart with 5 MiB parts (three of them). */
export const BIG_FILE = path.resolve("node_modules/vega-datasets/data/flights-3m.parquet");

export const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex");

async function streamToBuffer(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * The behaviour every ObjectStore adapter promises. `makeStore` returns an empty store.
 */
export function objectStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;
    let scratch: string;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      scratch = await tempDir("contract");
    });
    afterEach(async () => {
      await cleanup();
      await fs.rm(scratch, { recursive: true, force: true });
    });

    it("names its dataset namespace after its bucket", () => {
      expect(store.namespace).toMatch(/^(s3|file):\/\//);
      expect(store.namespace).toContain(store.bucket);
    });

    it("round-trips every byte value under a key with non-ASCII characters and spaces", async () => {
      // Prepare
      const key = "données/été 2024/ünïcödé file №1.bin";
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
      // Act
      const put = await store.put(key, bytes);
      const back = await store.get(key);
      const info = await store.head(key);
      // Assess
      expect(put.key).toBe(key);
      expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
      expect(info).toMatchObject({ key, size: 512 });
    });

    it("stores strings as UTF-8", async () => {
      await store.put("text/greeting.txt", "grüß dich 👋");
      expect(Buffer.from(await store.get("text/greeting.txt")).toString("utf8")).toBe("grüß dich 👋");
      expect((await store.head("text/greeting.txt"))?.size).toBe(Buffer.byteLength("grüß dich 👋"));
    });

    it("refuses a conditional put over an existing key and keeps the first object", async () => {
      // Prepare
      await store.put("runs/run-1.json", '{"first":true}', { ifNoneMatch: true });
      // Act
      const second = store.put("runs/run-1.json", '{"first":false}', { ifNoneMatch: true });
      // Assess
      await expect(second).rejects.toBeInstanceOf(ObjectExistsError);
      await expect(second).rejects.toMatchObject({ data: { bucket: store.bucket, key: "runs/run-1.json" } });
      expect(Buffer.from(await store.get("runs/run-1.json")).toString()).toBe('{"first":true}');
    });

    it("overwrites on an unconditional put", async () => {
      await store.put("latest.json", "1");
      await store.put("latest.json", "2");
      expect(Buffer.from(await store.get("latest.json")).toString()).toBe("2");
    });

    it("uploads a multi-MiB file whole and downloads it byte-identical", async () => {
      // Prepare
      const original = await fs.readFile(BIG_FILE);
      const target = path.join(scratch, "nested", "dir", "copy.parquet");
      // Act
      await store.putFile("flights/flights-3m.parquet", BIG_FILE, {
        contentType: "application/vnd.apache.parquet",
      });
      const info = await store.download("flights/flights-3m.parquet", target);
      // Assess
      expect(original.byteLength).toBe(13_493_022);
      expect(info.size).toBe(original.byteLength);
      expect(md5(await fs.readFile(target))).toBe(md5(original));
      // Hashed as it streamed: the caller need not read the file again.
      expect(info.md5).toBe(md5(original));
      expect((await store.head("flights/flights-3m.parquet"))?.size).toBe(original.byteLength);
      expect(md5(await store.get("flights/flights-3m.parquet"))).toBe(md5(original));
    });

    it("refuses a conditional putFile over an existing key, small or large", async () => {
      await store.put("big.parquet", "placeholder");
      const small = path.join(scratch, "small.txt");
      await fs.writeFile(small, "small");
      await expect(store.putFile("big.parquet", BIG_FILE, { ifNoneMatch: true })).rejects.toBeInstanceOf(
        ObjectExistsError,
      );
      await expect(store.putFile("big.parquet", small, { ifNoneMatch: true })).rejects.toBeInstanceOf(
        ObjectExistsError,
      );
      expect(Buffer.from(await store.get("big.parquet")).toString()).toBe("placeholder");
    });

    it("stores a handed-over file whole, once, and keeps it after the file is gone", async () => {
      // Prepare: the caller's own finished output, as the pipeline hands over its scratch files
      const original = await fs.readFile(BIG_FILE);
      const mine = path.join(scratch, "valid.parquet");
      await fs.writeFile(mine, original);
      // Act
      await store.putFile("hand/over.parquet", mine, { ifNoneMatch: true, handOver: true });
      const again = store.putFile("hand/over.parquet", mine, { ifNoneMatch: true, handOver: true });
      await expect(again).rejects.toBeInstanceOf(ObjectExistsError);
      await fs.rm(mine);
      // Assess
      expect(md5(await store.get("hand/over.parquet"))).toBe(md5(original));
      expect((await store.head("hand/over.parquet"))?.size).toBe(original.byteLength);
    });

    it("copies objects small and multi-MiB to another key byte-identical, once under a conditional copy", async () => {
      // Prepare
      const big = await fs.readFile(BIG_FILE);
      await store.putFile("_staging/a/big.parquet", BIG_FILE);
      await store.put("_staging/a/small.parquet", "small");
      // Act
      await store.copy("_staging/a/big.parquet", "files/md5/aa/big", { ifNoneMatch: true });
      await store.copy("_staging/a/small.parquet", "data/train/part-0.parquet", { ifNoneMatch: true });
      const again = store.copy("_staging/a/small.parquet", "files/md5/aa/big", { ifNoneMatch: true });
      // Assess
      await expect(again).rejects.toBeInstanceOf(ObjectExistsError);
      expect(md5(await store.get("files/md5/aa/big"))).toBe(md5(big));
      expect(Buffer.from(await store.get("data/train/part-0.parquet")).toString()).toBe("small");
      expect(await store.head("_staging/a/big.parquet")).toMatchObject({ size: big.length });
      await expect(store.copy("_staging/missing", "x/y")).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it("streams an object with getStream", async () => {
      const bytes = Buffer.alloc(300_000, "lakeline ");
      await store.put("stream/me.txt", bytes);
      const streamed = await streamToBuffer(await store.getStream("stream/me.txt"));
      expect(md5(streamed)).toBe(md5(bytes));
    });

    it("reports missing objects: head → undefined, reads → ObjectNotFoundError", async () => {
      const target = path.join(scratch, "never.bin");
      expect(await store.head("missing/key.json")).toBeUndefined();
      await expect(store.get("missing/key.json")).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getStream("missing/key.json")).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.download("missing/key.json", target)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(fs.access(target)).rejects.toThrow();
      expect(await fs.readdir(scratch)).toEqual([]);
    });

    it("lists under a prefix in key order with sizes", async () => {
      // Prepare: written out of order, with a sibling prefix that must not match
      for (const key of ["p/b", "q/x", "p/c d", "p/a/2", "pz", "p/a/10", "p/é"]) await store.put(key, key);
      // Act
      const listed = await collect(store.list("p/"));
      const all = await collect(store.list(""));
      // Assess
      expect(listed.map((o) => o.key)).toEqual(["p/a/10", "p/a/2", "p/b", "p/c d", "p/é"]);
      expect(listed.map((o) => o.size)).toEqual([6, 5, 3, 5, Buffer.byteLength("p/é")]);
      expect(all.map((o) => o.key)).toEqual(["p/a/10", "p/a/2", "p/b", "p/c d", "p/é", "pz", "q/x"]);
      expect(await collect(store.list("nothing/"))).toEqual([]);
      // A prefix is not a folder: it may end mid-name, or run past an object's name.
      expect((await collect(store.list("p/a/1"))).map((o) => o.key)).toEqual(["p/a/10"]);
      expect((await collect(store.list("p/c"))).map((o) => o.key)).toEqual(["p/c d"]);
      expect(await collect(store.list("pz/"))).toEqual([]);
    });

    it("keeps an empty object written once: a second conditional put of it is refused", async () => {
      // Act
      await store.put("index/a/b", "", { ifNoneMatch: true });
      const again = store.put("index/a/b", "", { ifNoneMatch: true });
      // Assess
      await expect(again).rejects.toBeInstanceOf(ObjectExistsError);
      expect(await store.head("index/a/b")).toMatchObject({ key: "index/a/b", size: 0 });
      expect((await collect(store.list("index/"))).map((o) => o.key)).toEqual(["index/a/b"]);
    });

    it.each(["../x", "/abs", "a//b", "a/../../b", ""])(
      "rejects the unsafe key %j everywhere",
      async (key) => {
        const file = path.join(scratch, "f");
        await fs.writeFile(file, "x");
        await expect(store.put(key, "x")).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.putFile(key, file)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.getStream(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.download(key, path.join(scratch, "out"))).rejects.toBeInstanceOf(InvalidKeyError);
      },
    );

    it("never shows a partially written object to a concurrent reader", async () => {
      // Prepare
      const expected = md5(await fs.readFile(BIG_FILE));
      let done = false;
      const observed: string[] = [];
      // Act: read as fast as possible while the upload runs
      const upload = store.putFile("whole/flights.parquet", BIG_FILE).finally(() => {
        done = true;
      });
      while (!done) {
        try {
          observed.push(md5(await store.get("whole/flights.parquet")));
        } catch (err) {
          if (!(err instanceof ObjectNotFoundError)) throw err;
          observed.push("absent");
        }
      }
      await upload;
      // Assess: every read saw nothing or everything
      expect(observed.length).toBeGreaterThan(0);
      expect(observed.filter((h) => h !== "absent" && h !== expected)).toEqual([]);
      expect(md5(await store.get("whole/flights.parquet"))).toBe(expected);
    });
  });
}
