/**
 * Row-level validation as SQL generated from a schema. One SELECT turns the raw text values of a
 * blob into typed columns, a per-feature error code, and, for bad rows only, the list of reasons
 * and the record as read. Each feature's cast, code and reason come from feature-sql.ts; this
 * assembles them into the layered query. The SQL is DuckDB's dialect.
 */

import type { DatasetSchema, Feature } from "../schema/types.js";
import { featureInEnvironment, isList, isRequired } from "../schema/types.js";
import { sqlString } from "../sql.js";
import { as, renderSelect, type Select } from "../sql-builder.js";
import type { AnomalyType } from "./anomaly.js";
import { listFeatureSql, scalarFeatureSql } from "./feature-sql.js";

const INDENT = "  ";

/** `[a, b, …]` with one element per line. */
function bracketed(items: readonly string[]): string {
  return items.length === 0 ? "[]" : `[\n${items.map((x) => `${INDENT}${x}`).join(",\n")}\n]`;
}

export interface FeaturePlan {
  readonly feature: Feature;
  readonly index: number;
  /**
   * The typed column in the staged relation (`__t<index>`, see stagedColumn), not the feature's
   * own column name, which the outputs give it.
   */
  readonly staged: string;
  /** SQL expression of the raw text value in the source relation, NULL if the blob lacks the field. */
  readonly raw: string;
  readonly required: boolean;
  /** Row-level anomaly types this feature can produce (for counting). */
  readonly codes: readonly AnomalyType[];
}

export interface RowValidationPlan {
  readonly features: readonly FeaturePlan[];
  /**
   * SELECT over `source` producing: __row (when `rowColumn`), the typed columns (named by stagedColumn),
   * __ok, __bad (bad rows only: what went wrong, read with BAD_ROW), and __bad_record when
   * `malformed` is given.
   */
  readonly sql: string;
}

/**
 * Everything about a bad row lives in one JSON text column, NULL on good rows: measured on 3M rows,
 * separate per-feature code columns made staging 15% slower, and separate code, reason and record
 * columns held 78 MB more memory (a NULL list still stores an entry per row; a NULL text does not).
 * `{"errors": [code per feature, in feature order: null = none, "" = absent but optional],
 *   "reasons": [text, …], "record": "the record as read"}`.
 */
export const BAD_ROW = {
  /** The error codes, one per feature in order: NULL (no error), '' (absent but optional) or an anomaly type. */
  errors: `json_extract_string(__bad, '$.errors[*]')`,
  /** The reasons, with LINE_PLACEHOLDER at the start of a reason replaced by the row's line. */
  reasons: (row: string) =>
    `list_transform(CAST(json_extract(__bad, '$.reasons') AS VARCHAR[]), r -> regexp_replace(r, '^(RECORD_MALFORMED line )#:', '\\1' || ${row} || ':'))`,
  record: `json_extract_string(__bad, '$.record')`,
} as const;

/**
 * Stands for the line number in a RECORD_MALFORMED reason made where the line is not yet known (JSON
 * lines are numbered by the staged table's rowid); BAD_ROW.reasons fills it in.
 */
export const LINE_PLACEHOLDER = "#";

/**
 * Every name the staging query makes up starts with `__`: a feature's column may be called anything
 * but `_…` (reserved for lineage columns), so a made-up name never meets one — `c0`, `r1`, `b` or
 * `rowid` included (a column named `rowid` would hide the staged table's row number).
 */
export const stagedColumn = (index: number) => `__t${index}`;

export interface RowPlanInput {
  readonly schema: DatasetSchema;
  readonly environment: string;
  /** Field name → SQL expression of its raw text value in `source`. Absent fields are NULL. */
  readonly rawExpr: (feature: Feature) => string | undefined;
  /** Relation with whatever `rawExpr` refers to (and `__row` when `rowColumn`). */
  readonly source: string;
  /** Whether the source numbers its records in a `__row` column to carry to the output. */
  readonly rowColumn?: boolean;
  /** Whether list values arrive as JSON arrays (JSON input) or separated text (CSV). */
  readonly json: boolean;
  /** The record as read (JSON text), for quarantine; evaluated only for rows that fail. */
  readonly recordExpr: string;
  /** Extra condition making a row bad with its own reason (e.g. malformed JSON): [condition, reason SQL]. */
  readonly malformed?: readonly [string, string];
  /**
   * Condition of source rows that are not records at all (a blank line of JSON lines): their __ok is
   * NULL, so they are neither valid (`WHERE __ok`) nor quarantined (`WHERE NOT __ok`), yet they keep
   * their place in the staged table, whose rowid then numbers lines.
   */
  readonly skip?: string;
  /**
   * The features whose checks make `__ok` (all by default). The others are typed and checked only
   * inside the bad-row branch, so their codes and reasons are complete wherever `__ok` is false, while
   * good rows cost nothing for them: a table staged in parts by columns (see split-staging.ts), where
   * each part's `__ok` covers its own features and the verdict is the AND of the parts.
   */
  readonly checked?: (index: number) => boolean;
}

/**
 * The generated query has four layers, pipelined by the engine (no materialisation between): raw
 * text → typed values → one flat `__ok` predicate per row; then error codes, reasons and the record,
 * built only for rows that fail (a CASE evaluates its branch for the rows it selects), so a good row
 * costs one cast and a few comparisons per cell, whatever the number of features.
 */
export function rowValidationPlan(input: RowPlanInput): RowValidationPlan {
  const { schema, environment } = input;
  const listSeparator = schema.csv?.listSeparator ?? "|";
  const features: FeaturePlan[] = [];
  const rawCols: string[] = [];
  const typedCols: string[] = [];
  /** The typed columns the staged relation keeps: the checked features'. */
  const keptCols: string[] = [];
  const oks: string[] = [];
  const codeCols: string[] = [];
  const codes: string[] = [];
  const reasons: string[] = [];
  schema.features.forEach((feature, index) => {
    const expected = featureInEnvironment(schema, feature, environment);
    const raw = input.rawExpr(feature) ?? "NULL::VARCHAR";
    const required = expected && isRequired(feature);
    const rawRef = `__r${index}`;
    const typedRef = stagedColumn(index);
    const p = { feature, raw, required };
    const featureSql = (r: string, t: string) =>
      isList(feature) ? listFeatureSql(p, r, t, listSeparator, input.json) : scalarFeatureSql(p, r, t);
    const own = featureSql(rawRef, typedRef);
    const checked = input.checked?.(index) ?? true;
    // An unchecked feature's code and reason read its raw and typed values inline, in the CASE branch.
    const sql = checked ? own : featureSql(`(${raw})`, `(${featureSql(`(${raw})`, typedRef).typed})`);
    features.push({ feature, index, staged: typedRef, raw, required, codes: own.codes });
    if (checked) {
      rawCols.push(`${raw} AS ${rawRef}`);
      typedCols.push(`${sql.typed} AS ${typedRef}`);
      keptCols.push(typedRef);
      oks.push(sql.ok);
    }
    const codeRef = `__e${index}`;
    codeCols.push(`CASE WHEN NOT __ok THEN ${sql.code} END AS ${codeRef}`);
    codes.push(codeRef);
    reasons.push(
      `CASE WHEN ${codeRef} <> '' THEN ${codeRef} || ' ' || ${sqlString(feature.name)} || ': ' || (${sql.detail}) END`,
    );
  });
  const malformed = input.malformed;
  const isMalformed = malformed ? `coalesce(${malformed[0]}, false)` : undefined;
  if (oks.length === 0) oks.push("true");
  const valid = `(\n${[...oks, ...(isMalformed ? [`NOT ${isMalformed}`] : [])].map((ok, i) => `${INDENT}${i === 0 ? "" : "AND "}${ok}`).join("\n")}\n)`;
  const okExpr = input.skip ? `CASE WHEN ${input.skip} THEN NULL ELSE ${valid} END` : valid;
  // A record that is not a record at all has that one reason (not "missing" for every feature).
  const featureReasons = `list_filter(${bracketed(reasons)}, x -> x IS NOT NULL)`;
  const reasonList =
    malformed && isMalformed
      ? `CASE WHEN ${isMalformed} THEN [${malformed[1]}] ELSE ${featureReasons} END`
      : featureReasons;
  const bad = `CASE WHEN NOT __ok THEN json_object(\n${INDENT}'errors', [${codes.join(", ")}],\n${INDENT}'reasons', ${reasonList.replaceAll("\n", `\n${INDENT}`)},\n${INDENT}'record', ${input.recordExpr}\n)::VARCHAR END`;
  const query: Select = {
    select: [
      ...(input.rowColumn ? ["__row"] : []),
      ...keptCols,
      "__ok",
      as(bad, "__bad"),
      ...(isMalformed ? [as(isMalformed, "__bad_record")] : []),
    ],
    from: {
      query: {
        select: ["*", ...codeCols],
        from: {
          query: {
            select: ["*", as(okExpr, "__ok")],
            from: {
              query: {
                select: ["*", ...typedCols],
                from: { query: { select: ["*", ...rawCols], from: input.source }, as: "raw" },
              },
              as: "typed",
            },
          },
          as: "checked",
        },
      },
      as: "coded",
    },
  };
  const sql = renderSelect(query);
  return { features, sql };
}
