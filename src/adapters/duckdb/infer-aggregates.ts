/**
 * The wide aggregate of `schema infer` (infer-file.ts): what inference reads of every column, in one
 * scan. Over the file as typed by the sniffer; or, when a value beyond the sniffer's sample does not
 * fit its column's type, over the file read as text, deciding each column's widening (file-source.ts)
 * and aggregating it as every type it may end with, in the same scan — a text scan to widen followed
 * by a typed scan to aggregate cost twice the CPU on 300 columns × 200k rows.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  type ColumnType,
  featureTypeOf,
  histogramCounts,
  ident,
  KEEP,
  type Loaded,
  numericOf,
  rows,
  sniffedRead,
  TO_DOUBLE,
  textOf,
  widening,
} from "./file-source.js";

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
      const v = numericOf(c, `x${i}`);
      parts.push(`min(${v}) AS mn${i}`, `max(${v}) AS mx${i}`);
    }
  });
  return { projection, parts };
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * A column's text `s` as its sampled type, as the sniffer's read parses it: dates and timestamps
 * with the sniffed format, anything else by a cast (NULL where it does not fit).
 */
function typedFromText(type: string, s: string, loaded: Loaded): string {
  if (type === "VARCHAR") return s;
  const format = type === "DATE" ? loaded.date : type.startsWith("TIMESTAMP") ? loaded.timestamp : undefined;
  return format ? `TRY_CAST(try_strptime(${s}, ${lit(format)}) AS ${type})` : `TRY_CAST(${s} AS ${type})`;
}

/**
 * One scan of the file as text: each column's widening level `w·i` and its aggregates as its sampled
 * type, which are exact when it keeps that type (every value then parses as the sniffer's read would);
 * each value is cast once, for both. Re-creates `src` as a view with the widened types, and
 * aggregates the (few) widened columns over it, reading only them. Undefined when the sniffer's read
 * cannot be rewritten or no column widens.
 */
export async function widenedAggregates(
  conn: DuckDBConnection,
  loaded: Loaded,
  /** String columns whose values are counted in the same scan (see aggregateParts). */
  counted: ReadonlySet<string> = new Set(),
): Promise<ColumnAggregates | undefined> {
  const read = sniffedRead(loaded);
  const sampled = loaded.sniffed?.columns ?? [];
  if (!read) return undefined;
  const text = sampled.map((c) => ({ name: c.name, type: "VARCHAR" }));
  const typed = sampled.map((c, i) => typedFromText(c.type, `s${i}`, loaded));
  const columns = sampled.map((c) => ({ name: c.name, ...featureTypeOf(c.type) }));
  const { projection, parts } = aggregateParts(columns, (_, i) => `t${i}`, counted);
  const levels = sampled.flatMap((c, i) => {
    const level = widening(c.type, `s${i}`, loaded, `t${i}`);
    return level === undefined ? [] : [`${level} AS w${i}`];
  });
  if (levels.length === 0) return undefined;
  const source = `(SELECT ${sampled.map((c, i) => `${ident(c.name)} AS s${i}`).join(", ")} ${read(text)})`;
  const withTyped = `(SELECT s.*, ${typed.map((t, i) => `${t} AS t${i}`).join(", ")} FROM ${source} s)`;
  const agg =
    (
      await rows(
        conn,
        `SELECT ${[...parts, ...levels].join(", ")} FROM (SELECT q.*, ${projection.join(", ")} FROM ${withTyped} q)`,
      )
    )[0] ?? {};
  const level = (i: number) => Number(agg[`w${i}`] ?? KEEP);
  // Every value fits its sampled type, yet the typed read failed: not a matter of types (the
  // caller's whole-file sniff decides).
  if (sampled.every((_, i) => level(i) === KEEP)) return undefined;
  const widened = sampled.map((c, i) =>
    level(i) === KEEP ? c : { name: c.name, type: level(i) === TO_DOUBLE ? "DOUBLE" : "VARCHAR" },
  );
  await conn.run(`CREATE OR REPLACE TEMP VIEW src AS SELECT * ${read(widened)}`);
  const final = widened.map((c) => ({ name: c.name, ...featureTypeOf(c.type) }));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(agg)) if (!/^[xfw]\d/.test(k)) out[k] = v;
  // The widened columns' aggregates as their new type, over `src`, under the same names.
  const changed = final.map((c, i) => ({ c, i })).filter(({ i }) => level(i) !== KEEP);
  const more = aggregateParts(
    changed.map(({ c }) => c),
    (c) => ident(c.name),
  );
  const again =
    (
      await rows(conn, `SELECT ${more.parts.join(", ")} FROM (SELECT ${more.projection.join(", ")} FROM src)`)
    )[0] ?? {};
  for (const { i } of changed) for (const k of ["d", "mn", "mx", "nf", "h"]) delete out[`${k}${i}`];
  for (const [k, v] of Object.entries(again)) {
    const m = /^([a-z]+)(\d+)$/.exec(k);
    if (m) out[`${m[1]}${changed[Number(m[2])]!.i}`] = v;
  }
  return { columns: final, agg: out };
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
