/**
 * Combining two batches' statistics without rescanning their files (daily roll-ups, a dataset's
 * running profile). Exact where the mergeable form allows — counts, sums, min/max, mean, stddev —
 * and approximate where it cannot be: histograms (re-bucketed assuming uniform spread within a
 * bucket), quantiles (read off the merged histogram), top values and distinct counts beyond the
 * kept top k.
 */
import { LakelineError } from "../errors.js";
import { histogramTotal, quantilesFromHistogram, rebucketEqualWidth } from "./histogram.js";
import type {
  DatasetStatistics,
  FeatureStatistics,
  NumericStatistics,
  StringStatistics,
  ValueFrequency,
} from "./types.js";

/** As many top values as the statistics keep (see `StringStatistics.topValues`). */
export const TOP_K = 50;

export function mergeStatistics(a: DatasetStatistics, b: DatasetStatistics): DatasetStatistics {
  if (a.dataset !== b.dataset) {
    throw new LakelineError(`cannot merge statistics of different datasets: ${a.dataset} and ${b.dataset}`, {
      datasets: [a.dataset, b.dataset],
    });
  }
  const names = unionInOrder(
    a.features.map((f) => f.name),
    b.features.map((f) => f.name),
  );
  const byName = (s: DatasetStatistics) => new Map(s.features.map((f) => [f.name, f]));
  const fa = byName(a);
  const fb = byName(b);
  return {
    dataset: a.dataset,
    schemaVersion: Math.max(a.schemaVersion, b.schemaVersion),
    // Sorted so that merge order does not change the result.
    environment: [...new Set([...a.environment.split("+"), ...b.environment.split("+")])].sort().join("+"),
    rowsRead: a.rowsRead + b.rowsRead,
    rowsValid: a.rowsValid + b.rowsValid,
    rowsQuarantined: a.rowsQuarantined + b.rowsQuarantined,
    sourceFields: unionInOrder(a.sourceFields, b.sourceFields),
    features: names.map((name) => mergeFeature(fa.get(name), fb.get(name), a.rowsRead, b.rowsRead)),
  };
}

function unionInOrder(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a);
  return [...a, ...b.filter((x) => !seen.has(x))];
}

/** A feature one batch lacks counts as missing in every row that batch read. */
function mergeFeature(
  a: FeatureStatistics | undefined,
  b: FeatureStatistics | undefined,
  rowsA: number,
  rowsB: number,
): FeatureStatistics {
  if (!a || !b) {
    const only = (a ?? b)!;
    return { ...only, missing: only.missing + (a ? rowsB : rowsA) };
  }
  const numeric = mergeNumeric(a.numeric, b.numeric);
  const string = mergeString(a, b);
  const valueCount = mergeValueCount(a, b);
  return {
    name: a.name,
    column: b.column,
    type: b.type,
    present: a.present + b.present,
    missing: a.missing + b.missing,
    ...(mergeDistinct(a, b) === undefined ? {} : { distinctApprox: mergeDistinct(a, b) }),
    ...(numeric ? { numeric } : {}),
    ...(string ? { string } : {}),
    ...(valueCount ? { valueCount } : {}),
  };
}

/**
 * Exact when both batches listed every value they saw (fewer than TOP_K), otherwise the larger
 * of the two: a lower bound, and what a roll-up of similar batches converges to.
 */
function mergeDistinct(a: FeatureStatistics, b: FeatureStatistics): number | undefined {
  if (a.distinctApprox === undefined || b.distinctApprox === undefined)
    return a.distinctApprox ?? b.distinctApprox;
  const ta = a.string?.topValues;
  const tb = b.string?.topValues;
  const complete = (s: FeatureStatistics, t: readonly ValueFrequency[] | undefined) =>
    t !== undefined && t.length < TOP_K && t.length === s.distinctApprox;
  if (complete(a, ta) && complete(b, tb)) return new Set([...ta!, ...tb!].map((v) => v.value)).size;
  return Math.max(a.distinctApprox, b.distinctApprox);
}

/** Finite values counted in the histogram are the ones sums and means describe. */
function numericCount(n: NumericStatistics): number {
  const total = histogramTotal(n.histogram);
  if (total > 0 || n.mean === 0) return total;
  return Math.round(n.sum / n.mean);
}

export function mergeNumeric(
  a: NumericStatistics | undefined,
  b: NumericStatistics | undefined,
): NumericStatistics | undefined {
  if (!a || !b) return a ?? b;
  const na = numericCount(a);
  const nb = numericCount(b);
  if (na === 0) return { ...b, zeros: a.zeros + b.zeros, nonFinite: a.nonFinite + b.nonFinite };
  if (nb === 0) return { ...a, zeros: a.zeros + b.zeros, nonFinite: a.nonFinite + b.nonFinite };
  const n = na + nb;
  const sum = a.sum + b.sum;
  const sumSquares = a.sumSquares + b.sumSquares;
  const mean = sum / n;
  const min = Math.min(a.min, b.min);
  const max = Math.max(a.max, b.max);
  const buckets = Math.max(a.histogram.length, b.histogram.length, 1);
  const ra = rebucketEqualWidth(a.histogram, min, max, buckets);
  const rb = rebucketEqualWidth(b.histogram, min, max, buckets);
  const histogram =
    ra.length === 0 ? rb : rb.length === 0 ? ra : ra.map((x, i) => ({ ...x, count: x.count + rb[i]!.count }));
  return {
    min,
    max,
    mean,
    // Population standard deviation, from the exact sums (clamped: rounding can dip below 0).
    stddev: Math.sqrt(Math.max(0, sumSquares / n - mean * mean)),
    sum,
    sumSquares,
    quantiles: quantilesFromHistogram(histogram),
    histogram,
    zeros: a.zeros + b.zeros,
    nonFinite: a.nonFinite + b.nonFinite,
  };
}

function mergeString(a: FeatureStatistics, b: FeatureStatistics): StringStatistics | undefined {
  const sa = a.string;
  const sb = b.string;
  if (!sa || !sb) return sa ?? sb;
  const counts = new Map<string, number>();
  for (const v of [...sa.topValues, ...sb.topValues])
    counts.set(v.value, (counts.get(v.value) ?? 0) + v.count);
  const topValues = [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .slice(0, TOP_K);
  // Weighted by rows present: the statistics do not keep the number of string values itself.
  const w = a.present + b.present;
  const avgLength =
    w === 0 ? (sa.avgLength + sb.avgLength) / 2 : (sa.avgLength * a.present + sb.avgLength * b.present) / w;
  return { topValues, avgLength };
}

function mergeValueCount(a: FeatureStatistics, b: FeatureStatistics): FeatureStatistics["valueCount"] {
  const va = a.valueCount;
  const vb = b.valueCount;
  if (!va || !vb) return va ?? vb;
  const w = a.present + b.present;
  return {
    min: Math.min(va.min, vb.min),
    max: Math.max(va.max, vb.max),
    mean: w === 0 ? (va.mean + vb.mean) / 2 : (va.mean * a.present + vb.mean * b.present) / w,
  };
}
