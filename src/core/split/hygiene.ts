/**
 * Warnings about a split that will mislead whoever trains on it: a key that contains the label
 * (every example of a class lands in one split, so eval and test hold classes train never saw),
 * and realised shares far from the requested ones (a key with few distinct values cannot be cut
 * 80/10/10; hashing 3 species gives 3 buckets).
 */
import type { SplitSpec } from "./spec.js";

/** Realised shares further than this many percentage points from the request are reported. */
export const SHARE_TOLERANCE_POINTS = 5;

export function splitWarnings(args: {
  readonly spec: SplitSpec;
  readonly rows: Readonly<Record<string, number>>;
  readonly keyColumns: readonly string[];
  /** The label's warehouse column, when the schema names one and the key was chosen by a person. */
  readonly labelColumn?: string;
}): string[] {
  const out: string[] = [];
  if (args.labelColumn && args.keyColumns.includes(args.labelColumn))
    out.push(
      `the split key (${args.keyColumns.join(", ")}) contains the label column ${args.labelColumn}: each label value lands in one split only, so eval/test hold labels train never saw; key the split by the other features or an id`,
    );
  const total = Object.values(args.rows).reduce((a, b) => a + b, 0);
  if (total > 0) {
    for (const part of args.spec.parts) {
      const share = ((args.rows[part.name] ?? 0) / total) * 100;
      if (Math.abs(share - part.percent) > SHARE_TOLERANCE_POINTS)
        out.push(
          `split ${part.name} holds ${share.toFixed(1)}% of ${total} rows, requested ${part.percent}% (more than ${SHARE_TOLERANCE_POINTS} points off: the split key has too few distinct values to cut the rows as requested)`,
        );
    }
  }
  return out;
}
