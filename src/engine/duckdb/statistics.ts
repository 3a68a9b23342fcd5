/**
 * Per-batch statistics as SQL over the staged table: three scans of valid rows at most (aggregates,
 * histograms, top values), whatever the number of features. Presence is over all rows read; value statistics
 * describe the rows that passed validation (what the warehouse receives).
 */

import { QueryError } from "../../core/errors.js";
import { isList } from "../../core/schema/types.js";
import { sqlIdent, sqlNumber } from "../../core/sql.js";
import type { DatasetStatistics, FeatureStatistics, HistogramBucket } from "../../core/stats/types.js";
import type { AnomalyType } from "../../core/validate/anomaly.js";
import { BAD_ROW, type FeaturePlan } from "../../core/validate/row-sql.js";
import type { Database, Row } from "./database.js";

const BUCKETS = 10;
const TOP_K = 50;
const QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);

function isNumeric(p: FeaturePlan): boolean {
  return !isList(p.feature) && ["INT", "FLOAT", "TIMESTAMP"].includes(p.feature.type);
}
function isCategorical(p: FeaturePlan): boolean {
  return !isList(p.feature) && (p.feature.type === "STRING" || p.feature.type === "BOOL");
}
/** Numeric view of a column: timestamps as epoch seconds, non-finite floats excluded. */
function numericExpr(p: FeaturePlan): string {
  const c = sqlIdent(p.feature.column);
  if (p.feature.type === "TIMESTAMP") return `epoch(${c})`;
  if (p.feature.type === "FLOAT") return `CASE WHEN isfinite(${c}) THEN ${c} END`;
  return `${c}::DOUBLE`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface RowCodeCount {
  readonly feature: string;
  readonly code: AnomalyType;
  readonly rows: number;
}

export interface StagedStatistics {
  readonly rows: number;
  /** Staged rows that were not records at all (e.g. a JSON line that is not an object). */
  readonly badRecords: number;
  readonly rowsValid: number;
  readonly features: FeatureStatistics[];
  readonly codeCounts: RowCodeCount[];
}

/**
 * Statistics of the staged table (see rowValidationPlan for its columns). `badRecord` is the SQL
 * telling a row that was not a record at all (a JSON line that is not an object); CSV has none.
 */
export async function stagedStatistics(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  badRecord = "false",
): Promise<StagedStatistics> {
  // Value statistics describe valid rows: one scan with plain aggregates. Presence and row-level
  // error codes of rejected rows come from a second query over the (usually few) rows that failed.
  // For a valid row a NULL typed value can only mean "absent", so count(column) is its presence.
  const bad: string[] = ["count(*) AS n_bad", `count(*) FILTER (WHERE ${badRecord}) AS n_bad_record`];
  for (const p of plans) {
    const i = p.index;
    const e = BAD_ROW.error(i);
    bad.push(
      `count(*) FILTER (WHERE ${e} IS DISTINCT FROM '' AND ${e} IS DISTINCT FROM 'FEATURE_TYPE_NOT_PRESENT' AND NOT ${badRecord}) AS bp${i}`,
    );
    p.codes.forEach((code, k) => {
      bad.push(`count(*) FILTER (WHERE ${e} = '${code}' AND NOT ${badRecord}) AS c${i}_${k}`);
    });
  }
  const values = await validAggregates(db, table, plans);
  const [failed] = await db.all(`SELECT ${bad.join(",\n  ")} FROM ${table} WHERE NOT __ok`);
  const counts: Row = {
    n: num(values.n_ok) + num(failed?.n_bad),
    n_ok: values.n_ok,
    n_bad_record: failed?.n_bad_record,
  };
  for (const p of plans) counts[`p${p.index}`] = num(values[`vp${p.index}`]) + num(failed?.[`bp${p.index}`]);
  for (const [k, v] of Object.entries(failed ?? {})) if (/^c\d+_\d+$/.test(k)) counts[k] = v;
  const r = { ...values, ...(counts as Row) };
  const histograms = await histogramsOf(db, table, plans, r);
  const tops = await topValuesOf(db, table, plans);
  const features: FeatureStatistics[] = [];
  const codeCounts: RowCodeCount[] = [];
  const rows = num(r.n);
  for (const p of plans) {
    const i = p.index;
    const present = num(r[`p${i}`]);
    p.codes.forEach((code, k) => {
      const n = num(r[`c${i}_${k}`]);
      if (n > 0) codeCounts.push({ feature: p.feature.name, code, rows: n });
    });
    const base = {
      name: p.feature.name,
      column: p.feature.column,
      type: p.feature.type,
      present,
      // Over well-formed records only; malformed ones are counted as RECORD_MALFORMED instead.
      missing: rows - num(r.n_bad_record) - present,
    };
    if (isNumeric(p) && r[`min${i}`] !== null && r[`min${i}`] !== undefined) {
      const sum = num(r[`sum${i}`]);
      features.push({
        ...base,
        numeric: {
          min: num(r[`min${i}`]),
          max: num(r[`max${i}`]),
          // sum / count of finite values: the same division avg() performs, without a third accumulator.
          mean: sum / num(r[`nx${i}`]),
          stddev: num(r[`sd${i}`]),
          sum,
          sumSquares: num(r[`ss${i}`]),
          quantiles: ((r[`q${i}`] as unknown[]) ?? []).map(num),
          histogram: histograms.get(i) ?? [],
          zeros: num(r[`z${i}`]),
          nonFinite: num(r[`nf${i}`]),
        },
      });
    } else if (isCategorical(p)) {
      const top = tops.get(i);
      features.push({
        ...base,
        distinctApprox: top?.distinct ?? 0,
        string: { topValues: top?.values ?? [], avgLength: top?.avgLength ?? 0 },
      });
    } else if (isList(p.feature) && r[`lmin${i}`] !== null) {
      features.push({
        ...base,
        valueCount: { min: num(r[`lmin${i}`]), max: num(r[`lmax${i}`]), mean: num(r[`lavg${i}`]) },
      });
    } else {
      features.push(base);
    }
  }
  return { rows, rowsValid: num(r.n_ok), badRecords: num(r.n_bad_record), features, codeCounts };
}

/**
 * The aggregates of valid rows, one scan. Measured on 3M flights rows (2 threads), each choice here
 * halves its part: min/max/zeros on the typed column rather than its DOUBLE view (9 vs 52 ms), and
 * a plain stddev_pop, with the overflow guard only as a retry (the guard cost 50 ms on every batch).
 */
async function validAggregates(db: Database, table: string, plans: readonly FeaturePlan[]): Promise<Row> {
  const select = (guarded: boolean): string => {
    const valid: string[] = ["count(*) AS n_ok"];
    for (const p of plans) {
      const i = p.index;
      const c = sqlIdent(p.feature.column);
      valid.push(`count(${c}) AS vp${i}`);
      if (isNumeric(p)) {
        const x = numericExpr(p);
        const exact = p.feature.type !== "FLOAT";
        const typed =
          p.feature.type === "TIMESTAMP"
            ? (agg: string) => `epoch(${agg})`
            : (agg: string) => `${agg}::DOUBLE`;
        valid.push(
          exact ? `${typed(`min(${c})`)} AS min${i}` : `min(${x}) AS min${i}`,
          exact ? `${typed(`max(${c})`)} AS max${i}` : `max(${x}) AS max${i}`,
          // Integer-valued bounds for the histogram's exact integer bucketing (see histogramsOf).
          ...(p.feature.type === "INT" ? [`min(${c}) AS imin${i}`, `max(${c}) AS imax${i}`] : []),
          ...(p.feature.type === "TIMESTAMP"
            ? [`epoch_us(min(${c})) AS imin${i}`, `epoch_us(max(${c})) AS imax${i}`]
            : []),
          exact ? `count(${c}) AS nx${i}` : `count(${x}) AS nx${i}`,
          // DuckDB raises "STDDEV_POP is out of range" once squared deviations overflow (|x| ≳ 1e154):
          // one absurd value must not fail the batch, so the spread of such a column is unknown (NULL).
          guarded
            ? `CASE WHEN max(abs(${x})) < 1e100 THEN stddev_pop(CASE WHEN abs(${x}) < 1e100 THEN ${x} END) END AS sd${i}`
            : `stddev_pop(${x}) AS sd${i}`,
          `sum(${x}) AS sum${i}`,
          `sum(${x} * ${x}) AS ss${i}`,
          // Quantiles from an 8192-value reservoir: ~10× cheaper than t-digest, same use (reports, drift context).
          `reservoir_quantile(${x}, [${QUANTILES.join(", ")}], 8192) AS q${i}`,
          exact ? `count(*) FILTER (WHERE ${zero(p)}) AS z${i}` : `count(*) FILTER (WHERE ${x} = 0) AS z${i}`,
          p.feature.type === "FLOAT" ? `count(*) FILTER (WHERE NOT isfinite(${c})) AS nf${i}` : `0 AS nf${i}`,
        );
      } else if (isList(p.feature)) {
        valid.push(`min(len(${c})) AS lmin${i}`, `max(len(${c})) AS lmax${i}`, `avg(len(${c})) AS lavg${i}`);
      }
    }
    return `SELECT ${valid.join(",\n  ")} FROM ${table} WHERE __ok`;
  };
  try {
    return (await db.all(select(false)))[0] ?? {};
  } catch (err) {
    if (!(err instanceof QueryError) || !/out of range/i.test(err.message)) throw err;
    return (await db.all(select(true)))[0] ?? {};
  }
}

/** The typed column's zero: 0 for INT, the epoch for TIMESTAMP (as its DOUBLE view counts it). */
function zero(p: FeaturePlan): string {
  const c = sqlIdent(p.feature.column);
  return p.feature.type === "TIMESTAMP" ? `${c} = TIMESTAMP '1970-01-01'` : `${c} = 0`;
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
 * integer spans too wide for a BIGINT product, use the DOUBLE form.
 */
function bucketExpr(p: FeaturePlan, min: number, max: number, r: Row): string {
  const c = sqlIdent(p.feature.column);
  const imin = r[`imin${p.index}`];
  const imax = r[`imax${p.index}`];
  if (imin !== undefined && imin !== null && imax !== undefined && imax !== null) {
    const lo = BigInt(imin as bigint);
    const span = BigInt(imax as bigint) - lo;
    if (span > 0n && span <= MAX_EXACT_SPAN) {
      const v = p.feature.type === "TIMESTAMP" ? `epoch_us(${c})` : c;
      return `least((${v} - ${lo}) * ${BUCKETS} // ${span}, ${BUCKETS - 1})`;
    }
  }
  const width = bucketWidth(min, max);
  return width > 0
    ? `least(floor((${numericExpr(p)} - ${sqlNumber(min)}) / ${sqlNumber(width)}), ${BUCKETS - 1})::INTEGER`
    : "0";
}

/**
 * Equal-width histograms of every numeric feature: one GROUP BY per feature (a grouped count measured
 * 3× cheaper than the histogram() aggregate), all in one statement.
 */
async function histogramsOf(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  r: Row,
): Promise<Map<number, HistogramBucket[]>> {
  const specs = plans
    .filter(isNumeric)
    .map((p) => ({ p, min: r[`min${p.index}`], max: r[`max${p.index}`] }))
    .filter((s) => s.min !== null && s.min !== undefined)
    .map((s) => ({ ...s, min: Number(s.min), max: Number(s.max) }));
  const out = new Map<number, HistogramBucket[]>();
  if (specs.length === 0) return out;
  const parts = specs.map(
    ({ p, min, max }) =>
      `SELECT ${p.index} AS f, ${bucketExpr(p, min, max, r)}::INTEGER AS b, count(*) AS n FROM ${table} WHERE __ok AND ${numericExpr(p)} IS NOT NULL GROUP BY b`,
  );
  const counts = new Map<number, Map<number, number>>();
  for (const row of await db.all(parts.join(" UNION ALL "))) {
    const f = Number(row.f);
    const m = counts.get(f) ?? new Map<number, number>();
    m.set(Number(row.b), Number(row.n));
    counts.set(f, m);
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

interface TopValues {
  values: { value: string; count: number }[];
  distinct: number;
  avgLength: number;
}

/**
 * Top values of every categorical feature in one scan, and — from the same grouping, for free — the
 * exact number of distinct values (cheaper than a HyperLogLog per column, which measured 0.2 s per
 * 3M rows for five columns) and the average length (a sum over distinct values, not over rows).
 */
async function topValuesOf(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
): Promise<Map<number, TopValues>> {
  const out = new Map<number, TopValues>();
  const categorical = plans.filter(isCategorical);
  if (categorical.length === 0) return out;
  // One scan: unpivot categorical columns into (feature index, value) and rank within each feature.
  const union = categorical
    .map(
      (p) =>
        `SELECT ${p.index} AS f, ${sqlIdent(p.feature.column)}::VARCHAR AS v FROM ${table} WHERE __ok AND ${sqlIdent(p.feature.column)} IS NOT NULL`,
    )
    .join(" UNION ALL ");
  const rows = await db.all(
    `SELECT f, v, c, n, len FROM (SELECT f, v, count(*) AS c, row_number() OVER (PARTITION BY f ORDER BY count(*) DESC, v) AS rk, count(*) OVER (PARTITION BY f) AS n, sum(length(v) * count(*)) OVER (PARTITION BY f) / sum(count(*)) OVER (PARTITION BY f) AS len FROM (${union}) GROUP BY f, v) WHERE rk <= ${TOP_K} ORDER BY f, rk`,
  );
  for (const row of rows) {
    const f = Number(row.f);
    const entry = out.get(f) ?? { values: [], distinct: Number(row.n), avgLength: Number(row.len) };
    entry.values.push({ value: String(row.v), count: Number(row.c) });
    out.set(f, entry);
  }
  return out;
}

export function toDatasetStatistics(args: {
  dataset: string;
  schemaVersion: number;
  environment: string;
  staged: StagedStatistics;
  malformed: number;
  sourceFields: readonly string[];
}): DatasetStatistics {
  const { staged } = args;
  return {
    dataset: args.dataset,
    schemaVersion: args.schemaVersion,
    environment: args.environment,
    rowsRead: staged.rows + args.malformed,
    rowsValid: staged.rowsValid,
    rowsQuarantined: staged.rows - staged.rowsValid + args.malformed,
    sourceFields: [...args.sourceFields],
    features: staged.features,
  };
}
