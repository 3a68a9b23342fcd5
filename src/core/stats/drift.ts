/**
 * Distances between two batches' distributions, as TFDV's drift/skew comparators define them:
 * L-infinity for categorical features, Jensen-Shannon divergence for numeric ones.
 */
import { histogramTotal, massIn } from "./histogram.js";
import type { FeatureStatistics, HistogramBucket, ValueFrequency } from "./types.js";

/**
 * Largest absolute difference between the two value distributions, each normalised by the sum
 * of the counts it lists. Statistics keep only the top values, so values beyond the top k are
 * left out of both sides alike; an empty side is the all-zero distribution.
 */
export function lInfinityDistance(a: readonly ValueFrequency[], b: readonly ValueFrequency[]): number {
  const pa = normalise(a);
  const pb = normalise(b);
  let max = 0;
  for (const value of new Set([...pa.keys(), ...pb.keys()])) {
    max = Math.max(max, Math.abs((pa.get(value) ?? 0) - (pb.get(value) ?? 0)));
  }
  return max;
}

function normalise(freqs: readonly ValueFrequency[]): Map<string, number> {
  let total = 0;
  for (const f of freqs) total += f.count;
  const out = new Map<string, number>();
  if (total <= 0) return out;
  for (const f of freqs) out.set(f.value, (out.get(f.value) ?? 0) + f.count / total);
  return out;
}

/**
 * Jensen-Shannon divergence (log base 2, so the result is in [0, 1]) between two histograms.
 * Both are re-bucketed onto the union of their edges, spreading each bucket's count uniformly
 * over its width. A zero-width bucket (every value equal) stays a point mass in a bin of its
 * own: a point and a spread are different distributions even where they overlap. Two empty
 * histograms are identical (0); one empty and one not are as different as can be (1).
 */
export function jensenShannonDivergence(
  a: readonly HistogramBucket[],
  b: readonly HistogramBucket[],
): number {
  const ta = histogramTotal(a);
  const tb = histogramTotal(b);
  if (ta <= 0 || tb <= 0) return ta <= 0 && tb <= 0 ? 0 : 1;
  const p = commonBins(a, b).map((mass) => mass / ta);
  const q = commonBins(b, a).map((mass) => mass / tb);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    const m = (pi + qi) / 2;
    if (pi > 0) js += 0.5 * pi * Math.log2(pi / m);
    if (qi > 0) js += 0.5 * qi * Math.log2(qi / m);
  }
  return Math.min(1, Math.max(0, js));
}

/**
 * Mass of `own` in each bin of the common binning of `own` and `other` (intervals between the
 * union of interval edges, then one bin per distinct point value), in an order that depends only
 * on the set of both histograms — so `commonBins(a, b)` and `commonBins(b, a)` line up.
 */
function commonBins(own: readonly HistogramBucket[], other: readonly HistogramBucket[]): number[] {
  const all = [...own, ...other].filter((bucket) => bucket.count > 0);
  const edges = [...new Set(all.filter((x) => x.high > x.low).flatMap((x) => [x.low, x.high]))].sort(
    (x, y) => x - y,
  );
  const points = [...new Set(all.filter((x) => x.high <= x.low).map((x) => x.low))].sort((x, y) => x - y);
  const intervals = own.filter((x) => x.high > x.low);
  const bins: number[] = [];
  for (let i = 0; i + 1 < edges.length; i++) bins.push(massIn(intervals, edges[i]!, edges[i + 1]!, false));
  for (const point of points) {
    let mass = 0;
    for (const x of own) if (x.high <= x.low && x.low === point) mass += x.count;
    bins.push(mass);
  }
  return bins;
}

export type DriftMetric = "L_INFINITY" | "JENSEN_SHANNON";

export interface FeatureDrift {
  readonly metric: DriftMetric;
  readonly value: number;
}

const CATEGORICAL = new Set(["STRING", "BOOL"]);
const NUMERIC = new Set(["INT", "FLOAT", "TIMESTAMP"]);

/**
 * The drift of one feature between two batches, with the metric TFDV uses for its type; undefined
 * when either batch lacks the statistics the metric needs (e.g. no value was present).
 */
export function featureDrift(
  type: string,
  current: FeatureStatistics,
  previous: FeatureStatistics,
): FeatureDrift | undefined {
  if (CATEGORICAL.has(type)) {
    const a = current.string?.topValues;
    const b = previous.string?.topValues;
    if (!a?.length || !b?.length) return undefined;
    return { metric: "L_INFINITY", value: lInfinityDistance(a, b) };
  }
  if (NUMERIC.has(type)) {
    const a = current.numeric?.histogram;
    const b = previous.numeric?.histogram;
    if (!a?.length || !b?.length) return undefined;
    return { metric: "JENSEN_SHANNON", value: jensenShannonDivergence(a, b) };
  }
  return undefined;
}
