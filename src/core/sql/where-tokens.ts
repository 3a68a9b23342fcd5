/**
 * `--where` tokenizer: identifiers (bare or "quoted"), 'strings', numbers and operators, each with
 * its position; the errors every `--where` refusal shares.
 */
import { UsageError } from "../errors.js";

export type Token =
  | { kind: "ident"; value: string; quoted: boolean; at: number }
  | { kind: "string"; value: string; at: number }
  | { kind: "number"; value: string; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "end"; value: ""; at: number };

export const KEYWORDS = new Set([
  "AND",
  "OR",
  "NOT",
  "IS",
  "NULL",
  "IN",
  "BETWEEN",
  "LIKE",
  "TRUE",
  "FALSE",
  "DATE",
  "TIMESTAMP",
]);
export const COMPARISONS = new Set(["=", "<>", "!=", "<", "<=", ">", ">="]);

export function fail(text: string, at: number, problem: string): never {
  throw new UsageError(
    `--where ${JSON.stringify(text)}: ${problem} at position ${at + 1}; --where takes one boolean expression over the dataset's columns`,
    { where: text, position: at + 1 },
  );
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "-" && text[i + 1] === "-") fail(text, i, "comments (--) are not allowed");
    if (ch === "/" && text[i + 1] === "*") fail(text, i, "comments (/* */) are not allowed");
    if (ch === ";") fail(text, i, "';' (a second statement) is not allowed");
    if (ch === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) fail(text, start, "unterminated string literal");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      out.push({ kind: "string", value, at: start });
      continue;
    }
    if (ch === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) fail(text, start, "unterminated quoted identifier");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      out.push({ kind: "ident", value, quoted: true, at: start });
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      if (/[A-Za-z_]/.test(text[i] ?? ""))
        fail(text, start, `malformed number ${JSON.stringify(text.slice(start, i + 1))}`);
      out.push({ kind: "number", value: number[0], at: start });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      out.push({ kind: "ident", value: word[0], quoted: false, at: start });
      continue;
    }
    const op = /^(<>|!=|<=|>=|[=<>()+\-*/,])/.exec(text.slice(i));
    if (op) {
      i += op[0].length;
      out.push({ kind: "op", value: op[0], at: start });
      continue;
    }
    fail(text, i, `unexpected character ${JSON.stringify(ch)}`);
  }
  out.push({ kind: "end", value: "", at: text.length });
  return out;
}
