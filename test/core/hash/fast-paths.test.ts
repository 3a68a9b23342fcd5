/**
 * The DVC directory manifest and the lineage UUIDs are persisted identities: their fast paths
 * (verbatim strings, native sorting, one-shot sha1) must give the bytes the general code gives,
 * on inputs that take the fast path and on inputs that take the fallback.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DvcDirEntry, dvcDirHash, dvcDirJson, md5Hex } from "../../../src/core/hash/dvc.js";
import {
  compareCodePoints,
  type PyJsonValue,
  pythonJsonDumps,
  pythonJsonString,
} from "../../../src/core/hash/python-json.js";
import { LAKELINE_UUID_NAMESPACE, uuidV5 } from "../../../src/core/hash/uuid.js";

/** The manifest as the general encoder writes it: code point sort, Python's json.dumps(sort_keys=True). */
function referenceDirJson(entries: readonly DvcDirEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  return pythonJsonDumps(sorted.map((e) => ({ md5: e.md5, relpath: e.relpath })) as PyJsonValue);
}

/** uuid5 written out as RFC 4122 states it, with a Hash object. */
function referenceUuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const b = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const md5s = (n: number) => md5Hex(String(n));
const ASCII = Array.from(
  { length: 400 },
  (_, i) => `flights/date=2024-05-${i % 28}/t${(i * 7919) % 400}.parquet`,
);
const ODD = [
  'a"quote.parquet',
  "back\\slash",
  "tab\tand\nnewline",
  "caf\u00e9/\u00fcber",
  "\u007f-del",
  "\uffff-last-bmp",
  "🐧/penguin",
  "\ud83d-lone-high",
  "z/\u00e9",
  "Z",
  "",
];

describe("DVC directory manifest fast path", () => {
  it("writes the bytes of the general encoder for plain keys (the fast path)", () => {
    // Prepare
    const entries = ASCII.map((relpath, i) => ({ relpath, md5: md5s(i) }));
    // Act / Assess
    expect(dvcDirJson(entries)).toBe(referenceDirJson(entries));
    expect(dvcDirHash(entries)).toBe(`${md5Hex(referenceDirJson(entries))}.dir`);
  });

  it("writes the bytes of the general encoder for escaped and astral keys (the fallback)", () => {
    // Prepare: quotes, backslashes, controls, non-ASCII and surrogates force escapes and code point order
    const entries = [...ODD, ...ASCII.slice(0, 20)].map((relpath, i) => ({ relpath, md5: md5s(i) }));
    // Act / Assess
    expect(dvcDirJson(entries)).toBe(referenceDirJson(entries));
    expect(dvcDirJson(entries.slice(0, ODD.length))).toBe(referenceDirJson(entries.slice(0, ODD.length)));
    for (const s of ODD) expect(pythonJsonString(s)).toBe(pythonJsonDumps(s));
  });

  it("keeps a known manifest's hash (as `dvc add` computed it before the fast path)", () => {
    // Prepare: a folder of two files, one name with a quote and one with an astral character
    const entries = [
      { relpath: "b/🐧.csv", md5: md5Hex("b") },
      { relpath: 'a/"x".csv', md5: md5Hex("a") },
    ];
    // Act / Assess
    expect(dvcDirJson(entries)).toBe(
      `[{"md5": "${md5Hex("a")}", "relpath": "a/\\"x\\".csv"}, {"md5": "${md5Hex("b")}", "relpath": "b/\\ud83d\\udc27.csv"}]`,
    );
  });
});

describe("uuid5 fast path", () => {
  it("gives the digest of a Hash object, for ASCII, non-ASCII and long names, under several namespaces", () => {
    // Prepare
    const names = [
      "",
      "a",
      "caf\u00e9",
      "🐧",
      "x".repeat(10_000),
      JSON.stringify(["mlmd.artifact", "file:///l", ""]),
    ];
    const namespaces = [LAKELINE_UUID_NAMESPACE, "6ba7b811-9dad-11d1-80b4-00c04fd430c8"];
    // Act / Assess
    for (const ns of namespaces) for (const n of names) expect(uuidV5(ns, n)).toBe(referenceUuidV5(ns, n));
  });
});
