/**
 * A small SELECT builder for generated SQL that people read (manifests, golden files, Athena's
 * history): one clause per line, one select item per line, subqueries indented under their
 * parenthesis. `compact` renders the same query on one line, for SQL embedded in other text.
 * Expressions are SQL text; only the clause structure is modelled.
 */

/** A relation: a table, view or table function (already quoted), or a subquery with its alias. */
export type From = string | { readonly query: Query; readonly as: string };

export interface Select {
  readonly select: readonly string[];
  readonly from?: From;
  /** Conditions, joined with AND. */
  readonly where?: readonly Sql[];
  readonly groupBy?: readonly string[];
  readonly orderBy?: readonly string[];
  readonly limit?: number;
}

/** Queries of the same columns, one after another. */
export interface UnionAll {
  readonly unionAll: readonly Query[];
}

export type Query = Select | UnionAll;

/** An expression with a subquery inside it: `<before>(<query>)<after>`, e.g. `"x" IN (…)`. */
export interface WithSubquery {
  readonly before: string;
  readonly query: Select;
  readonly after?: string;
}

export type Sql = string | WithSubquery;

const INDENT = "  ";

/** Indent every line but the first (the first continues the line it is placed on). */
function hang(text: string, indent: string): string {
  return text.replaceAll("\n", `\n${indent}`);
}

/** A query as a parenthesised relation or operand: `(`, the query indented, `)`. */
export function subquery(query: Query, options: { readonly compact?: boolean } = {}): string {
  return options.compact
    ? `(${renderQuery(query, options)})`
    : `(\n${INDENT}${hang(renderQuery(query), INDENT)}\n)`;
}

function expr(e: Sql, compact: boolean): string {
  return typeof e === "string" ? e : `${e.before}${subquery(e.query, { compact })}${e.after ?? ""}`;
}

function from(f: From, compact: boolean): string {
  return typeof f === "string" ? f : `${subquery(f.query, { compact })} AS ${f.as}`;
}

export function renderSelect(q: Select, options: { readonly compact?: boolean } = {}): string {
  const compact = options.compact ?? false;
  if (compact) {
    return [
      `SELECT ${q.select.join(", ")}`,
      ...(q.from ? [`FROM ${from(q.from, true)}`] : []),
      ...(q.where?.length ? [`WHERE ${q.where.map((w) => expr(w, true)).join(" AND ")}`] : []),
      ...(q.groupBy?.length ? [`GROUP BY ${q.groupBy.join(", ")}`] : []),
      ...(q.orderBy?.length ? [`ORDER BY ${q.orderBy.join(", ")}`] : []),
      ...(q.limit !== undefined ? [`LIMIT ${q.limit}`] : []),
    ].join(" ");
  }
  const lines = [
    q.select.length === 1
      ? `SELECT ${hang(q.select[0]!, INDENT)}`
      : `SELECT\n${q.select.map((s) => INDENT + hang(s, INDENT)).join(",\n")}`,
  ];
  if (q.from) lines.push(`FROM ${from(q.from, false)}`);
  const where = (q.where ?? []).map((w) => expr(w, false));
  if (where.length > 0)
    lines.push(`WHERE ${where.map((w, i) => (i === 0 ? w : `${INDENT}AND ${hang(w, INDENT)}`)).join("\n")}`);
  if (q.groupBy?.length) lines.push(`GROUP BY ${q.groupBy.join(", ")}`);
  if (q.orderBy?.length) lines.push(`ORDER BY ${q.orderBy.join(", ")}`);
  if (q.limit !== undefined) lines.push(`LIMIT ${q.limit}`);
  return lines.join("\n");
}

/** A SELECT, or a UNION ALL of queries one after another. */
export function renderQuery(q: Query, options: { readonly compact?: boolean } = {}): string {
  if ("unionAll" in q)
    return q.unionAll
      .map((part) => renderQuery(part, options))
      .join(options.compact ? " UNION ALL " : "\nUNION ALL\n");
  return renderSelect(q, options);
}

/** A function call with one argument per line (table functions with many options). */
export function call(name: string, args: readonly string[]): string {
  return `${name}(\n${args.map((a) => INDENT + hang(a, INDENT)).join(",\n")}\n)`;
}

/** `COPY (query) TO target (options)`, the query indented. */
export function copyTo(query: Query, target: string, options: string): string {
  return `COPY ${subquery(query)} TO ${target} (${options})`;
}

/** `expr AS alias`. */
export const as = (expression: string, alias: string): string => `${expression} AS ${alias}`;
