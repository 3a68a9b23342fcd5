import { describe, expect, it } from "vitest";
import { grouped, num } from "../../../src/core/report/format.js";

describe("report number formatting", () => {
  it("groups integers exactly as the en-US locale does", () => {
    // Prepare: edges of every group width, signs, the safe-integer bounds and beyond.
    const values = [0, -0, 1, -1, 7, 12, 999, 1000, -1000, 9999, 10000, 99999, 100000, 999999, 1000000];
    for (let p = 1; p <= 21; p++) values.push(10 ** p - 1, 10 ** p, -(10 ** p), 3 * 10 ** p + 7);
    values.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 70, -(2 ** 64), 1e21, 1e300);
    let seed = 17;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push((seed % 2 === 0 ? 1 : -1) * Math.floor((seed / 2 ** 31) * 10 ** (i % 17)));
    }
    // Act + Assess
    for (const x of values) expect(grouped(x), String(x)).toBe(x.toLocaleString("en-US"));
  });

  it("renders report counts with separators and other numbers to 4 digits", () => {
    expect(num(3_000_000)).toBe("3,000,000");
    expect(num(-1440)).toBe("-1,440");
    expect(num(12.34567)).toBe("12.35");
    expect(num(undefined)).toBe("–");
  });
});
