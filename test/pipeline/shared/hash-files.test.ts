import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../../cli/main.js";
import { dvcDirJson } from "../../../src/core/hash/dvc.js";
import { createMd5Tap, dirDigest, hashPath, md5File } from "../../../src/pipeline/shared/hash-files.js";
import { MemoryStore } from "../../support/memory-store.js";
import { tempDir } from "../../support/temp.js";

/** An independent DVC directory hash: Python walks, hashes, sorts and serialises on its own. */
const PY_WALK_HASH = `
import sys, os, json, hashlib
root = sys.argv[1]
entries, size = [], 0
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            data = fh.read()
        size += len(data)
        entries.append({"md5": hashlib.md5(data).hexdigest(), "relpath": os.path.relpath(p, root).replace(os.sep, "/")})
entries.sort(key=lambda e: e["relpath"])
print(hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest() + ".dir", size, len(entries))
`;

function pythonDirHash(dir: string): string {
  return execFileSync("python3", ["-c", PY_WALK_HASH, dir], { encoding: "utf8" }).trim();
}

function md5sum(file: string): string {
  return execFileSync("md5sum", [file], { encoding: "utf8" }).split(" ")[0]!;
}

async function captureStdout(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  try {
    const code = await main(["node", "lakeline", ...argv]);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

let tmp: string;
const PENGUINS = path.resolve("node_modules/vega-datasets/data/penguins.json");
const FLIGHTS = path.resolve("node_modules/vega-datasets/data/flights-3m.parquet");

beforeAll(async () => {
  tmp = await tempDir("hash");
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("file md5", () => {
  it("equals md5sum on real datasets and an empty file", async () => {
    // Prepare
    const empty = path.join(tmp, "empty");
    await fs.writeFile(empty, "");
    // Act / Assess
    for (const file of [PENGUINS, FLIGHTS, empty]) {
      const digest = await md5File(file);
      expect(digest.md5).toBe(md5sum(file));
      expect(digest.size).toBe((await fs.stat(file)).size);
    }
    expect((await md5File(empty)).md5).toBe("d41d8cd98f00b204e9800998ecf8427e");
  });

  it("equals md5sum on a 64 MiB file of random bytes (read in several chunks)", async () => {
    // Throughput against md5sum is measured by `npm run bench`, not asserted with a timer here.
    const big = path.join(tmp, "big.bin");
    await fs.writeFile(big, randomBytes(64 * 1024 * 1024));
    expect((await md5File(big)).md5).toBe(md5sum(big));
  });

  it("md5 tap hashes bytes while they stream to their destination", async () => {
    const copy = path.join(tmp, "copy.parquet");
    const tap = createMd5Tap();
    await pipeline(createReadStream(FLIGHTS), tap, createWriteStream(copy));
    const digest = await tap.done;
    expect(digest.md5).toBe(md5sum(FLIGHTS));
    expect(digest.size).toBe((await fs.stat(FLIGHTS)).size);
    expect(md5sum(copy)).toBe(digest.md5);
  });

  it("md5 tap rejects when the stream is destroyed before it ends", async () => {
    const tap = createMd5Tap();
    const streamError = new Promise((resolve) => tap.once("error", resolve));
    tap.write(Buffer.from("partial"));
    tap.destroy(new Error("network reset"));
    await expect(tap.done).rejects.toThrow(/closed before the stream ended/);
    expect(await streamError).toMatchObject({ message: "network reset" });
  });
});

describe("directory hash", () => {
  it("matches an independent Python walk for nested, non-ASCII, spaced, empty and emoji names", async () => {
    // Prepare
    const dir = path.join(tmp, "dataset");
    const files: Record<string, string | Buffer> = {
      "penguins.json": await fs.readFile(PENGUINS),
      "nested/deeper/deepest/a.csv": "x,y\n1,2\n",
      "café/résumé é.txt": "é",
      "日本/データ.csv": "日本語\n",
      "emoji/🐧.txt": "tux",
      "emoji/\uFFFD.txt": "replacement char sorts before the penguin by code point",
      "with space/file name.txt": "spaces",
      "empty.txt": "",
      "a-b": "dash",
      "a/b": "slash",
    };
    for (const [rel, body] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), body);
    }
    await fs.mkdir(path.join(dir, "empty-folder/inner"), { recursive: true });

    // Act
    const result = await hashPath(dir);

    // Assess
    expect(result.kind).toBe("dir");
    if (result.kind !== "dir") return;
    const [md5, size, nfiles] = pythonDirHash(dir).split(" ");
    expect(result.md5).toBe(md5);
    expect(result.size).toBe(Number(size));
    expect(result.nfiles).toBe(Number(nfiles));
    expect(result.nfiles).toBe(Object.keys(files).length);
    expect(result.entries.map((e) => e.relpath).indexOf("emoji/\uFFFD.txt")).toBeLessThan(
      result.entries.map((e) => e.relpath).indexOf("emoji/🐧.txt"),
    );
  });

  it("gives the same md5.dir and .dir bytes from (relpath, md5, size) streamed from a store as from the files on disk", async () => {
    // Prepare: a folder laid out as an export, and the same bytes as objects of a store, listed in
    // an order that is not the manifest's
    const dir = path.join(tmp, "export-like");
    const files: Record<string, string | Buffer> = {
      "train/part-0.parquet": await fs.readFile(PENGUINS),
      "train/part-1.parquet": randomBytes(3000),
      "train/part-10.parquet": "ten sorts before two",
      "train/part-2.parquet": "two",
      "eval/part-0.parquet": "é",
      "test/part-0.parquet": "",
    };
    const store = new MemoryStore("exports");
    for (const [rel, body] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), body);
      await store.put(`_staging/run/attempt/${rel}`, typeof body === "string" ? Buffer.from(body) : body);
    }
    const streamed = [];
    for await (const o of store.list("_staging/"))
      streamed.push({
        relpath: o.key.slice("_staging/run/attempt/".length),
        md5: createHash("md5")
          .update(await store.get(o.key))
          .digest("hex"),
        size: o.size,
      });
    // Act
    const fromStore = dirDigest(streamed.reverse());
    const fromDisk = await hashPath(dir);
    // Assess
    expect(fromStore).toEqual(fromDisk);
    if (fromDisk.kind !== "dir") throw new Error("not a directory");
    expect(dvcDirJson(fromStore.entries)).toBe(dvcDirJson(fromDisk.entries));
    expect(fromStore.md5).toBe(pythonDirHash(dir).split(" ")[0]);
  });

  it("hashes an empty directory as md5('[]').dir", async () => {
    const dir = path.join(tmp, "nothing");
    await fs.mkdir(path.join(dir, "sub"), { recursive: true });
    const result = await hashPath(dir);
    expect(result).toMatchObject({
      kind: "dir",
      md5: "d751713988987e9331980363e24189ce.dir",
      size: 0,
      nfiles: 0,
    });
    expect(pythonDirHash(dir)).toBe("d751713988987e9331980363e24189ce.dir 0 0");
  });
});

describe("lakeline hash", () => {
  it("prints a file's md5", async () => {
    const { code, out } = await captureStdout(["hash", PENGUINS]);
    expect(code).toBe(0);
    expect(out).toBe(`${md5sum(PENGUINS)}\n`);
  });

  it("prints a directory's md5.dir, total size and file count, or JSON", async () => {
    const dir = path.join(tmp, "cli");
    await fs.mkdir(path.join(dir, "x"), { recursive: true });
    await fs.copyFile(PENGUINS, path.join(dir, "x/penguins.json"));
    await fs.writeFile(path.join(dir, "readme.md"), "# penguins\n");

    const text = await captureStdout(["hash", dir]);
    const json = await captureStdout(["hash", dir, "--json"]);

    expect(text.out).toBe(`${pythonDirHash(dir)}\n`);
    const parsed = JSON.parse(json.out);
    expect(parsed).toMatchObject({ kind: "dir", nfiles: 2, md5: pythonDirHash(dir).split(" ")[0] });
    expect(parsed.entries.map((e: { relpath: string }) => e.relpath)).toEqual([
      "readme.md",
      "x/penguins.json",
    ]);
  });

  it("fails with a usage error for a missing path", async () => {
    const errs: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
      errs.push(String(c));
      return true;
    });
    try {
      const code = await main(["node", "lakeline", "hash", path.join(tmp, "missing")]);
      expect(code).toBe(64);
      expect(errs.join("")).toContain("no such file or directory");
    } finally {
      spy.mockRestore();
    }
  });
});
