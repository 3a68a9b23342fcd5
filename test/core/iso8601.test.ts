import { describe, expect, it } from "vitest";
import { parseInstant } from "../../src/core/time/iso8601.js";

describe("parseInstant (strict ISO 8601)", () => {
  it("reads dates, times and offsets; a time without an offset is UTC", () => {
    expect(parseInstant("2026-03-01").toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(parseInstant("2026-03-01T12:30").toISOString()).toBe("2026-03-01T12:30:00.000Z");
    expect(parseInstant("2026-03-01T12:30:15.25").toISOString()).toBe("2026-03-01T12:30:15.250Z");
    expect(parseInstant("2026-03-01T12:30:00+02:00").toISOString()).toBe("2026-03-01T10:30:00.000Z");
    expect(parseInstant("2026-03-01 12:30:00-0130").toISOString()).toBe("2026-03-01T14:00:00.000Z");
    expect(parseInstant("2024-02-29T00:00:00Z").toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("refuses impossible dates, bare numbers and other forms instead of guessing", () => {
    expect(() => parseInstant("2026-02-30")).toThrow(/2026-02 has 28 days/);
    expect(() => parseInstant("2026-13-01")).toThrow(/there is no month 13/);
    expect(() => parseInstant("1700000000000")).toThrow(/not in ISO 8601 form/);
    expect(() => parseInstant("2026")).toThrow(/not in ISO 8601 form/);
    expect(() => parseInstant("March 1, 2026")).toThrow(/not in ISO 8601 form/);
    expect(() => parseInstant("2026-03-01T24:00:00Z")).toThrow(/time is out of range/);
  });
});
