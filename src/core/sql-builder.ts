/**
 * A small builder for the SELECTs the engine generates from a schema, so the SQL comes out the way
 * a person would write it: one clause per line, one column per line, each subquery indented under
 * the clause that holds it. Only layout is decided here; expressions are passed through verbatim
 * (their text, string literals included, is never rewritten).
 */

export interface Select {
  readonly select: readonly string[];
  /** A relation (table, view, table function) or a subquery. */
  readonly from: string | Query;
  readonly where?: string;
  readonly groupBy?: readonly string[];
  readonly orderBy?: readonly string[];
  readonly limit?: number;
}

export interface UnionAll {
  readonly unionAll: readonly Query[];
}

export type Query = Select | UnionAll;

const INDENT = "  ";

/** Continuation lines of a multi-line piece, indented one level deeper than its first line. */
function hang(text: string, indent: string): string {
  return text.replaceAll("\n", `\n${indent}`);
}

function list(items: readonly string[], indent: string): string {
  return items.map((item) => `${indent}${INDENT}${hang(item, `${indent}${INDENT}`)}`).join(",\n");
}

/** `query` as formatted SQL text, every line starting with `indent`. */
export function renderSql(query: Query, indent = ""): string {
  if ("unionAll" in query)
    return query.unionAll.map((q) => renderSql(q, indent)).join(`\n${indent}UNION ALL\n`);
  const lines = [`${indent}SELECT`, list(query.select, indent)];
  lines.push(
    typeof query.from === "string"
      ? `${indent}FROM ${hang(query.from, indent)}`
      : `${indent}FROM (\n${renderSql(query.from, `${indent}${INDENT}`)}\n${indent})`,
  );
  if (query.where !== undefined) lines.push(`${indent}WHERE ${hang(query.where, indent)}`);
  if (query.groupBy?.length) lines.push(`${indent}GROUP BY ${query.groupBy.join(", ")}`);
  if (query.orderBy?.length) lines.push(`${indent}ORDER BY ${query.orderBy.join(", ")}`);
  if (query.limit !== undefined) lines.push(`${indent}LIMIT ${query.limit}`);
  return lines.join("\n");
}

/** A subquery as a relation: `(` newline, the query indented, `)`. */
export function subquery(query: Query, indent = ""): string {
  return `(\n${renderSql(query, `${indent}${INDENT}`)}\n${indent})`;
}

/** A function call with one argument per line (table functions with many options). */
export function call(name: string, args: readonly string[]): string {
  return `${name}(\n${list(args, "")}\n)`;
}

/** `COPY (query) TO target (options)`, the query indented. */
export function copyTo(query: Query, target: string, options: string): string {
  return `COPY ${subquery(query)} TO ${target} (${options})`;
}

/** `expr AS alias`. */
export const as = (expr: string, alias: string): string => `${expr} AS ${alias}`;
