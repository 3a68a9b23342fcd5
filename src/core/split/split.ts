/**
 * Repeatable splits: a row's split is a pure function of its key values and the spec, so a row
 * keeps its split across exports, engines and machines, and new rows never move old ones.
 */
import { bucketOf, canonicalKey, type KeyValue } from "./canonical.js";
import { type SplitSpec, splitRanges } from "./spec.js";

/** The bucket [0, 10 000) a key falls in under the spec's seed. */
export function splitBucket(keyValues: readonly KeyValue[], spec: SplitSpec): number {
  return bucketOf(canonicalKey(keyValues, spec.seed));
}

/** The split name of a key. */
export function splitOf(keyValues: readonly KeyValue[], spec: SplitSpec): string {
  return splitForBucket(splitBucket(keyValues, spec), spec);
}

export function splitForBucket(bucket: number, spec: SplitSpec): string {
  const ranges = splitRanges(spec).filter((r) => r.to > r.from);
  for (const r of ranges) if (bucket < r.to) return r.name;
  return ranges[ranges.length - 1]!.name;
}
