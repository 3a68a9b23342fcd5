/**
 * How inference widens a column beyond the type DuckDB's sniffer gave it on a sample: the levels, and
 * the SQL that finds the level each column's values ask for (infer-text-scan.ts, infer-aggregates.ts).
 */
import { sqlString } from "../../core/sql.js";
import { INTEGER, type Loaded } from "./file-source.js";

/** An integer's text as ingest accepts it (RE2, for regexp_full_match). */
export const INTEGRAL = "\\s*[+-]?[0-9]+\\s*";

/** Widening levels of a column: keep its sampled type, make it DOUBLE, make it VARCHAR. */
export const KEEP = 0;
export const TO_DOUBLE = 1;
export const TO_VARCHAR = 2;

/**
 * SQL of the widening a text value `x` asks of a column of sampled `type` (KEEP, TO_DOUBLE or
 * TO_VARCHAR); a column takes the largest over its values: an integer column becomes DOUBLE if every
 * value is a number, otherwise (and any other type) VARCHAR — the types a sniff of the whole file
 * settles on, for a fraction of its cost (see infer-aggregates.ts). The cheap test comes first, so a
 * value that fits costs one cast. DuckDB's own cast rounds "3.5" to an integer, so integers must also
 * look like one; a value that prints back as itself does.
 */
export function widening(
  type: string,
  x: string,
  loaded: Loaded,
  /** SQL of `x` as `type` already computed (NULL where it does not fit), so the test reuses it. */
  typed?: string,
): string | undefined {
  const fits = (t: string) => `TRY_CAST(${x} AS ${t}) IS NOT NULL`;
  const fitsSampled = typed ? `${typed} IS NOT NULL` : fits(type);
  let cases: string[];
  if (INTEGER.test(type)) {
    const inRange = type === "BIGINT" ? "" : ` AND ${fitsSampled}`;
    const asBigint = typed && type === "BIGINT" ? typed : `TRY_CAST(${x} AS BIGINT)`;
    cases = [
      `WHEN ${asBigint}::VARCHAR = ${x}${inRange} THEN ${KEEP}`,
      `WHEN regexp_full_match(${x}, '${INTEGRAL}') AND ${fitsSampled} THEN ${KEEP}`,
      `WHEN ${fits("DOUBLE")} THEN ${TO_DOUBLE}`,
    ];
  } else if (/^(DOUBLE|FLOAT|REAL)$/.test(type) || type === "BOOLEAN" || type === "TIME")
    cases = [`WHEN ${fitsSampled} THEN ${KEEP}`];
  else if (type === "DATE" || type.startsWith("TIMESTAMP")) {
    const format = type === "DATE" ? loaded.date : loaded.timestamp;
    cases = [
      `WHEN ${typed ? fitsSampled : format ? `try_strptime(${x}, ${sqlString(format)}) IS NOT NULL` : fits(type)} THEN ${KEEP}`,
    ];
  } else return undefined;
  return `max(CASE WHEN ${x} IS NULL THEN ${KEEP} ${cases.join(" ")} ELSE ${TO_VARCHAR} END)`;
}
