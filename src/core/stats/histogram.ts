/**
 * Histogram arithmetic shared by merging and drift: histograms of different batches have
 * different edges, so both operations first move mass onto common edges, assuming values are
 * spread uniformly within a bucket (the only assumption an equal-width histogram supports).
 */
import type { HistogramBucket } from "./types.js";

export function histogramTotal(h: readonly HistogramBucket[]): number {
  let total = 0;
  for (const b of h) total += b.count;
  return total;
}

/**
 * Mass of `h` falling in [low, high). A zero-width bucket (every value equal) is a point mass;
 * it lands in the interval containing its value, and `lastClosed` closes the last interval so a
 * point at the overall maximum is not lost.
 */
export function massIn(
  h: readonly HistogramBucket[],
  low: number,
  high: number,
  lastClosed: boolean,
): number {
  let mass = 0;
  for (const b of h) {
    if (b.count === 0) continue;
    const width = b.high - b.low;
    if (width <= 0) {
      if (b.low >= low && (b.low < high || (lastClosed && b.low === high))) mass += b.count;
      continue;
    }
    const overlap = Math.min(b.high, high) - Math.max(b.low, low);
    if (overlap > 0) mass += (b.count * overlap) / width;
  }
  return mass;
}

/**
 * Move `h` onto equal-width buckets from `min` to `max`. Counts stay integers (largest-remainder
 * rounding) and their total is exactly preserved, so re-bucketed histograms still add up.
 */
export function rebucketEqualWidth(
  h: readonly HistogramBucket[],
  min: number,
  max: number,
  buckets: number,
): HistogramBucket[] {
  const total = histogramTotal(h);
  if (total === 0 || buckets < 1) return [];
  if (max <= min) return [{ low: min, high: max, count: total }];
  const width = (max - min) / buckets;
  const edges = Array.from({ length: buckets + 1 }, (_, i) => (i === buckets ? max : min + i * width));
  const exact = edges.slice(0, -1).map((low, i) => massIn(h, low, edges[i + 1]!, i === buckets - 1));
  const counts = roundPreservingTotal(exact, total);
  return counts.map((count, i) => ({ low: edges[i]!, high: edges[i + 1]!, count }));
}

/** Largest-remainder rounding: integers, each within 1 of its exact share, summing to `total`. */
export function roundPreservingTotal(exact: readonly number[], total: number): number[] {
  const floors = exact.map((x) => Math.floor(x + 1e-9));
  let remaining = Math.round(total) - floors.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - floors[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; remaining > 0 && order.length > 0; k = (k + 1) % order.length, remaining--)
    floors[order[k]!.i]! += 1;
  // Rounding error (never more than a few units) the other way: take from the largest buckets.
  while (remaining < 0) {
    const i = floors.indexOf(Math.max(...floors));
    floors[i]! -= 1;
    remaining++;
  }
  return floors;
}

/** Approximate quantiles at 0, 1/(n-1), …, 1 by linear interpolation of the histogram's CDF. */
export function quantilesFromHistogram(h: readonly HistogramBucket[], points = 11): number[] {
  const total = histogramTotal(h);
  if (total === 0) return [];
  const sorted = [...h].filter((b) => b.count > 0).sort((a, b) => a.low - b.low);
  const out: number[] = [];
  for (let p = 0; p < points; p++) {
    const target = (total * p) / (points - 1);
    let seen = 0;
    let value = sorted.at(-1)!.high;
    for (const b of sorted) {
      if (seen + b.count >= target) {
        value = b.low + (b.high - b.low) * Math.max(0, (target - seen) / b.count);
        break;
      }
      seen += b.count;
    }
    out.push(value);
  }
  out[0] = sorted[0]!.low;
  return out;
}
