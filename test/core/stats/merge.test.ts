import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeStatistics } from "../../../src/core/stats/merge.js";
import type { DatasetStatistics, FeatureStatistics, HistogramBucket } from "../../../src/core/stats/types.js";

/** Statistics of one numeric feature `x` and one string feature `s`, computed from raw values. */
function stats(xs: number[], ss: string[], missing = 0, quarantined = 0): DatasetStatistics {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sumSquares = xs.reduce((a, b) => a + b * b, 0);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const buckets = 4;
  const width = (max - min) / buckets;
  const histogram: HistogramBucket[] =
    max === min
      ? [{ low: min, high: max, count: xs.length }]
      : Array.from({ length: buckets }, (_, i) => ({
          low: min + i * width,
          high: i === buckets - 1 ? max : min + (i + 1) * width,
          count: xs.filter((x) => Math.min(Math.floor((x - min) / width), buckets - 1) === i).length,
        }));
  const counts = new Map<string, number>();
  for (const s of ss) counts.set(s, (counts.get(s) ?? 0) + 1);
  const mean = sum / xs.length;
  const x: FeatureStatistics = {
    name: "x",
    column: "x",
    type: "INT",
    present: xs.length,
    missing,
    distinctApprox: new Set(xs).size,
    numeric: {
      min,
      max,
      mean,
      stddev: Math.sqrt(sumSquares / xs.length - mean * mean),
      sum,
      sumSquares,
      quantiles: [],
      histogram,
      zeros: xs.filter((v) => v === 0).length,
      nonFinite: 0,
    },
  };
  const s: FeatureStatistics = {
    name: "s",
    column: "s",
    type: "STRING",
    present: ss.length,
    missing: xs.length + missing - ss.length,
    distinctApprox: counts.size,
    string: {
      topValues: [...counts]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)),
      avgLength: ss.reduce((a, v) => a + v.length, 0) / Math.max(ss.length, 1),
    },
  };
  const rows = xs.length + missing;
  return {
    dataset: "d",
    schemaVersion: 1,
    environment: "TRAINING",
    rowsRead: rows,
    rowsValid: rows - quarantined,
    rowsQuarantined: quarantined,
    sourceFields: ["x", "s"],
    features: [x, s],
  };
}

const feature = (s: DatasetStatistics, name: string) => s.features.find((f) => f.name === name)!;

describe("mergeStatistics", () => {
  it("adds counts and sums, folds min/max, recomputes mean and stddev, re-buckets histograms", () => {
    // Prepare: x = [1, 2, 3] and [4, 5]
    const a = stats([1, 2, 3], ["x", "x", "y"], 1, 1);
    const b = stats([4, 5], ["y", "z"]);
    // Act
    const m = mergeStatistics(a, b);
    // Assess: n = 5, sum 15, Σx² = 55, mean 3, var = 55/5 − 9 = 2
    expect(m.rowsRead).toBe(6);
    expect(m.rowsValid).toBe(5);
    expect(m.rowsQuarantined).toBe(1);
    const x = feature(m, "x");
    expect(x.present).toBe(5);
    expect(x.missing).toBe(1);
    expect(x.numeric).toMatchObject({ min: 1, max: 5, sum: 15, sumSquares: 55, mean: 3, zeros: 0 });
    expect(x.numeric!.stddev).toBeCloseTo(Math.SQRT2, 12);
    // 4 equal-width buckets over [1, 5]: a's buckets [1,1.5)=1 [1.5,2)=0 [2,2.5)=1 [2.5,3]=1 land in [1,2)=1, [2,3)=2;
    // b's [4,4.25)=1 … [4.75,5]=1 land in [4,5]=2.
    expect(x.numeric!.histogram.map((h) => h.count)).toEqual([1, 2, 0, 2]);
    expect(x.numeric!.histogram.map((h) => [h.low, h.high])).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    // Quantiles from the merged histogram: median = 2 + 1·(2.5 − 1)/2 = 2.75; ends are min and max.
    expect(x.numeric!.quantiles).toHaveLength(11);
    expect(x.numeric!.quantiles[0]).toBe(1);
    expect(x.numeric!.quantiles[5]).toBeCloseTo(2.75, 12);
    expect(x.numeric!.quantiles[10]).toBe(5);
    // Top values add; both lists were complete, so distinct is exact.
    const s = feature(m, "s");
    // Ties are ordered by value so the result does not depend on merge order.
    expect(s.string!.topValues).toEqual([
      { value: "x", count: 2 },
      { value: "y", count: 2 },
      { value: "z", count: 1 },
    ]);
    expect(s.distinctApprox).toBe(3);
  });

  it("counts a feature one batch lacks as missing in all of that batch's rows", () => {
    const a = stats([1, 2], ["a", "b"]);
    const b = { ...stats([3], ["c"]), features: [feature(stats([3], ["c"]), "x")] };
    const m = mergeStatistics(a, b);
    expect(feature(m, "s")).toMatchObject({ present: 2, missing: 1 });
  });

  it("refuses to merge two datasets", () => {
    expect(() => mergeStatistics(stats([1], ["a"]), { ...stats([1], ["a"]), dataset: "other" })).toThrow(
      /different datasets/,
    );
  });

  const batch = fc
    .tuple(
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 40 }),
      fc.integer({ min: 0, max: 5 }),
    )
    .map(([xs, ss, missing]) => stats(xs, ss.slice(0, xs.length), missing, Math.min(missing, 2)));

  /** Everything that must merge exactly. */
  const exact = (m: DatasetStatistics) => {
    const x = feature(m, "x");
    const s = feature(m, "s");
    return {
      rows: [m.rowsRead, m.rowsValid, m.rowsQuarantined],
      x: [
        x.present,
        x.missing,
        x.numeric!.sum,
        x.numeric!.sumSquares,
        x.numeric!.min,
        x.numeric!.max,
        x.numeric!.zeros,
      ],
      histogramTotal: x.numeric!.histogram.reduce((t, h) => t + h.count, 0),
      s: [s.present, s.missing, s.string!.topValues.reduce((t, v) => t + v.count, 0)],
    };
  };

  it("is commutative and associative on counts and sums (property)", () => {
    fc.assert(
      fc.property(batch, batch, batch, (a, b, c) => {
        expect(exact(mergeStatistics(a, b))).toEqual(exact(mergeStatistics(b, a)));
        const left = mergeStatistics(mergeStatistics(a, b), c);
        const right = mergeStatistics(a, mergeStatistics(b, c));
        expect(exact(left)).toEqual(exact(right));
        expect(feature(left, "x").numeric!.mean).toBeCloseTo(feature(right, "x").numeric!.mean, 9);
        // And the merged counts are the sums of the parts.
        expect(exact(left).histogramTotal).toBe(
          feature(a, "x").present + feature(b, "x").present + feature(c, "x").present,
        );
      }),
      { numRuns: 200 },
    );
  });
});
