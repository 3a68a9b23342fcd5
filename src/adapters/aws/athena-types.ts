import type { Datum } from "@aws-sdk/client-athena";
import type { QueryValue } from "../../ports/query-engine.js";

/**
 * Athena returns every value as text (`VarCharValue`), typed only by the column's
 * `ColumnInfo.Type`; a NULL is a Datum without VarCharValue (an empty string has one: "").
 * This turns that text back into values, matching what the DuckDB engine returns where the
 * types agree.
 */
export function convertDatum(datum: Datum | undefined, athenaType: string): QueryValue {
  const text = datum?.VarCharValue;
  if (text === undefined) return null;
  const type = baseType(athenaType);
  switch (type) {
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
      return Number(text);
    case "bigint":
      return toBigintOrNumber(text);
    case "double":
    case "float":
    case "real":
    case "decimal":
      return toDouble(text);
    case "boolean":
      return text === "true";
    case "date":
      return utcDate(`${text}T00:00:00.000Z`, text);
    case "timestamp":
      return parseTimestamp(text, athenaType);
    case "json":
    case "array": {
      // Arrays of numbers/booleans print as JSON ("[1, 2]"); arrays of strings do not ("[a, b]")
      // and cannot be split safely, so they stay text.
      const parsed = parseJson(text);
      return parsed === undefined ? text : (parsed as QueryValue);
    }
    default:
      // varchar, char, string, map, row (Athena prints these as "{k=v, …}"), varbinary, time …
      return text;
  }
}

/** `decimal(10,2)` → `decimal`, `timestamp(3) with time zone` → `timestamp`. */
export function baseType(athenaType: string): string {
  return athenaType
    .toLowerCase()
    .replace(/\(.*?\)/g, "")
    .replace(/ with(out)? time zone$/, "")
    .trim();
}

function toBigintOrNumber(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function toDouble(text: string): number {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "Infinity":
      return Number.POSITIVE_INFINITY;
    case "-Infinity":
      return Number.NEGATIVE_INFINITY;
    default:
      return Number(text);
  }
}

/**
 * `2024-03-01 12:34:56.789` (UTC by Athena's convention for `timestamp`), or with a zone for
 * `timestamp with time zone`: `… UTC`, `… Z`, `… +02:00`. Sub-millisecond digits are dropped:
 * a Date holds milliseconds.
 */
function parseTimestamp(text: string, athenaType: string): Date | string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(.*)$/.exec(text);
  if (!m) return text;
  const [, day, time, fraction = "", zoneRaw = ""] = m;
  const ms = `${fraction}000`.slice(0, 3);
  const seconds = time!.length === 5 ? `${time}:00` : time;
  const zone = zoneRaw.trim();
  const offset =
    zone === "" || zone === "UTC" || zone === "Z" ? "Z" : /^[+-]\d{2}:?\d{2}$/.test(zone) ? zone : undefined;
  if (offset === undefined) {
    // A named zone (`Europe/Paris`) needs a tz database to resolve; keep the text.
    return /with time zone/i.test(athenaType) ? text : utcDate(`${day}T${seconds}.${ms}Z`, text);
  }
  return utcDate(`${day}T${seconds}.${ms}${offset}`, text);
}

function utcDate(iso: string, original: string): Date | string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? original : d;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
