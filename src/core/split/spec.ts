/**
 * A split specification: named parts with percentages, plus the seed that salts the hash.
 * Percentages are turned into cumulative ranges over 10 000 buckets (basis points), so a
 * percentage may have at most two decimals; the last part absorbs nothing — they must sum to 100.
 */
import { UsageError } from "../errors.js";

export const SPLIT_BUCKETS = 10_000;
export const DEFAULT_SPLIT_SEED = "lakeline";

export interface SplitPart {
  readonly name: string;
  /** Percent of rows, 0–100, at most two decimals. */
  readonly percent: number;
}

export interface SplitSpec {
  readonly parts: readonly SplitPart[];
  /** Salts the hash: a new seed reshuffles every row, the same seed never does. */
  readonly seed: string;
}

/** A part with its bucket range `[from, to)` in `[0, SPLIT_BUCKETS)`. */
export interface SplitRange extends SplitPart {
  readonly from: number;
  readonly to: number;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Validate and freeze a spec; throws UsageError naming the bad part. */
export function splitSpec(
  parts: readonly SplitPart[] | Readonly<Record<string, number>>,
  seed: string = DEFAULT_SPLIT_SEED,
): SplitSpec {
  const list: SplitPart[] = Array.isArray(parts)
    ? (parts as readonly SplitPart[]).map((p) => ({ name: p.name, percent: p.percent }))
    : Object.entries(parts as Record<string, number>).map(([name, percent]) => ({ name, percent }));
  if (list.length === 0) throw new UsageError("split needs at least one part, e.g. train=80,eval=10,test=10");
  const seen = new Set<string>();
  let basisPoints = 0;
  for (const p of list) {
    if (!NAME.test(p.name))
      throw new UsageError(`split name must be a lowercase identifier, not ${JSON.stringify(p.name)}`);
    if (seen.has(p.name)) throw new UsageError(`split name ${p.name} appears twice`);
    seen.add(p.name);
    const bp = Math.round(p.percent * 100);
    if (!Number.isFinite(p.percent) || p.percent < 0 || Math.abs(bp - p.percent * 100) > 1e-6) {
      throw new UsageError(`split ${p.name}=${p.percent}: percentages are 0–100 with at most two decimals`);
    }
    basisPoints += bp;
  }
  if (basisPoints !== SPLIT_BUCKETS) {
    throw new UsageError(
      `split percentages sum to ${basisPoints / 100}, not 100 (${list.map((p) => `${p.name}=${p.percent}`).join(",")})`,
    );
  }
  if (seed.length === 0) throw new UsageError("split seed must not be empty");
  return { parts: list, seed };
}

/** `train=80,eval=10,test=10` → a spec (order kept: it decides which bucket ranges each part gets). */
export function parseSplitArg(text: string, seed: string = DEFAULT_SPLIT_SEED): SplitSpec {
  const parts = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = /^([^=]+)=([0-9]+(?:\.[0-9]+)?)$/.exec(s);
      if (!m) throw new UsageError(`split part must look like name=percent, not ${JSON.stringify(s)}`);
      return { name: m[1]!.trim(), percent: Number(m[2]) };
    });
  return splitSpec(parts, seed);
}

/** `train=80,eval=10,test=10`: the spec's canonical text (for run ids and manifests). */
export function formatSplitSpec(spec: SplitSpec): string {
  return spec.parts.map((p) => `${p.name}=${p.percent}`).join(",");
}

/** Cumulative bucket ranges, in spec order. Zero-percent parts get an empty range. */
export function splitRanges(spec: SplitSpec): SplitRange[] {
  let from = 0;
  return spec.parts.map((p) => {
    const to = from + Math.round(p.percent * 100);
    const range = { ...p, from, to };
    from = to;
    return range;
  });
}
