/**
 * `schema infer`'s scan of a CSV file as text (infer-file.ts): one pass decides each column's type —
 * the sniffer's type on its sample, widened where a later value does not fit it, as a sniff of the
 * whole file types it (see `widening` in file-source.ts) — and aggregates every column as that type.
 * Each value is cast once; the widened columns (rare) are aggregated again as their new type, over
 * just them. Reading the typed file first, as JSON is, costs a whole scan more whenever a late value
 * fails the typed read: about a fifth of the file at 300 columns before the error, then this scan.
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "../../core/sql.js";
import { featureTypeOf, INTEGER, ident, type Loaded, rows, sniffedRead } from "./file-source.js";
import { aggregateParts, type ColumnAggregates, type NamedColumn } from "./infer-aggregates.js";
import { INTEGRAL, KEEP, TO_DOUBLE, TO_VARCHAR } from "./infer-widening.js";

/** The sampled types a text value is tested against here (others: the typed read decides). */
const TESTED = /^(VARCHAR|BOOLEAN|TIME|DATE|TIMESTAMP.*|DOUBLE|FLOAT|REAL)$/;

/** Integer columns per row test: RE2 caps a counted repetition at 1,000. */
const ROW_TEST = 200;

/**
 * A column's text `s` as its sampled type, as the sniffer's read parses it: dates and timestamps
 * with the sniffed format, anything else by a cast (NULL where it does not fit).
 */
function typedFromText(type: string, s: string, loaded: Loaded): string {
  if (type === "VARCHAR") return s;
  const format = type === "DATE" ? loaded.date : type.startsWith("TIMESTAMP") ? loaded.timestamp : undefined;
  return format
    ? `TRY_CAST(try_strptime(${s}, ${sqlString(format)}) AS ${type})`
    : `TRY_CAST(${s} AS ${type})`;
}

/**
 * Whether every integer column of a row holds an integer's text or nothing: one regex over the
 * row's integer cells joined by commas, instead of one per cell. The count of commas is fixed, so
 * a cell holding a comma fails the row test (and is then tested alone); a row that passes has
 * every such cell matching INTEGRAL.
 */
function rowTests(ints: readonly number[]): { sql: string[]; of: Map<number, string> } {
  const sql: string[] = [];
  const of = new Map<number, string>();
  for (let g = 0; g < ints.length; g += ROW_TEST) {
    const group = ints.slice(g, g + ROW_TEST);
    if (group.length < 2) continue;
    const joined = `concat(${group.map((i) => `coalesce(s${i}, '0')`).join(", ',', ")})`;
    sql.push(
      `regexp_full_match(${joined}, '${INTEGRAL}(,${INTEGRAL}){${group.length - 1}}') AS ok${sql.length}`,
    );
    for (const i of group) of.set(i, `ok${sql.length - 1}`);
  }
  return { sql, of };
}

/**
 * An integer column's widening level (as `widening` computes it), the row test first: a value
 * that parses as the sampled type in a row whose integer cells all look like integers keeps it.
 */
function integerLevel(i: number, ok: string | undefined): string {
  const s = `s${i}`;
  const asDouble = `CASE WHEN TRY_CAST(${s} AS DOUBLE) IS NOT NULL THEN ${TO_DOUBLE} ELSE ${TO_VARCHAR} END`;
  return [
    `max(CASE WHEN ${s} IS NULL THEN ${KEEP}`,
    `WHEN t${i} IS NULL THEN ${asDouble}`,
    ...(ok ? [`WHEN ${ok} THEN ${KEEP}`] : []),
    `WHEN regexp_full_match(${s}, '${INTEGRAL}') THEN ${KEEP}`,
    `ELSE ${asDouble} END) AS w${i}`,
  ].join(" ");
}

/**
 * One scan of the file as text: each column's widening level and its aggregates as its sampled
 * type, exact when it keeps that type (every value then parses as the sniffer's read would). The
 * columns that widen are aggregated again as their new type, over `src` re-created with the
 * widened types. Undefined when the sniffer's read cannot be rewritten or a sampled type is not
 * one tested here.
 */
export async function textAggregates(
  conn: DuckDBConnection,
  loaded: Loaded,
  /** String columns whose values are counted in the same scan (see aggregateParts). */
  counted: ReadonlySet<string> = new Set(),
): Promise<ColumnAggregates | undefined> {
  const read = loaded.format === "csv" ? sniffedRead(loaded) : undefined;
  const sampled = loaded.sniffed?.columns ?? [];
  if (!read || !sampled.every((c) => TESTED.test(c.type) || INTEGER.test(c.type))) return undefined;
  const columns = sampled.map((c) => ({ name: c.name, ...featureTypeOf(c.type) }));
  const ints = sampled.flatMap((c, i) => (INTEGER.test(c.type) ? [i] : []));
  const tests = rowTests(ints);
  const { projection, parts } = aggregateParts(columns, (_, i) => `t${i}`, counted);
  // Any other typed column keeps its type when it has a typed value wherever it has text.
  const levels = sampled.flatMap((c, i) =>
    INTEGER.test(c.type)
      ? [integerLevel(i, tests.of.get(i))]
      : c.type === "VARCHAR"
        ? []
        : [`count(s${i})::DOUBLE AS u${i}`],
  );
  const text = sampled.map((c) => ({ name: c.name, type: "VARCHAR" }));
  const source = `SELECT ${sampled.map((c, i) => `${ident(c.name)} AS s${i}`).join(", ")} ${read(text)}`;
  const typed = sampled.map((c, i) => `${typedFromText(c.type, `s${i}`, loaded)} AS t${i}`);
  const agg =
    (
      await rows(
        conn,
        `SELECT ${[...parts, ...levels].join(", ")} FROM (SELECT q.*, ${projection.join(", ")} FROM (SELECT s.*, ${[...typed, ...tests.sql].join(", ")} FROM (${source}) s) q)`,
      )
    )[0] ?? {};
  const level = (i: number) =>
    agg[`w${i}`] !== undefined
      ? Number(agg[`w${i}`] ?? KEEP)
      : Number(agg[`u${i}`] ?? 0) > Number(agg[`p${i}`] ?? 0)
        ? TO_VARCHAR
        : KEEP;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(agg)) if (!/^[wu]\d/.test(k)) out[k] = v;
  const changed = sampled.flatMap((_, i) => (level(i) === KEEP ? [] : [i]));
  if (changed.length === 0) return { columns, agg: out };
  const widened = sampled.map((c, i) =>
    level(i) === KEEP ? c : { name: c.name, type: level(i) === TO_DOUBLE ? "DOUBLE" : "VARCHAR" },
  );
  await conn.run(`CREATE OR REPLACE TEMP VIEW src AS SELECT * ${read(widened)}`);
  const final = widened.map((c) => ({ name: c.name, ...featureTypeOf(c.type) }));
  return { columns: final, agg: await reaggregate(conn, final, changed, out) };
}

/** The aggregates of the widened columns `changed` as their new type, over `src`, merged into `agg`. */
async function reaggregate(
  conn: DuckDBConnection,
  final: readonly NamedColumn[],
  changed: readonly number[],
  agg: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const more = aggregateParts(
    changed.map((i) => final[i]!),
    (c) => ident(c.name),
  );
  const again =
    (
      await rows(conn, `SELECT ${more.parts.join(", ")} FROM (SELECT ${more.projection.join(", ")} FROM src)`)
    )[0] ?? {};
  const out = { ...agg };
  for (const i of changed) for (const k of ["d", "mn", "mx", "nf", "h"]) delete out[`${k}${i}`];
  for (const [k, v] of Object.entries(again)) {
    const m = /^([a-z]+)(\d+)$/.exec(k);
    if (m) out[`${m[1]}${changed[Number(m[2])]!}`] = v;
  }
  return out;
}
