/**
 * `--where`: one boolean expression over a dataset's columns, parsed (not pasted) and re-emitted
 * in a normalised form both DuckDB and Athena (Trino) read the same way. The grammar is small on
 * purpose — comparisons, AND/OR/NOT, IS [NOT] NULL, [NOT] IN (literals), [NOT] BETWEEN,
 * [NOT] LIKE 'pattern', arithmetic, parentheses, and literals (numbers, 'strings', TRUE/FALSE/NULL,
 * DATE '…', TIMESTAMP '…') — so no subquery, function or table function, comment, second
 * statement or unbalanced parenthesis can ride along: `origin = 'SFO') OR (1=1` is refused.
 */
import { COMPARISONS, fail, KEYWORDS, type Token, tokenize } from "./where-tokens.js";

export { tokenize };

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteString = (value: string) => `'${value.replaceAll("'", "''")}'`;

class Parser {
  private i = 0;
  readonly used = new Set<string>();
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly columns: ReadonlySet<string>,
  ) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }
  private keyword(t: Token = this.peek): string | undefined {
    return t.kind === "ident" && !t.quoted && KEYWORDS.has(t.value.toUpperCase())
      ? t.value.toUpperCase()
      : undefined;
  }
  private acceptKeyword(k: string): boolean {
    if (this.keyword() === k) {
      this.i++;
      return true;
    }
    return false;
  }
  private acceptOp(op: string): boolean {
    if (this.peek.kind === "op" && this.peek.value === op) {
      this.i++;
      return true;
    }
    return false;
  }
  private describe(t: Token): string {
    return t.kind === "end"
      ? "the end of the expression"
      : `${JSON.stringify(this.text.slice(t.at, t.at + Math.max(String(t.value).length, 1)))}`;
  }
  private expected(what: string): never {
    return fail(this.text, this.peek.at, `expected ${what}, found ${this.describe(this.peek)}`);
  }

  parse(): string {
    if (this.tokens.length === 1) fail(this.text, 0, "empty expression");
    const sql = this.or();
    const rest: Token = this.peek;
    if (rest.kind !== "end") {
      if (rest.kind === "op" && rest.value === ")")
        fail(this.text, rest.at, "unbalanced ')': the expression closes a parenthesis it never opened");
      this.expected("AND, OR or the end of the expression");
    }
    return sql;
  }

  private or(): string {
    const parts = [this.and()];
    while (this.acceptKeyword("OR")) parts.push(this.and());
    return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
  }
  private and(): string {
    const parts = [this.not()];
    while (this.acceptKeyword("AND")) parts.push(this.not());
    return parts.length === 1 ? parts[0]! : `(${parts.join(" AND ")})`;
  }
  private not(): string {
    if (this.acceptKeyword("NOT")) return `(NOT ${this.not()})`;
    return this.predicate();
  }
  private predicate(): string {
    const left = this.additive();
    const t = this.peek;
    if (t.kind === "op" && COMPARISONS.has(t.value)) {
      this.i++;
      return `(${left} ${t.value === "!=" ? "<>" : t.value} ${this.additive()})`;
    }
    if (this.acceptKeyword("IS")) {
      const negated = this.acceptKeyword("NOT");
      if (!this.acceptKeyword("NULL")) this.expected("NULL after IS");
      return `(${left} IS ${negated ? "NOT " : ""}NULL)`;
    }
    const negated = this.acceptKeyword("NOT");
    const not = negated ? "NOT " : "";
    if (this.acceptKeyword("IN")) {
      if (!this.acceptOp("(")) this.expected("'(' after IN");
      const items = [this.literal()];
      while (this.acceptOp(",")) items.push(this.literal());
      if (!this.acceptOp(")")) this.expected("',' or ')' in the IN list");
      return `(${left} ${not}IN (${items.join(", ")}))`;
    }
    if (this.acceptKeyword("BETWEEN")) {
      const low = this.additive();
      if (!this.acceptKeyword("AND")) this.expected("AND in BETWEEN … AND …");
      return `(${left} ${not}BETWEEN ${low} AND ${this.additive()})`;
    }
    if (this.acceptKeyword("LIKE")) {
      const pattern = this.peek;
      if (pattern.kind !== "string") this.expected("a 'pattern' after LIKE");
      this.i++;
      return `(${left} ${not}LIKE ${quoteString(pattern.value)})`;
    }
    if (negated) this.expected("IN, BETWEEN or LIKE after NOT");
    return left;
  }
  private additive(): string {
    let sql = this.term();
    for (;;) {
      const t = this.peek;
      if (t.kind === "op" && (t.value === "+" || t.value === "-")) {
        this.i++;
        sql = `(${sql} ${t.value} ${this.term()})`;
      } else return sql;
    }
  }
  private term(): string {
    let sql = this.unary();
    for (;;) {
      const t = this.peek;
      if (t.kind === "op" && (t.value === "*" || t.value === "/")) {
        this.i++;
        sql = `(${sql} ${t.value} ${this.unary()})`;
      } else return sql;
    }
  }
  private unary(): string {
    if (this.acceptOp("-")) return `(- ${this.unary()})`;
    return this.primary();
  }
  private literal(): string {
    const t = this.peek;
    if (t.kind === "op" && t.value === "-") {
      this.i++;
      const n = this.peek;
      if (n.kind !== "number") this.expected("a number after '-'");
      this.i++;
      return `-${n.value}`;
    }
    if (t.kind === "number") {
      this.i++;
      return t.value;
    }
    if (t.kind === "string") {
      this.i++;
      return quoteString(t.value);
    }
    const k = this.keyword(t);
    if (k === "TRUE" || k === "FALSE" || k === "NULL") {
      this.i++;
      return k;
    }
    if (k === "DATE" || k === "TIMESTAMP") {
      this.i++;
      const v = this.peek;
      if (v.kind !== "string") this.expected(`a '…' literal after ${k}`);
      this.i++;
      return `${k} ${quoteString(v.value)}`;
    }
    return this.expected("a literal (number, 'string', TRUE, FALSE, NULL, DATE '…', TIMESTAMP '…')");
  }
  private primary(): string {
    const t = this.peek;
    if (t.kind === "op" && t.value === "(") {
      this.i++;
      const inner = this.or();
      if (!this.acceptOp(")")) this.expected(`')' to close the '(' at position ${t.at + 1}`);
      return inner;
    }
    const next = this.tokens[this.i + 1]!;
    const k = this.keyword(t);
    // DATE and TIMESTAMP open a typed literal only before a 'string'; otherwise they may be columns.
    const typedLiteral = (k === "DATE" || k === "TIMESTAMP") && next.kind === "string";
    if (t.kind === "ident" && (t.quoted || !k || ((k === "DATE" || k === "TIMESTAMP") && !typedLiteral))) {
      if (next.kind === "op" && next.value === "(")
        fail(
          this.text,
          t.at,
          `${JSON.stringify(t.value)}(…): function calls, subqueries and table functions are not allowed`,
        );
      const name = t.quoted ? t.value : this.columnNamed(t.value);
      if (!this.columns.has(name))
        fail(
          this.text,
          t.at,
          `${JSON.stringify(t.value)} is not a column of the dataset (columns: ${[...this.columns].join(", ")})`,
        );
      this.i++;
      this.used.add(name);
      return quoteIdent(name);
    }
    return this.literal();
  }
  /** Unquoted names fold to lower case (SQL's rule for DuckDB and Trino), unless a column has that exact name. */
  private columnNamed(word: string): string {
    return this.columns.has(word) ? word : word.toLowerCase();
  }
}

export interface ParsedWhere {
  /** The predicate, normalised: quoted identifiers, quoted literals, explicit parentheses. */
  readonly sql: string;
  /** Columns the predicate reads. */
  readonly columns: readonly string[];
}

/** Parse `text` as one boolean expression over `columns`; a UsageError names the bad token and its position. */
export function parseWhere(text: string, columns: Iterable<string>): ParsedWhere {
  const parser = new Parser(text, tokenize(text), new Set(columns));
  const sql = parser.parse();
  return { sql, columns: [...parser.used] };
}
