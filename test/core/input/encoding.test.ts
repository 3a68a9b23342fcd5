import { describe, expect, it } from "vitest";
import { foreignEncoding, latin1Bytes } from "../../../src/core/input/encoding.js";

const text = (s: string, enc: BufferEncoding = "utf8") => new Uint8Array(Buffer.from(s, enc));

describe("foreignEncoding", () => {
  it("tells Latin-1 from UTF-8, ASCII and damaged UTF-8", () => {
    expect(foreignEncoding(text("date,delay\n2001-01-01 00:01:00,33\n"), true)).toBeUndefined();
    expect(foreignEncoding(text("city,n\nZürich,1\nSão Paulo,2\n"), true)).toBeUndefined();
    expect(foreignEncoding(text("city,n\nZürich,1\nSão Paulo,2\n", "latin1"), true)).toBe("ISO-8859-1");
    // A head cut inside a multi-byte sequence is not evidence of Latin-1.
    expect(foreignEncoding(text("city\nZ\u00fc").subarray(0, 7), false)).toBeUndefined();
    // Well-formed sequences beside a broken one: damaged UTF-8, read record by record.
    expect(foreignEncoding(new Uint8Array([0x61, 0xc3, 0xbc, 0x0a, 0xfc, 0x0a]), true)).toBeUndefined();
  });

  it("equals the byte-by-byte rule on random heads, complete or cut", () => {
    // Prepare: bytes drawn mostly from ASCII, lead and continuation bytes, overlongs and surrogates.
    const pool = [
      0x41, 0x2c, 0x0a, 0x80, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xfc, 0xff,
      0xa0, 0x90,
    ];
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(4 + rnd(24));
      // Start with ASCII so the UTF-16/32 sniffing (outside the rule compared) stays out of the way.
      for (let j = 0; j < bytes.length; j++) bytes[j] = j < 4 ? 0x61 : pool[rnd(pool.length)]!;
      const complete = rnd(2) === 0;
      // Act + Assess
      const want = latin1Bytes(bytes, complete) ? "ISO-8859-1" : undefined;
      expect(foreignEncoding(bytes, complete), `${Buffer.from(bytes).toString("hex")} ${complete}`).toBe(
        want,
      );
    }
  });
});
