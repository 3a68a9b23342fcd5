/**
 * How numeric features' values are distributed, over the staged records `scope` selects
 * (statistics.ts): equal-width histograms, in one statement whatever the number of features; their
 * bounds come from the aggregates scan (statistics.ts). Top values of categorical features:
 * top-values.ts.
 */
import { isList } from "../../core/schema/types.js";
import { sqlIdent, sqlNumber } from "../../core/sql.js";
import { as, renderQuery, renderSelect } from "../../core/sql-builder.js";
import type { HistogramBucket } from "../../core/stats/types.js";
import type { FeaturePlan } from "../../core/validate/row-sql.js";
import type { Database } from "./database.js";
import { StatisticColumns, type ValidAggregates } from "./statistic-columns.js";

const BUCKETS = 10;

export function isNumeric(p: FeaturePlan): boolean {
  return !isList(p.feature) && ["INT", "FLOAT", "TIMESTAMP"].includes(p.feature.type);
}
export function isCategorical(p: FeaturePlan): boolean {
  return !isList(p.feature) && (p.feature.type === "STRING" || p.feature.type === "BOOL");
}
/** Numeric view of a column: timestamps as epoch seconds, non-finite floats excluded. */
export function numericExpr(p: FeaturePlan): string {
  const c = p.staged;
  if (p.feature.type === "TIMESTAMP") return `epoch(${c})`;
  if (p.feature.type === "FLOAT") return `CASE WHEN isfinite(${c}) THEN ${c} END`;
  return `${c}::DOUBLE`;
}

/** Whether a row has a value in the numeric view (numericExpr IS NOT NULL, without computing it). */
function hasValue(p: FeaturePlan): string {
  const c = p.staged;
  return p.feature.type === "FLOAT" ? `isfinite(${c})` : `${c} IS NOT NULL`;
}

/** max − min overflows to Infinity for values near ±1.8e308; dividing first keeps the width finite. */
function bucketWidth(min: number, max: number): number {
  const width = (max - min) / BUCKETS;
  return Number.isFinite(width) ? width : max / BUCKETS - min / BUCKETS;
}

/** Largest span whose BUCKETS-fold still fits a BIGINT. */
const MAX_EXACT_SPAN = (2n ** 63n - 1n) / BigInt(BUCKETS);

/**
 * The SQL bucket of a value in [min, max] split into BUCKETS equal widths. INT and TIMESTAMP (as
 * epoch microseconds) use exact integer arithmetic — floor(BUCKETS·(x − min) / (max − min)) — which
 * measured half the cost of the DOUBLE form and puts values on an edge in the right bucket; FLOAT, and
 * integer spans too wide for a BIGINT product, use the DOUBLE form. The maximum falls in bucket
 * BUCKETS, which the caller counts in the last one (no least(), whose skipping of NULLs needed a CASE
 * around it), and a missing value has no bucket.
 */
function bucketExpr(p: FeaturePlan, min: number, max: number, valid: ValidAggregates): string {
  const c = p.staged;
  const imin = valid.columns.read(valid.row, p, "intMin");
  const imax = valid.columns.read(valid.row, p, "intMax");
  if (imin !== undefined && imin !== null && imax !== undefined && imax !== null) {
    const lo = BigInt(imin as bigint);
    const span = BigInt(imax as bigint) - lo;
    if (span > 0n && span <= MAX_EXACT_SPAN) {
      const v = p.feature.type === "TIMESTAMP" ? `epoch_us(${c})` : c;
      return `(${v} - ${lo}) * ${BUCKETS} // ${span}`;
    }
  }
  const width = bucketWidth(min, max);
  return width > 0
    ? `floor((${numericExpr(p)} - ${sqlNumber(min)}) / ${sqlNumber(width)})`
    : `CASE WHEN ${hasValue(p)} THEN 0 END`;
}

/**
 * Each feature grouped in its own scan (a grouped count measured 3× cheaper than the histogram()
 * aggregate on flights), unless the caller asks for one scan serving every feature or there are more
 * than this many features: on 300 columns staged in Parquet, 180 scans took 22 s and 1.9 GB (every
 * scan re-reads the file's metadata for every column, and every branch holds its own hash table).
 */
export const ONE_SCAN_PER_FEATURE_UP_TO = 64;

export interface HistogramSpec {
  readonly p: FeaturePlan;
  readonly min: number;
  readonly max: number;
}

/** The numeric features with values, and their bounds from the aggregates. */
export function histogramSpecs(plans: readonly FeaturePlan[], valid: ValidAggregates): HistogramSpec[] {
  return plans.filter(isNumeric).flatMap((p) => {
    const min = valid.columns.read(valid.row, p, "min");
    const max = valid.columns.read(valid.row, p, "max");
    return min === null || min === undefined ? [] : [{ p, min: Number(min), max: Number(max) }];
  });
}

/**
 * The histogram query. Per feature (narrow tables): rows of (feature position `f`, bucket `b`, count
 * `n`). One scan (wide tables): one row, each feature's bucket computed once per row and counted by
 * one count_if per bucket (its NULL, a missing value, is in none), the list of BUCKETS counts in the
 * column `columns` names: plain counters, where histogram()'s map per feature cost ~1.15× the CPU of
 * the scan (180 numeric columns × 200k rows: 3.05 s vs 2.62 s, medians of three alternating runs).
 * Unclamped buckets (see bucketExpr) measured 2.25 s → 2.05 s CPU there, and on 3M flights rows per
 * feature 0.25 s → 0.19 s, with the same counts.
 */
export function histogramQuery(
  table: string,
  specs: readonly HistogramSpec[],
  valid: ValidAggregates,
  oneScan: boolean,
  /** The staged rows described (statistics.ts: every record). */
  scope = "__ok",
): { sql: string; columns?: StatisticColumns } {
  if (!oneScan)
    return {
      sql: renderQuery({
        unionAll: specs.map(({ p, min, max }) => ({
          // `__b`, not `b`: a GROUP BY name binds a column of the table before an alias of the
          // select list, and a feature's column may be called `b` (names with `_` are reserved).
          select: [as(String(p.index), "f"), as(bucketExpr(p, min, max, valid), "__b"), as("count(*)", "n")],
          from: table,
          where: [scope, hasValue(p)],
          groupBy: ["__b"],
        })),
      }),
    };
  const columns = new StatisticColumns();
  const bucket = (p: FeaturePlan) => `__b${p.index}`;
  const sql = renderSelect({
    select: specs.map(({ p }) =>
      columns.add(
        p,
        "histogram",
        `[${Array.from({ length: BUCKETS }, (_, b) => `count_if(${bucket(p)} ${b < BUCKETS - 1 ? "=" : ">="} ${b})`).join(", ")}]`,
      ),
    ),
    from: {
      query: {
        select: specs.map(({ p, min, max }) => as(bucketExpr(p, min, max, valid), bucket(p))),
        from: table,
        where: [scope],
      },
      as: "buckets",
    },
  });
  return { sql, columns };
}

/** Equal-width histograms of every numeric feature, in one statement. */
export async function histogramsOf(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  valid: ValidAggregates,
  oneScan = false,
  scope = "__ok",
): Promise<Map<number, HistogramBucket[]>> {
  const specs = histogramSpecs(plans, valid);
  const out = new Map<number, HistogramBucket[]>();
  if (specs.length === 0) return out;
  const counts = new Map<number, Map<number, number>>();
  const query = histogramQuery(
    table,
    specs,
    valid,
    oneScan || specs.length > ONE_SCAN_PER_FEATURE_UP_TO,
    scope,
  );
  const rows = await db.all(query.sql);
  if (query.columns === undefined) {
    for (const row of rows) {
      const f = Number(row.f);
      const m = counts.get(f) ?? new Map<number, number>();
      const b = Math.min(Number(row.__b), BUCKETS - 1);
      m.set(b, (m.get(b) ?? 0) + Number(row.n));
      counts.set(f, m);
    }
  } else {
    for (const { p } of specs) {
      const perBucket = (query.columns.read(rows[0], p, "histogram") as unknown[] | null) ?? [];
      counts.set(p.index, new Map(perBucket.map((n, b) => [b, Number(n)])));
    }
  }
  for (const { p, min, max } of specs) {
    const got = counts.get(p.index) ?? new Map<number, number>();
    const width = bucketWidth(min, max);
    const buckets: HistogramBucket[] =
      width > 0
        ? Array.from({ length: BUCKETS }, (_, b) => ({
            low: min + b * width,
            high: b === BUCKETS - 1 ? max : min + (b + 1) * width,
            count: got.get(b) ?? 0,
          }))
        : [{ low: min, high: max, count: got.get(0) ?? 0 }];
    out.set(p.index, buckets);
  }
  return out;
}
