/**
 * The SQL of one feature's row-level check, from its schema entry: the cast of its raw text to the
 * declared type, the error code (TFDV's anomaly types) and the reason a person reads. DuckDB's
 * dialect; row-sql.ts assembles every feature's into one query.
 */
import type { Feature, FloatDomain, IntDomain, StringDomain, TimestampDomain } from "../schema/types.js";
import { sqlNumber, sqlString } from "../sql.js";
import type { AnomalyType } from "./anomaly.js";

/** Error code for "absent but optional": not an error, but counted as missing for presence. */
export const MISSING_OPTIONAL = "";

function scalarCast(feature: Feature, v: string): string {
  switch (feature.type) {
    case "STRING":
      return v;
    case "INT":
      // DuckDB's cast also accepts "3.5" (rounded), "35e-1", "0x10" and "1_000"; only plain decimal
      // integers are INTs. A value that prints back as itself is one (the common case, no regex);
      // others go through an anchored RE2 match (3.5× cheaper than translate(); the fast path saves
      // a further quarter).
      return `CASE WHEN TRY_CAST(${v} AS BIGINT)::VARCHAR = ${v} THEN TRY_CAST(${v} AS BIGINT) WHEN regexp_full_match(${v}, '\\s*[+-]?[0-9]+\\s*') THEN TRY_CAST(${v} AS BIGINT) END`;
    case "FLOAT":
      return `TRY_CAST(${v} AS DOUBLE)`;
    case "BOOL":
      return `TRY_CAST(${v} AS BOOLEAN)`;
    case "TIMESTAMP": {
      // Stored as UTC wall time (Parquet TIMESTAMP micros). A plain TIMESTAMP cast would drop an
      // offset, so values carrying one (Z, +hh:mm, -hh:mm after the time) are parsed with it.
      // Truncated to whole milliseconds: Athena reads Parquet timestamps at millisecond precision
      // (Trino rounds sub-millisecond parts), DuckDB's split text truncates them, so a stored
      // microsecond could put a row in different splits locally and on AWS.
      const ms = (t: string) => `date_trunc('millisecond', ${t})`;
      const format = (feature.domain as TimestampDomain | undefined)?.format;
      if (format) return ms(`CAST(try_strptime(${v}, ${sqlString(format)}) AS TIMESTAMP)`);
      const offset = `(length(${v}) > 19 AND (ends_with(${v}, 'Z') OR contains(substr(${v}, 20), '+') OR contains(substr(${v}, 20), '-')))`;
      const cast = `CASE WHEN ${offset} THEN CAST(TRY_CAST(${v} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${v} AS TIMESTAMP) END`;
      // DuckDB's casts read a fraction of a second only after a '.', so text without one has
      // none to truncate: date_trunc runs only where it can change the value.
      return `CASE WHEN contains(${v}, '.') THEN ${ms(cast)} ELSE ${cast} END`;
    }
    case "BYTES":
      return `try(from_base64(${v}))`;
  }
}

const TYPE_CODE: Record<Feature["type"], AnomalyType> = {
  STRING: "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
  INT: "INT_TYPE_NOT_INT_STRING",
  FLOAT: "FLOAT_TYPE_NOT_FLOAT_STRING",
  BOOL: "BOOL_TYPE_UNEXPECTED_STRING",
  TIMESTAMP: "TIMESTAMP_TYPE_NOT_TIMESTAMP_STRING",
  BYTES: "BYTES_TYPE_NOT_BASE64",
};

/** The checks on one (scalar) typed value `t`, most fundamental first: [condition, code, detail SQL]. */
function domainChecks(feature: Feature, t: string): [string, AnomalyType, string][] {
  const checks: [string, AnomalyType, string][] = [];
  const d = feature.domain;
  if (!d) {
    if (feature.type === "FLOAT")
      checks.push([`(isnan(${t}) OR isinf(${t}))`, "FLOAT_TYPE_HAS_NAN", `'NaN or infinite value'`]);
    return checks;
  }
  if (feature.type === "INT" || feature.type === "FLOAT") {
    const nd = d as IntDomain & FloatDomain;
    const [small, big]: [AnomalyType, AnomalyType] =
      feature.type === "INT"
        ? ["INT_TYPE_SMALL_INT", "INT_TYPE_BIG_INT"]
        : ["FLOAT_TYPE_SMALL_FLOAT", "FLOAT_TYPE_BIG_FLOAT"];
    if (feature.type === "FLOAT" && nd.disallowNaN !== false)
      checks.push([`(isnan(${t}) OR isinf(${t}))`, "FLOAT_TYPE_HAS_NAN", `'NaN or infinite value'`]);
    // DuckDB orders NaN above every number; where NaN is allowed it is neither below min nor above max (IEEE, TFDV).
    const num = (cond: string) => (feature.type === "FLOAT" ? `(NOT isnan(${t}) AND ${cond})` : cond);
    if (nd.min !== undefined)
      checks.push([num(`${t} < ${sqlNumber(nd.min)}`), small, `CAST(${t} AS VARCHAR) || ' < min ${nd.min}'`]);
    if (nd.max !== undefined)
      checks.push([num(`${t} > ${sqlNumber(nd.max)}`), big, `CAST(${t} AS VARCHAR) || ' > max ${nd.max}'`]);
  }
  if (feature.type === "STRING" && "values" in d) {
    const values = (d as StringDomain).values;
    const list = values.map(sqlString).join(", ");
    const shown = values.length > 12 ? `${values.slice(0, 12).join(", ")}, …` : values.join(", ");
    // A constant-list lookup, not NOT IN: DuckDB plans NOT IN (…) as a MARK hash join, and one join
    // per categorical feature copies every column of the row through each join (quadratic in width).
    checks.push([
      `NOT list_contains([${list}], ${t})`,
      "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
      `to_json(${t})::VARCHAR || ${sqlString(` not in [${shown}]`)}`,
    ]);
  }
  if (feature.type === "TIMESTAMP") {
    const td = d as TimestampDomain;
    if (td.min)
      checks.push([
        `${t} < TIMESTAMP ${sqlString(td.min)}`,
        "TIMESTAMP_TYPE_OUT_OF_RANGE",
        `CAST(${t} AS VARCHAR) || ${sqlString(` before ${td.min}`)}`,
      ]);
    if (td.max)
      checks.push([
        `${t} > TIMESTAMP ${sqlString(td.max)}`,
        "TIMESTAMP_TYPE_OUT_OF_RANGE",
        `CAST(${t} AS VARCHAR) || ${sqlString(` after ${td.max}`)}`,
      ]);
  }
  return checks;
}

function shownValue(raw: string): string {
  return `to_json(CASE WHEN length(${raw}) > 60 THEN left(${raw}, 60) || '…' ELSE ${raw} END)::VARCHAR`;
}

interface FeatureSql {
  typed: string;
  /**
   * TRUE when the value passes every check (the code is NULL or MISSING_OPTIONAL): a flat boolean
   * evaluated on every row, so the code and its reason are built only for rows that fail.
   */
  ok: string;
  code: string;
  detail: string;
  codes: AnomalyType[];
}

/**
 * The `ok` predicate of a feature whose code is `CASE WHEN raw IS NULL THEN missing WHEN c1 … END`:
 * a missing value passes when optional; a present one when every term of `passes` holds.
 */
function okPredicate(rawRef: string, required: boolean, passes: readonly string[]): string {
  const all = passes.join(" AND ") || "true";
  return required ? `(${rawRef} IS NOT NULL AND ${all})` : `(${rawRef} IS NULL OR (${all}))`;
}

/** A CASE skips a condition that is NULL; so does its negation here. */
const notNullable = (cond: string) => `NOT coalesce(${cond}, false)`;

export function scalarFeatureSql(
  p: { feature: Feature; raw: string; required: boolean },
  rawRef: string,
  typedRef: string,
): FeatureSql {
  const f = p.feature;
  const typeCode = TYPE_CODE[f.type];
  const checks = domainChecks(f, typedRef);
  const whens = [
    `WHEN ${rawRef} IS NULL THEN ${p.required ? "'FEATURE_TYPE_NOT_PRESENT'" : sqlString(MISSING_OPTIONAL)}`,
    ...(f.type === "STRING" ? [] : [`WHEN ${typedRef} IS NULL THEN ${sqlString(typeCode)}`]),
    ...checks.map(([cond, code]) => `WHEN ${cond} THEN ${sqlString(code)}`),
  ];
  const details = [
    `WHEN ${rawRef} IS NULL THEN 'required value is missing'`,
    ...(f.type === "STRING"
      ? []
      : [`WHEN ${typedRef} IS NULL THEN ${shownValue(rawRef)} || ' is not ${f.type}'`]),
    ...checks.map(([cond, , detail]) => `WHEN ${cond} THEN ${detail}`),
  ];
  const codes = new Set<AnomalyType>(checks.map(([, c]) => c));
  if (f.type !== "STRING") codes.add(typeCode);
  if (p.required) codes.add("FEATURE_TYPE_NOT_PRESENT");
  // Once the typed value is known to be non-NULL no check can be NULL, so checks need no guard.
  const conditions = checks.map(([cond]) => (cond.startsWith("NOT ") ? cond.slice(4) : `NOT ${cond}`));
  const ok = okPredicate(
    rawRef,
    p.required,
    f.type === "STRING" ? conditions : [`${typedRef} IS NOT NULL`, ...conditions],
  );
  return {
    typed: scalarCast(f, rawRef),
    ok,
    code: `CASE ${whens.join(" ")} END`,
    detail: `CASE ${details.join(" ")} END`,
    codes: [...codes],
  };
}

export function listFeatureSql(
  p: { feature: Feature; raw: string; required: boolean },
  rawRef: string,
  typedRef: string,
  listSeparator: string,
  json: boolean,
): FeatureSql {
  const f = p.feature;
  const elements = json
    ? `CASE WHEN json_valid(${rawRef}) AND json_type(${rawRef}) = 'ARRAY' THEN json_extract_string(${rawRef}, '$[*]') ELSE [${rawRef}] END`
    : `string_split(${rawRef}, ${sqlString(listSeparator)})`;
  const typed = `list_transform(${elements}, x -> ${scalarCast(f, "x")})`;
  const vc = f.valueCount ?? {};
  const badElement =
    f.type === "STRING" ? "false" : `list_contains(list_transform(${typedRef}, x -> x IS NULL), true)`;
  const whens: [string, AnomalyType, string][] = [
    [badElement, TYPE_CODE[f.type], `${shownValue(rawRef)} || ' has a value that is not ${f.type}'`],
  ];
  if (vc.min !== undefined)
    whens.push([
      `len(${typedRef}) < ${vc.min}`,
      "FEATURE_TYPE_LOW_NUMBER_VALUES",
      `len(${typedRef}) || ' values < min ${vc.min}'`,
    ]);
  if (vc.max !== undefined)
    whens.push([
      `len(${typedRef}) > ${vc.max}`,
      "FEATURE_TYPE_HIGH_NUMBER_VALUES",
      `len(${typedRef}) || ' values > max ${vc.max}'`,
    ]);
  const code = `CASE WHEN ${rawRef} IS NULL THEN ${p.required ? "'FEATURE_TYPE_NOT_PRESENT'" : sqlString(MISSING_OPTIONAL)} ${whens
    .map(([c, code]) => `WHEN ${c} THEN ${sqlString(code)}`)
    .join(" ")} END`;
  const detail = `CASE WHEN ${rawRef} IS NULL THEN 'required value is missing' ${whens.map(([c, , d]) => `WHEN ${c} THEN ${d}`).join(" ")} END`;
  const codes = new Set<AnomalyType>(whens.map(([, c]) => c));
  if (f.type === "STRING") codes.delete("ENUM_TYPE_UNEXPECTED_STRING_VALUES");
  if (p.required) codes.add("FEATURE_TYPE_NOT_PRESENT");
  return {
    typed,
    ok: okPredicate(
      rawRef,
      p.required,
      whens.map(([c]) => notNullable(c)),
    ),
    code,
    detail,
    codes: [...codes],
  };
}
