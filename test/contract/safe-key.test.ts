/**
 * `assertSafeKey` accepts most keys with one pattern and names the fault with the checks that
 * follow it: both must accept and refuse exactly the same keys.
 */
import { describe, expect, it } from "vitest";
import { assertSafeKey } from "../../src/contract/raw-key.js";
import { InvalidKeyError } from "../../src/core/errors.js";

/** The rule written out check by check, as the error messages state it. */
function referenceSafe(key: string): boolean {
  if (key.length === 0 || Buffer.byteLength(key, "utf8") > 1024) return false;
  if (key.startsWith("/") || key.includes("\\") || key.includes("\0")) return false;
  const segments = key.split("/");
  if (segments.some((s) => s === "." || s === "..")) return false;
  return !segments.slice(0, -1).some((s) => s === "");
}

const accepted = (key: string): boolean => {
  try {
    return assertSafeKey(key) === key;
  } catch (err) {
    if (err instanceof InvalidKeyError) return false;
    throw err;
  }
};

const KEYS = [
  "flights/date=2024-05-01/20241130T145553187Z-run.parquet",
  "a/",
  "a",
  ".hidden/x",
  "a/.b",
  "a/..b",
  "a/b..",
  "...",
  "a/...",
  "",
  "/abs",
  "a//b",
  "a//",
  "a/./b",
  "a/../b",
  ".",
  "..",
  "./a",
  "../a",
  "a/.",
  "a/..",
  "back\\slash",
  "nul\0byte",
  "caf\u00e9/\u00fcber",
  "🐧/x",
  "x".repeat(341),
  "x".repeat(342),
  "é".repeat(341),
  "é".repeat(512),
  "é".repeat(513),
  "🐧".repeat(256),
  "🐧".repeat(257),
  `${"x".repeat(1024)}`,
  `${"x".repeat(1025)}`,
];

describe("safe object keys", () => {
  it("accepts and refuses the same keys on the fast path and by the checks that name the fault", () => {
    // Act / Assess
    for (const key of KEYS)
      expect([key.slice(0, 40), accepted(key)]).toEqual([key.slice(0, 40), referenceSafe(key)]);
    expect(KEYS.filter(referenceSafe).length).toBeGreaterThan(5);
    expect(KEYS.filter((k) => !referenceSafe(k)).length).toBeGreaterThan(10);
  });

  it("names the fault of a refused key", () => {
    // Act / Assess
    expect(() => assertSafeKey("a/../b")).toThrow(/'\.\.' segments/);
    expect(() => assertSafeKey("a//b")).toThrow(/empty path segment/);
    expect(() => assertSafeKey("é".repeat(513))).toThrow(/longer than 1024 bytes/);
  });
});
