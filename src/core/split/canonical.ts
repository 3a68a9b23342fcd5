/**
 * The canonical text of a split key: the one string TypeScript, DuckDB and Athena (Trino) all
 * build identically from the same row, so all three hash every row into the same bucket.
 *
 *   canonical = esc(seed) "|" field_1 "|" field_2 …          (UTF-8)
 *   field     = "\N" for NULL, else the value's text below (strings escaped with esc)
 *   esc(s)    = s with "\" → "\\", then "|" → "\|"  (so no value can forge a separator or "\N")
 *
 *   bigint, int   decimal integer: "-42", "0"
 *   double        |x| < 1e12: the integer floor(x·1e6 + 0.5) ("39.1" → "39100000");
 *                 1e12 ≤ |x| < 9e18: "E" + floor(x + 0.5); beyond: "Big" / "-Big";
 *                 "NaN", "Infinity", "-Infinity". Pure IEEE-754 arithmetic + integer printing:
 *                 engines disagree on how to print a double (Trino writes "3.91E1"), never on this.
 *   string        the value, escaped
 *   boolean       "true" / "false"
 *   timestamp     ISO 8601 UTC with milliseconds: "2001-01-01T06:05:00.000Z" (sub-ms truncated)
 *   date          "YYYY-MM-DD"
 *   binary        standard base64 with padding
 *
 * bucket = (first 8 hex digits of md5(canonical), as an unsigned integer) mod 10 000.
 */
import { createHash } from "node:crypto";
import type { ColumnType } from "../warehouse/table.js";
import { SPLIT_BUCKETS } from "./spec.js";

export type KeyType = Exclude<ColumnType["kind"], "list">;

export interface SplitKeyColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface KeyValue {
  readonly type: KeyType;
  readonly value: unknown;
}

export const NULL_TOKEN = "\\N";
export const SEPARATOR = "|";
const MICRO_LIMIT = 1e12;
const INTEGER_LIMIT = 9e18;

export function escapeKeyText(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll("|", "\\|");
}

function integerText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === "string" && /^-?[0-9]+$/.test(value)) return BigInt(value).toString();
  throw new TypeError(`split key: not an integer: ${String(value)}`);
}

export function doubleText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Math.abs(x) < MICRO_LIMIT) return BigInt(Math.floor(x * 1e6 + 0.5)).toString();
  if (Math.abs(x) < INTEGER_LIMIT) return `E${BigInt(Math.floor(x + 0.5)).toString()}`;
  return x > 0 ? "Big" : "-Big";
}

function timestampText(value: unknown): string {
  const d =
    value instanceof Date
      ? value
      : typeof value === "string" || typeof value === "number"
        ? new Date(value)
        : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new TypeError(`split key: not a timestamp: ${String(value)}`);
  return d.toISOString();
}

function dateText(value: unknown): string {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return timestampText(value).slice(0, 10);
}

/** One field of the canonical text. */
export function keyFieldText(v: KeyValue): string {
  const { value } = v;
  if (value === null || value === undefined) return NULL_TOKEN;
  switch (v.type) {
    case "bigint":
    case "int":
      return integerText(value);
    case "double":
      if (typeof value === "number") return doubleText(value);
      if (typeof value === "bigint") return doubleText(Number(value));
      throw new TypeError(`split key: not a number: ${String(value)}`);
    case "string":
      return escapeKeyText(String(value));
    case "boolean":
      return value ? "true" : "false";
    case "timestamp":
      return timestampText(value);
    case "date":
      return dateText(value);
    case "binary":
      // The local query engine hands binary columns over as base64 text already.
      return typeof value === "string" ? value : Buffer.from(value as Uint8Array).toString("base64");
  }
}

export function canonicalKey(keyValues: readonly KeyValue[], seed: string): string {
  return [escapeKeyText(seed), ...keyValues.map(keyFieldText)].join(SEPARATOR);
}

/** The row's bucket in [0, 10 000). */
export function bucketOf(canonical: string): number {
  const hex = createHash("md5").update(canonical, "utf8").digest("hex");
  return Number.parseInt(hex.slice(0, 8), 16) % SPLIT_BUCKETS;
}

/** Key values of a row (as a query returns it) for the given key columns. */
export function keyValuesOf(
  row: Readonly<Record<string, unknown>>,
  keyColumns: readonly SplitKeyColumn[],
): KeyValue[] {
  return keyColumns.map((c) => ({ type: scalarKind(c), value: row[c.name] }));
}

export function scalarKind(column: SplitKeyColumn): KeyType {
  if (column.type.kind === "list")
    throw new TypeError(`split key column ${column.name} is a list; only scalar columns can key a split`);
  return column.type.kind;
}
