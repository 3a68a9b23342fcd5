/**
 * The top values of every categorical feature, over the staged records `scope` selects
 * (statistics.ts): one statement for a narrow table, and for a wide one statements of bounded cells
 * (CELLS_PER_STATEMENT). From the same counts, for free: the exact number of distinct values (cheaper
 * than a HyperLogLog per column, which measured 0.2 s per 3M rows for five columns) and the average
 * length (a sum over distinct values, not over rows).
 */
import { sqlIdent } from "../../core/sql.js";
import { as, type Query, renderSelect, subquery } from "../../core/sql-builder.js";
import type { FeaturePlan } from "../../core/validate/row-sql.js";
import type { Database } from "./database.js";
import { isCategorical, ONE_SCAN_PER_FEATURE_UP_TO } from "./distributions.js";

const TOP_K = 50;

/**
 * Cells one wide statement groups: its hash table holds up to that many (feature, value) pairs, so
 * memory stays bounded whatever the width (30 free-text columns × 200k rows, 5.4M distinct values in
 * one statement, took the process to 948 MB beside the histograms); each statement reads only its
 * own columns, so splitting costs one more read of the file's metadata per statement.
 */
const CELLS_PER_STATEMENT = 2_000_000;

export interface TopValues {
  values: { value: string; count: number }[];
  distinct: number;
  avgLength: number;
}

/**
 * One scan (wide tables): one UNPIVOT, and the top K of each feature kept by min_by's bounded heap on
 * (−count, value) — the same order as the window's — instead of ranking every distinct value of every
 * feature in a sort; a row per feature of (`f`, `n`, `len`, `top`: a list of {v, c}). Grouping sets
 * (a hash table per feature) measured 0.15–0.6 s less CPU at 300 columns × 200k rows, but held ~130 MB
 * more, and ran out of memory beside the valid-row write.
 */
function unpivotQuery(table: string, categorical: readonly FeaturePlan[], scope: string): string {
  const unpivot = `(UNPIVOT ${subquery({
    select: categorical.map((p) => as(`${p.staged}::VARCHAR`, `"${p.index}"`)),
    from: table,
    where: [scope],
  })}\nON ${categorical.map((p) => `"${p.index}"`).join(", ")}\nINTO NAME f VALUE v)`;
  return renderSelect({
    select: [
      "f",
      as("count(*)", "n"),
      as("sum(length(v) * c) / sum(c)", "len"),
      as(`min_by({'v': v, 'c': c}, {'nc': -c, 'v': v}, ${TOP_K})`, "top"),
    ],
    from: {
      query: {
        select: ["f", "v", as("count(*)", "c")],
        from: { query: { select: [as("f::INTEGER", "f"), "v"], from: unpivot }, as: "cat" },
        groupBy: ["f", "v"],
      },
      as: "counted",
    },
    groupBy: ["f"],
  });
}

/**
 * Per feature (narrow tables): a branch per feature, ranked by a window; rows of (`f`, `v`, count
 * `c`, distinct `n`, average length `len`), at most TOP_K per feature. On an in-memory table of 3M
 * flights (two categorical features) this measured 0.12 s of CPU, one grouping set per feature 0.21 s.
 */
function perFeatureQuery(table: string, categorical: readonly FeaturePlan[], scope: string): string {
  const col = (p: FeaturePlan) => p.staged;
  const union: Query = {
    unionAll: categorical.map((p) => ({
      select: [as(String(p.index), "f"), as(`${col(p)}::VARCHAR`, "v")],
      from: table,
      where: [scope, `${col(p)} IS NOT NULL`],
    })),
  };
  return renderSelect({
    select: ["f", "v", "c", "n", "len"],
    from: {
      query: {
        select: [
          "f",
          "v",
          as("count(*)", "c"),
          as("row_number() OVER (PARTITION BY f ORDER BY count(*) DESC, v)", "rk"),
          as("count(*) OVER (PARTITION BY f)", "n"),
          as("sum(length(v) * count(*)) OVER (PARTITION BY f) / sum(count(*)) OVER (PARTITION BY f)", "len"),
        ],
        from: { query: union, as: "cat" },
        groupBy: ["f", "v"],
      },
      as: "ranked",
    },
    where: [`rk <= ${TOP_K}`],
    orderBy: ["f", "rk"],
  });
}

/** The top-values query of `categorical` features, in one scan or a branch per feature. */
export function topValuesQuery(
  table: string,
  categorical: readonly FeaturePlan[],
  oneScan: boolean,
  scope = "__ok",
): string {
  return oneScan ? unpivotQuery(table, categorical, scope) : perFeatureQuery(table, categorical, scope);
}

/** Top values, distinct count and average length of every categorical feature, by position. */
export async function topValuesOf(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  oneScan: boolean,
  scope = "__ok",
  /** The records `scope` selects (0: unknown), to bound the cells each wide statement groups. */
  records = 0,
): Promise<Map<number, TopValues>> {
  const out = new Map<number, TopValues>();
  const categorical = plans.filter(isCategorical);
  if (categorical.length === 0) return out;
  if (!(oneScan || categorical.length > ONE_SCAN_PER_FEATURE_UP_TO)) {
    for (const row of await db.all(topValuesQuery(table, categorical, false, scope))) {
      const f = Number(row.f);
      const entry = out.get(f) ?? { values: [], distinct: Number(row.n), avgLength: Number(row.len) };
      entry.values.push({ value: String(row.v), count: Number(row.c) });
      out.set(f, entry);
    }
    return out;
  }
  return drainTopValues(db, table, wideStatements(categorical, records), scope);
}

/** A categorical feature without a list of values: maybe as many values as rows. */
export function isFreeText(p: FeaturePlan): boolean {
  return p.feature.type === "STRING" && !(p.feature.domain && "values" in p.feature.domain);
}

/**
 * The categorical features of `plans` in wide statements of at most CELLS_PER_STATEMENT cells over
 * `records` rows, free text (the largest hash tables) first.
 */
export function wideStatements(plans: readonly FeaturePlan[], records: number): FeaturePlan[][] {
  const categorical = plans.filter(isCategorical);
  const ordered = [...categorical.filter(isFreeText), ...categorical.filter((p) => !isFreeText(p))];
  const perStatement = Math.max(1, Math.floor(CELLS_PER_STATEMENT / Math.max(records, 1)));
  const out: FeaturePlan[][] = [];
  for (let i = 0; i < ordered.length; i += perStatement) out.push(ordered.slice(i, i + perStatement));
  return out;
}

/**
 * Runs wide statements taken from `queue` until it is empty: two connections draining one queue share
 * the work, whichever is free first taking the next statement.
 */
export async function drainTopValues(
  db: Database,
  table: string,
  queue: FeaturePlan[][],
  scope = "__ok",
): Promise<Map<number, TopValues>> {
  const out = new Map<number, TopValues>();
  for (let features = queue.shift(); features !== undefined; features = queue.shift()) {
    for (const row of await db.all(topValuesQuery(table, features, true, scope))) {
      const top = (row.top as { v: unknown; c: unknown }[] | null) ?? [];
      out.set(Number(row.f), {
        values: top.map((t) => ({ value: String(t.v), count: Number(t.c) })),
        distinct: Number(row.n),
        avgLength: Number(row.len),
      });
    }
  }
  return out;
}
