import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { featureDrift, jensenShannonDivergence, lInfinityDistance } from "../../../src/core/stats/drift.js";
import type { HistogramBucket, ValueFrequency } from "../../../src/core/stats/types.js";

describe("lInfinityDistance", () => {
  it("is the largest difference of normalised frequencies", () => {
    // Prepare: a = {x: .75, y: .25}; b = {x: .25, y: .25, z: .5}
    const a: ValueFrequency[] = [
      { value: "x", count: 3 },
      { value: "y", count: 1 },
    ];
    const b: ValueFrequency[] = [
      { value: "x", count: 1 },
      { value: "y", count: 1 },
      { value: "z", count: 2 },
    ];
    // Act + Assess: |.75 - .25| = .5 (x), |0 - .5| = .5 (z)
    expect(lInfinityDistance(a, b)).toBeCloseTo(0.5, 12);
    expect(
      lInfinityDistance(
        [
          { value: "A", count: 2 },
          { value: "B", count: 2 },
        ],
        [
          { value: "A", count: 3 },
          { value: "B", count: 1 },
        ],
      ),
    ).toBeCloseTo(0.25, 12);
  });

  it("is 0 for the same distribution at a different scale and 1 for disjoint supports", () => {
    expect(lInfinityDistance([{ value: "a", count: 1 }], [{ value: "a", count: 40 }])).toBe(0);
    expect(lInfinityDistance([{ value: "a", count: 5 }], [{ value: "b", count: 5 }])).toBe(1);
  });
});

describe("jensenShannonDivergence", () => {
  it("matches the hand-computed value on shared edges", () => {
    // p = (.5, .5), q = (1, 0), m = (.75, .25):
    // JS = .5·(.5·log2(.5/.75) + .5·log2(.5/.25)) + .5·(1·log2(1/.75)) = 0.311278125…
    const a: HistogramBucket[] = [
      { low: 0, high: 1, count: 1 },
      { low: 1, high: 2, count: 1 },
    ];
    const b: HistogramBucket[] = [
      { low: 0, high: 1, count: 2 },
      { low: 1, high: 2, count: 0 },
    ];
    expect(jensenShannonDivergence(a, b)).toBeCloseTo(0.311278124, 8);
  });

  it("re-buckets onto common edges assuming uniform spread within a bucket", () => {
    // One wide bucket equals two half-width buckets holding half each.
    expect(
      jensenShannonDivergence(
        [{ low: 0, high: 2, count: 2 }],
        [
          { low: 0, high: 1, count: 1 },
          { low: 1, high: 2, count: 1 },
        ],
      ),
    ).toBeCloseTo(0, 12);
    // [0,2) vs [1,3): p = (.5,.5,0), q = (0,.5,.5), m = (.25,.5,.25) → JS = .25 + .25 = .5
    expect(
      jensenShannonDivergence([{ low: 0, high: 2, count: 4 }], [{ low: 1, high: 3, count: 4 }]),
    ).toBeCloseTo(0.5, 12);
    // Disjoint supports → 1 (log base 2).
    expect(
      jensenShannonDivergence([{ low: 0, high: 1, count: 5 }], [{ low: 2, high: 3, count: 5 }]),
    ).toBeCloseTo(1, 12);
  });

  it("treats zero-width buckets as point masses", () => {
    expect(jensenShannonDivergence([{ low: 5, high: 5, count: 10 }], [{ low: 5, high: 5, count: 3 }])).toBe(
      0,
    );
    expect(jensenShannonDivergence([{ low: 5, high: 5, count: 10 }], [{ low: 7, high: 7, count: 3 }])).toBe(
      1,
    );
  });

  it("handles empty histograms", () => {
    expect(jensenShannonDivergence([], [])).toBe(0);
    expect(jensenShannonDivergence([], [{ low: 0, high: 1, count: 1 }])).toBe(1);
  });
});

const histogram = fc
  .array(
    fc.tuple(
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 100 }),
    ),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .map((xs) => xs.map(([low, width, count]) => ({ low, high: low + width, count })))
  .filter((h) => h.some((b) => b.count > 0));

const frequencies = fc
  .array(fc.tuple(fc.constantFrom("a", "b", "c", "d", "e"), fc.integer({ min: 0, max: 1000 })), {
    minLength: 1,
    maxLength: 5,
  })
  .map((xs) => xs.map(([value, count]) => ({ value, count })));

describe("drift properties", () => {
  it("JS ∈ [0, 1], JS(a, a) = 0 and JS is symmetric", () => {
    fc.assert(
      fc.property(histogram, histogram, (a, b) => {
        const js = jensenShannonDivergence(a, b);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(1);
        expect(jensenShannonDivergence(a, a)).toBeCloseTo(0, 9);
        expect(jensenShannonDivergence(b, a)).toBeCloseTo(js, 9);
      }),
      { numRuns: 300 },
    );
  });

  it("L∞ ∈ [0, 1], L∞(a, a) = 0 and L∞ is symmetric", () => {
    fc.assert(
      fc.property(frequencies, frequencies, (a, b) => {
        const d = lInfinityDistance(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1 + 1e-12);
        expect(lInfinityDistance(a, a)).toBe(0);
        expect(lInfinityDistance(b, a)).toBeCloseTo(d, 12);
      }),
      { numRuns: 300 },
    );
  });
});

describe("featureDrift", () => {
  const base = { name: "f", column: "f", present: 1, missing: 0, distinctApprox: 1 };
  it("picks L-infinity for categorical and Jensen-Shannon for numeric types", () => {
    const s1 = { ...base, type: "STRING", string: { topValues: [{ value: "a", count: 1 }], avgLength: 1 } };
    const s2 = { ...base, type: "STRING", string: { topValues: [{ value: "b", count: 1 }], avgLength: 1 } };
    expect(featureDrift("STRING", s1, s2)).toEqual({ metric: "L_INFINITY", value: 1 });
    const n = (low: number) => ({
      ...base,
      type: "INT",
      numeric: {
        min: low,
        max: low + 1,
        mean: 0,
        stddev: 0,
        sum: 0,
        sumSquares: 0,
        quantiles: [],
        zeros: 0,
        nonFinite: 0,
        histogram: [{ low, high: low + 1, count: 1 }],
      },
    });
    expect(featureDrift("INT", n(0), n(0))).toEqual({ metric: "JENSEN_SHANNON", value: 0 });
    expect(featureDrift("BYTES", n(0), n(5))).toBeUndefined();
    expect(featureDrift("STRING", n(0), n(5))).toBeUndefined();
  });
});
