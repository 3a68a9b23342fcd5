/**
 * The DuckDB relation of a prepared blob's raw text values: the table function that reads its
 * records with malformed ones diverted (never dropped), and where each feature's text is in it.
 */
import { sqlString } from "../../core/sql.js";
import { call, subquery } from "../../core/sql-builder.js";
import { LINE_PLACEHOLDER } from "../../core/validate/row-sql.js";
import { csvBufferBytes, type PreparedBlob, type ReadLimits } from "./reader.js";

export interface SourceRelation {
  /** Relation with the columns `rawExpr` refers to, and `__row` (the element's position) when `rowColumn`. */
  readonly sql: string;
  readonly rawExpr: (name: string) => string | undefined;
  readonly recordExpr: string;
  readonly malformed?: readonly [string, string];
  /** Whether `sql` numbers records in `__row`; otherwise the staged table's rowid + 1 is the position. */
  readonly rowColumn?: boolean;
  /** Condition of source rows that are not records (blank lines), see RowPlanInput.skip. */
  readonly skip?: string;
  /** Query of the field names seen in the first records, in first-seen order (JSON sources). */
  readonly fieldsSql?: string;
  /** Table DuckDB fills with records it could not parse (CSV structure, encoding, line size). */
  readonly rejectsTable: string;
}

/** Records whose keys are listed as the blob's fields (JSON sources). */
const FIELD_SAMPLE = 10_000;

function jsonPointer(name: string): string {
  return `/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** The relation reading a prepared blob; `featureNames` are the source fields the schema asks for. */
export function sourceRelation(
  blob: PreparedBlob,
  featureNames: readonly string[],
  suffix: string,
  limits: ReadLimits,
): SourceRelation {
  const rejects = `rejects_${suffix}`;
  const rejectOpts = [
    "store_rejects = true",
    `rejects_table = ${sqlString(rejects)}`,
    `rejects_scan = ${sqlString(`scan_${suffix}`)}`,
    `max_line_size = ${limits.maxLineBytes}`,
    `buffer_size = ${csvBufferBytes(limits)}`,
  ];
  if (blob.format === "csv") {
    const header = blob.header!;
    const columns = header.map((_, i) => `'__c${i}': 'VARCHAR'`).join(", ");
    // No row_number() here: a window makes the scan single-threaded. Staging preserves insertion
    // order, so the staged table's rowid is the record's position (see StagedBatch.rowExpr).
    const quote = sqlString(blob.quote ?? '"');
    const sql = call("read_csv", [
      sqlString(blob.path),
      `header = ${blob.hasHeader === false ? "false" : "true"}`,
      "auto_detect = false",
      `columns = {${columns}}`,
      `delim = ${sqlString(blob.delimiter)}`,
      `quote = ${quote}`,
      `escape = ${quote}`,
      "strict_mode = true",
      ...rejectOpts,
    ]);
    const index = new Map<string, number>();
    header.forEach((h, i) => {
      if (!index.has(h)) index.set(h, i);
    });
    const record = `json_object(${header.map((h, i) => `${sqlString(h)}, __c${i}`).join(", ")})::VARCHAR`;
    return {
      sql,
      // An empty field, quoted or not, already reads as NULL (read_csv's nullstr '' and
      // allow_quoted_nulls defaults), so the text is used as read: no nullif() per cell.
      rawExpr: (name) => (index.has(name) ? `__c${index.get(name)}` : undefined),
      recordExpr: record,
      rejectsTable: rejects,
    };
  }
  const pointers = featureNames.map((n) => sqlString(jsonPointer(n))).join(", ");
  const isObject = `(CASE WHEN json_valid(__j) THEN json_type(__j) = 'OBJECT' ELSE false END)`;
  // One JSON parse per record in the usual case: text starting with "{" is an object if it parses
  // at all (json_extract_string fails otherwise, and try() makes that NULL); anything else is
  // checked in full. A valid object always yields a list, so a NULL list means "not an object".
  const values = `json_extract_string(__j, [${pointers}])`;
  const extract = (lines: string) =>
    subquery({
      select: ["*", "__vals IS NULL AS __malformed"],
      from: {
        query: {
          select: [
            "*",
            `CASE WHEN starts_with(__j, '{') THEN try(${values}) WHEN ${isObject} THEN ${values} END AS __vals`,
          ],
          from: lines,
        },
        as: "extracted",
      },
    });
  const position = new Map(featureNames.map((n, i) => [n, i + 1]));
  const rawExpr = (name: string) => (position.has(name) ? `__vals[${position.get(name)}]` : undefined);
  // Keys of the first records, in first-seen order: enough to spot new columns.
  const fieldsSql = (head: string) =>
    `SELECT k FROM (SELECT unnest(json_keys(__j)) AS k, n FROM (SELECT __j, row_number() OVER () AS n FROM (${head} LIMIT ${FIELD_SAMPLE})) WHERE ${isObject}) GROUP BY k ORDER BY min(n), k`;
  if (blob.format === "jsonl") {
    // One line per row, blank lines included (DuckDB reads them as NULL): staged in file order, the
    // table's rowid numbers lines, so no row_number() window serialises the scan (measured 0.6 s →
    // 0.3 s for 1M lines on 2 cores). Blank lines are skipped, not quarantined.
    const read = (opts: readonly string[]) =>
      call("read_csv", [
        sqlString(blob.path),
        "columns = {'__j': 'VARCHAR'}",
        "header = false",
        "auto_detect = false",
        "delim = chr(31)",
        "quote = ''",
        "escape = ''",
        ...opts,
      ]);
    return {
      // A line starting with "{" is not blank; only others pay for trim() (0.4 s per 1M lines).
      sql: extract(
        subquery({
          select: [
            "__j",
            "CASE WHEN __j IS NULL THEN true WHEN starts_with(__j, '{') THEN false ELSE trim(__j) = '' END AS __blank",
          ],
          from: read(rejectOpts),
        }),
      ),
      rawExpr,
      recordExpr: "__j",
      malformed: [
        "__malformed",
        `'RECORD_MALFORMED line ${LINE_PLACEHOLDER}: not a JSON object: ' || coalesce(to_json(left(__j, 60))::VARCHAR, 'null')`,
      ],
      skip: "__blank",
      fieldsSql: fieldsSql(
        `SELECT __j FROM ${read(["ignore_errors = true", `max_line_size = ${limits.maxLineBytes}`, `buffer_size = ${csvBufferBytes(limits)}`])}`,
      ),
      rejectsTable: rejects,
    };
  }
  const array = `read_json(${sqlString(blob.path)}, format = 'array', records = false, columns = {'json': 'JSON'}, maximum_object_size = ${limits.maxLineBytes})`;
  return {
    sql: extract(
      subquery({ select: ["row_number() OVER () AS __row", "json::VARCHAR AS __j"], from: array }),
    ),
    rawExpr,
    recordExpr: "__j",
    rowColumn: true,
    // A JSON null element of an array arrives as SQL NULL: it must still get its reason.
    malformed: [
      "__malformed",
      `'RECORD_MALFORMED element ' || __row || ': not a JSON object: ' || coalesce(to_json(left(__j, 60))::VARCHAR, 'null')`,
    ],
    fieldsSql: fieldsSql(`SELECT json::VARCHAR AS __j FROM ${array}`),
    rejectsTable: "",
  };
}
