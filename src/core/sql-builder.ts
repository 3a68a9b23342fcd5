/**
 * A small SELECT builder for generated SQL that people read (manifests, golden files, Athena's
 * history): one clause per line, one select item per line, subqueries indented under their
 * parenthesis. `compact` renders the same query on one line, for SQL embedded in other text.
 * Expressions are SQL text; only the clause structure is modelled.
 */

/** A relation: a table or view name (already quoted), or a subquery with its alias. */
export type From = string | { readonly query: Select; readonly as: string };

export interface Select {
  readonly select: readonly string[];
  readonly from?: From;
  /** Conditions, joined with AND. */
  readonly where?: readonly Sql[];
  readonly groupBy?: readonly string[];
  readonly orderBy?: readonly string[];
}

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

function subquery(query: Select, compact: boolean): string {
  return compact
    ? `(${renderSelect(query, { compact })})`
    : `(\n${INDENT}${hang(renderSelect(query), INDENT)}\n)`;
}

function expr(e: Sql, compact: boolean): string {
  return typeof e === "string" ? e : `${e.before}${subquery(e.query, compact)}${e.after ?? ""}`;
}

function from(f: From, compact: boolean): string {
  return typeof f === "string" ? f : `${subquery(f.query, compact)} AS ${f.as}`;
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
    ].join(" ");
  }
  const lines = [
    q.select.length === 1
      ? `SELECT ${q.select[0]}`
      : `SELECT\n${q.select.map((s) => INDENT + s).join(",\n")}`,
  ];
  if (q.from) lines.push(`FROM ${from(q.from, false)}`);
  const where = (q.where ?? []).map((w) => expr(w, false));
  if (where.length > 0)
    lines.push(`WHERE ${where.map((w, i) => (i === 0 ? w : `${INDENT}AND ${hang(w, INDENT)}`)).join("\n")}`);
  if (q.groupBy?.length) lines.push(`GROUP BY ${q.groupBy.join(", ")}`);
  if (q.orderBy?.length) lines.push(`ORDER BY ${q.orderBy.join(", ")}`);
  return lines.join("\n");
}
