import { describe, expect, it } from "vitest";
import {
  dvcDirHash,
  dvcDirJson,
  dvcObjectPath,
  md5Hex,
  renderDvcFile,
  sortDvcEntries,
} from "../../../src/core/hash/dvc.js";
import { compareCodePoints } from "../../../src/core/hash/python-json.js";
import { deterministicUuid, LAKELINE_UUID_NAMESPACE, uuidV5 } from "../../../src/core/hash/uuid.js";

describe("DVC directory hash", () => {
  it("hashes an empty directory as md5('[]') + .dir", () => {
    expect(dvcDirJson([])).toBe("[]");
    expect(dvcDirHash([])).toBe(`${md5Hex("[]")}.dir`);
  });

  it("compares code points like Python", () => {
    expect(compareCodePoints("\uFFFD", "🐧")).toBe(-1);
    expect("\uFFFD" < "🐧").toBe(false); // the UTF-16 order JS would otherwise use
    expect(compareCodePoints("a", "ab")).toBe(-1);
    expect(compareCodePoints("ab", "ab")).toBe(0);
    expect(
      sortDvcEntries([
        { relpath: "b", md5: "" },
        { relpath: "B", md5: "" },
      ]).map((e) => e.relpath),
    ).toEqual(["B", "b"]);
  });
});

describe("DVC files and remote layout", () => {
  it("renders a .dvc file for a directory and a file", () => {
    expect(
      renderDvcFile({ md5: "3863d0e317dee0a55c4e59d2ec0eef33.dir", size: 1234, nfiles: 3, path: "penguins" }),
    ).toBe(
      "outs:\n- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir\n  size: 1234\n  nfiles: 3\n  hash: md5\n  path: penguins\n",
    );
    expect(renderDvcFile({ md5: "d41d8cd98f00b204e9800998ecf8427e", size: 0, path: "train.parquet" })).toBe(
      "outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: train.parquet\n",
    );
  });

  it("places objects in the DVC 3 remote layout", () => {
    expect(dvcObjectPath("3863d0e317dee0a55c4e59d2ec0eef33.dir")).toBe(
      "files/md5/38/63d0e317dee0a55c4e59d2ec0eef33.dir",
    );
    expect(dvcObjectPath("d41d8cd98f00b204e9800998ecf8427e")).toBe(
      "files/md5/d4/1d8cd98f00b204e9800998ecf8427e",
    );
    expect(() => dvcObjectPath("../etc/passwd")).toThrow(RangeError);
  });
});

describe("deterministic UUIDs", () => {
  it("is RFC 4122 v5 under the lakeline namespace (itself v5 of the project URL)", () => {
    const id = deterministicUuid("my-bucket", "penguins/training/2024.csv", "etag-1", "0.1.0", "1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "https://github.com/lakeline/lakeline")).toBe(
      LAKELINE_UUID_NAMESPACE,
    );
  });

  it("changes with any part and never confuses part boundaries", () => {
    expect(deterministicUuid("a", "b")).toBe(deterministicUuid("a", "b"));
    expect(deterministicUuid("a", "b")).not.toBe(deterministicUuid("a", "c"));
    expect(deterministicUuid("a/b", "c")).not.toBe(deterministicUuid("a", "b/c"));
    expect(deterministicUuid("ab")).not.toBe(deterministicUuid("a", "b"));
  });
});
