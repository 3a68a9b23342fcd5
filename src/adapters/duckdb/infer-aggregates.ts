/**
 * The wide aggregate of `schema infer` (infer-file.ts): what inference reads of every column, in one
 * scan — over the file as the sniffer typed it (JSON, and CSV when its text scan cannot be used), or
 * over its text (infer-text-scan.ts), which shares the aggregates below.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { InferenceFeatureStatistics } from "../../core/schema/infer.js";
import {
  type ColumnType,
  histogramCounts,
  INTEGER,
  ident,
  type Loaded,
  numericOf,
  rows,
  sniffedRead,
  textOf,
} from "./file-source.js";
import { KEEP, TO_DOUBLE, widening } from "./infer-widening.js";

export type NamedColumn = ColumnType & { readonly name: string };

export interface ColumnAggregates {
  readonly columns: readonly NamedColumn[];
  /** n, and per column i: p·i presence, d·i distinct, mn·i / mx·i / nf·i, lmn·i / lmx·i / la·i, h·i values. */
  readonly agg: Record<string, unknown>;
}

/**
 * The projection (each column's value as `x·i`, finite floats as `f·i`) and the aggregates over it,
 * `value` giving the SQL of column i's typed value.
 */
export function aggregateParts(
  columns: readonly NamedColumn[],
  value: (c: NamedColumn, i: number) => string,
  /** String columns whose values are counted (`h·i`, a histogram of their text) instead of estimated. */
  counted: ReadonlySet<string> = new Set(),
): { projection: string[]; parts: string[] } {
  const projection: string[] = [];
  const parts = ["count(*)::DOUBLE AS n"];
  columns.forEach((c, i) => {
    const x = value(c, i);
    projection.push(c.list ? `len(${x}) AS x${i}` : `${x} AS x${i}`);
    parts.push(`count(x${i})::DOUBLE AS p${i}`);
    if (c.list) {
      parts.push(
        `min(x${i})::DOUBLE AS lmn${i}`,
        `max(x${i})::DOUBLE AS lmx${i}`,
        `avg(x${i})::DOUBLE AS la${i}`,
      );
      return;
    }
    if (c.type === "STRING" || c.type === "BOOL") {
      // A counted column's distinct values are its histogram's keys (see distinctFromCounts).
      parts.push(
        counted.has(c.name)
          ? `histogram(${textOf(c, `x${i}`)}) AS h${i}`
          : `approx_count_distinct(x${i})::DOUBLE AS d${i}`,
      );
    } else if (c.type === "FLOAT") {
      projection.push(`CASE WHEN isfinite(${x}) THEN ${x}::DOUBLE END AS f${i}`);
      parts.push(
        `min(f${i}) AS mn${i}`,
        `max(f${i}) AS mx${i}`,
        `(count(x${i}) - count(f${i}))::DOUBLE AS nf${i}`,
      );
    } else if (c.type === "INT" || c.type === "TIMESTAMP") {
      // The conversion is monotonic: applied to the extremes, not to every value.
      parts.push(`${numericOf(c, `min(x${i})`)} AS mn${i}`, `${numericOf(c, `max(x${i})`)} AS mx${i}`);
    }
  });
  return { projection, parts };
}

/**
 * The wide aggregate over `src` as the sniffer typed it, except that its integer columns are read as
 * text: DuckDB's readers take "4.5" into an integer column as 5 (CSV) or 4 (JSON), and "4.0" or
 * "1e3" as integers, all of which ingest refuses as INT. Each such value is cast once, for its
 * aggregates and for the widening test `w·i` in the same scan (the cast printing back as the text,
 * the common case, costs no regex). Throws NotIntegralError naming the columns that must widen.
 */
export async function typedAggregates(
  conn: DuckDBConnection,
  loaded: Loaded,
  columns: readonly NamedColumn[],
  counted: ReadonlySet<string>,
): Promise<Record<string, unknown>> {
  const read = sniffedRead(loaded);
  const sampled = loaded.sniffed?.columns ?? [];
  const aligned =
    read !== undefined &&
    sampled.length === columns.length &&
    sampled.every((c, i) => c.name === columns[i]!.name);
  const ints = new Set(
    aligned ? columns.flatMap((c, i) => (!c.list && INTEGER.test(sampled[i]!.type) ? [i] : [])) : [],
  );
  const { projection, parts } = aggregateParts(
    columns,
    (c, i) => (ints.has(i) ? `TRY_CAST(${ident(c.name)} AS ${sampled[i]!.type})` : ident(c.name)),
    counted,
  );
  for (const i of ints) {
    projection.push(`${ident(columns[i]!.name)} AS s${i}`);
    parts.push(`${widening(sampled[i]!.type, `s${i}`, loaded, `x${i}`)} AS w${i}`);
  }
  const from =
    read && ints.size > 0
      ? `(SELECT * ${read(sampled.map((c, i) => (ints.has(i) ? { name: c.name, type: "VARCHAR" } : c)))})`
      : "src";
  const agg =
    (await rows(conn, `SELECT ${parts.join(", ")} FROM (SELECT ${projection.join(", ")} FROM ${from})`))[0] ??
    {};
  const levels = new Map(
    [...ints].flatMap((i) => {
      const level = Number(agg[`w${i}`] ?? KEEP);
      return level === KEEP ? [] : [[columns[i]!.name, level] as const];
    }),
  );
  if (levels.size > 0) throw new NotIntegralError(levels);
  for (const i of ints) delete agg[`w${i}`];
  return agg;
}

/**
 * Columns typed as integers on the sniffer's sample that hold other values later in the file (see
 * typedAggregates); the caller widens them as it does a value the typed read refuses.
 */
export class NotIntegralError extends Error {
  override readonly name = "NotIntegralError";
  readonly data: { readonly columns: readonly string[] };
  constructor(
    /** Each such column's widening level (TO_DOUBLE, TO_VARCHAR), by name. */
    readonly levels: ReadonlyMap<string, number>,
  ) {
    const columns = [...levels.keys()];
    super(
      `column${columns.length > 1 ? "s" : ""} ${columns.map((c) => JSON.stringify(c)).join(", ")} hold${columns.length > 1 ? "" : "s"} values that are not integers beyond the first rows`,
    );
    this.data = { columns };
  }
}

/**
 * Re-creates `src` with the columns of `levels` widened (DOUBLE or VARCHAR), everything else as
 * sniffed; the read it returns is the new one. Undefined when the read cannot be rewritten.
 */
export async function retype(
  conn: DuckDBConnection,
  loaded: Loaded,
  levels: ReadonlyMap<string, number>,
): Promise<Loaded | undefined> {
  const read = sniffedRead(loaded);
  if (!read || !loaded.sniffed) return undefined;
  const columns = loaded.sniffed.columns.map((c) => {
    const level = levels.get(c.name);
    return level === undefined ? c : { name: c.name, type: level === TO_DOUBLE ? "DOUBLE" : "VARCHAR" };
  });
  const prompt = read(columns);
  await conn.run(`CREATE OR REPLACE TEMP VIEW src AS SELECT * ${prompt}`);
  return { ...loaded, sniffed: { prompt, columns } };
}

/**
 * The distinct count `d·i` of each column whose values were counted (`h·i`): exact, where the other
 * columns' is a HyperLogLog estimate (a second sketch over a counted column cost ~1 s of CPU at 90
 * categorical columns × 200k rows).
 */
export function distinctFromCounts(agg: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(agg)) {
    const m = /^h(\d+)$/.exec(k);
    if (m && agg[`d${m[1]}`] === undefined) agg[`d${m[1]}`] = histogramCounts(v, String).size;
  }
}

/** The element statistics of a list column (JSON arrays: rare, one query each). */
export async function listElements(
  conn: DuckDBConnection,
  c: ColumnType & { name: string },
  /** Strings with at most this many distinct values get their values counted. */
  few: number,
): Promise<Pick<InferenceFeatureStatistics, "numeric" | "string" | "distinctApprox">> {
  const e = `(SELECT unnest(${ident(c.name)}) AS e FROM src)`;
  if (c.type === "STRING" || c.type === "BOOL") {
    const r = (await rows(conn, `SELECT approx_count_distinct(e)::DOUBLE AS d FROM ${e}`))[0];
    const d = Number(r?.d ?? 0);
    if (d > few) return { distinctApprox: d, string: { topValues: [] } };
    const h = (await rows(conn, `SELECT histogram(${textOf(c, "e")}) AS h FROM ${e}`))[0];
    const counted = histogramCounts(h?.h, String);
    return {
      distinctApprox: counted.size,
      string: {
        topValues: [...counted.entries()]
          .map(([value, count]) => ({ value, count }))
          .sort((a, b) => b.count - a.count),
      },
    };
  }
  const v = numericOf(c, "e");
  if (!v) return {};
  const r = (await rows(conn, `SELECT min(${v}) AS mn, max(${v}) AS mx FROM ${e} WHERE isfinite(${v})`))[0];
  return r && r.mn !== null ? { numeric: { min: Number(r.mn), max: Number(r.mx), nonFinite: 0 } } : {};
}
