/**
 * Turning a blob into a relation of raw text values: format detection, bounded decompression,
 * the CSV header read by hand (duplicates matter; DuckDB would silently rename them), and the
 * DuckDB table function that reads records with malformed ones diverted, never dropped.
 */
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { stripExtensions } from "../../contract/raw-key.js";
import { BlobFormatError } from "../../core/errors.js";
import { duplicateNames, headerlessNames } from "../../core/input/csv.js";
import { encodingAdvice, foreignEncoding } from "../../core/input/encoding.js";
import type { CsvOptions } from "../../core/schema/types.js";
import { sqlString } from "../../core/sql.js";
import { call, subquery } from "../../core/sql-builder.js";
import { LINE_PLACEHOLDER } from "../../core/validate/row-sql.js";
import type { BlobFormat, ReadLimits } from "../../ports/ingest-engine.js";

export type { BlobFormat, ReadLimits };
export { stripExtensions };

/**
 * DuckDB's CSV reader buffers 16× the line limit unless told otherwise (a 512 MiB buffer for 32 MiB
 * lines), so the buffer is set explicitly: large enough that an over-long line is seen whole and
 * rejected as such, small enough to keep the reader near 32 MiB per thread.
 */
export const DEFAULT_LIMITS: ReadLimits = {
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxLineBytes: 8 * 1024 ** 2,
};

export function csvBufferBytes(limits: ReadLimits): number {
  return Math.max(4 * limits.maxLineBytes, 32 * 1024 ** 2);
}

export interface PreparedBlob {
  /** Plain (decompressed) local file DuckDB reads. */
  readonly path: string;
  readonly format: BlobFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  /** CSV quote character (the schema's `csv.quote`, default `"`). */
  readonly quote?: string;
  /** Whether the CSV's first record is a header (the schema's `csv.header`, default true). */
  readonly hasHeader?: boolean;
  /** CSV field names in order: the header, or column0… without one (JSON: undefined). */
  readonly header?: readonly string[];
  readonly duplicateFields: readonly string[];
}

async function head(path: string, bytes: number): Promise<Buffer> {
  const fh = await fs.open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function gunzipBounded(key: string, src: string, dest: string, max: number): Promise<void> {
  let total = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > max)
        done(new BlobFormatError(key, `decompresses to more than ${max} bytes (gzip bomb guard); refused`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(src, { highWaterMark: 1 << 20 }),
      createGunzip(),
      limiter,
      createWriteStream(dest),
    );
  } catch (err) {
    if (err instanceof BlobFormatError) throw err;
    throw new BlobFormatError(key, `corrupt or truncated gzip: ${(err as Error).message}`, { cause: err });
  }
}

/** Parse the first CSV record (RFC 4180 quoting) from the start of a file. */
export function parseHeader(text: string, delimiter: string, quote = '"'): string[] | undefined {
  const fields: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === quote) {
        if (text[i + 1] === quote) {
          field += quote;
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === quote && field === "") quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      fields.push(field);
      return fields;
    } else field += ch;
  }
  return undefined;
}

export async function prepareBlob(
  key: string,
  localPath: string,
  scratch: string,
  limits: ReadLimits,
  /** The dataset's CSV dialect (schema `csv`): delimiter, quote and header are honoured. */
  dialect: CsvOptions = {},
): Promise<PreparedBlob> {
  const magic = await head(localPath, 2);
  const ext = stripExtensions(key);
  const gzip = magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  let path = localPath;
  if (gzip) {
    path = `${scratch}/decompressed`;
    await gunzipBounded(key, localPath, path, limits.maxDecompressedBytes);
  } else if (ext.gz) {
    throw new BlobFormatError(key, "named .gz but is not gzip-compressed (no gzip magic bytes)");
  }
  const start = await head(path, 1 << 20);
  if (start.length === 0) throw new BlobFormatError(key, "empty blob: no header and no records");
  const encoding = foreignEncoding(start, start.length < 1 << 20);
  if (encoding) throw new BlobFormatError(key, encodingAdvice(key, encoding));
  const nul = start.indexOf(0);
  if (nul >= 0) throw new BlobFormatError(key, `binary content (NUL byte at offset ${nul}): not CSV or JSON`);
  const text = start.toString("utf8");
  const firstChar = text.replace(/^\uFEFF/, "").trimStart()[0];
  let format: BlobFormat;
  if (/\.(jsonl|ndjson)$/.test(ext.base)) format = "jsonl";
  else if (/\.json$/.test(ext.base)) format = firstChar === "[" ? "json-array" : "jsonl";
  // Content beats the name: a JSON array or JSON lines saved as .csv is read as JSON.
  else format = firstChar === "[" ? "json-array" : firstChar === "{" ? "jsonl" : "csv";
  if (format !== "csv") return { path, format, gzip, delimiter: "", duplicateFields: [] };
  const delimiter = dialect.delimiter ?? (ext.base.endsWith(".tsv") ? "\t" : ",");
  const quote = dialect.quote ?? '"';
  const first =
    parseHeader(text, delimiter, quote) ??
    (start.length < 1 << 20 ? parseHeader(`${text}\n`, delimiter, quote) : undefined);
  if (!first)
    throw new BlobFormatError(key, "header line longer than 1 MiB or unterminated quote in header", {
      line: 1,
    });
  const hasHeader = dialect.header ?? true;
  const header = hasHeader ? first : headerlessNames(first.length);
  const duplicates = duplicateNames(header);
  if (duplicates.length > 0)
    throw new BlobFormatError(
      key,
      `ambiguous header: ${duplicates.map((d) => JSON.stringify(d)).join(", ")} ${duplicates.length === 1 ? "names" : "name"} more than one column; rename the columns so each feature has one`,
      { line: 1 },
    );
  return { path, format, gzip, delimiter, quote, hasHeader, header, duplicateFields: [] };
}

/**
 * About how many records (lines) a plain blob holds, from the density of line breaks in its first
 * MiB: enough to size staging and Parquet row groups by cells, never used as a count.
 */
export async function estimateRecords(path: string): Promise<number> {
  const { size } = await fs.stat(path);
  const sample = await head(path, 1 << 20);
  let lines = 0;
  let last = -1;
  for (let i = sample.indexOf(0x0a); i >= 0; i = sample.indexOf(0x0a, i + 1)) {
    lines++;
    last = i;
  }
  if (lines === 0) return 1;
  return Math.max(1, Math.round((size * lines) / (last + 1)));
}

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
    const columns = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(", ");
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
    const record = `json_object(${header.map((h, i) => `${sqlString(h)}, c${i}`).join(", ")})::VARCHAR`;
    return {
      sql,
      rawExpr: (name) => (index.has(name) ? `nullif(c${index.get(name)}, '')` : undefined),
      recordExpr: record,
      rejectsTable: rejects,
    };
  }
  const pointers = featureNames.map((n) => sqlString(jsonPointer(n))).join(", ");
  const isObject = `(CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END)`;
  // One JSON parse per record in the usual case: text starting with "{" is an object if it parses
  // at all (json_extract_string fails otherwise, and try() makes that NULL); anything else is
  // checked in full. A valid object always yields a list, so a NULL list means "not an object".
  const values = `json_extract_string(j, [${pointers}])`;
  const extract = (lines: string) =>
    subquery({
      select: ["*", "__vals IS NULL AS __malformed"],
      from: {
        query: {
          select: [
            "*",
            `CASE WHEN starts_with(j, '{') THEN try(${values}) WHEN ${isObject} THEN ${values} END AS __vals`,
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
    `SELECT k FROM (SELECT unnest(json_keys(j)) AS k, n FROM (SELECT j, row_number() OVER () AS n FROM (${head} LIMIT ${FIELD_SAMPLE})) WHERE ${isObject}) GROUP BY k ORDER BY min(n), k`;
  if (blob.format === "jsonl") {
    // One line per row, blank lines included (DuckDB reads them as NULL): staged in file order, the
    // table's rowid numbers lines, so no row_number() window serialises the scan (measured 0.6 s →
    // 0.3 s for 1M lines on 2 cores). Blank lines are skipped, not quarantined.
    const read = (opts: readonly string[]) =>
      call("read_csv", [
        sqlString(blob.path),
        "columns = {'j': 'VARCHAR'}",
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
            "j",
            "CASE WHEN j IS NULL THEN true WHEN starts_with(j, '{') THEN false ELSE trim(j) = '' END AS __blank",
          ],
          from: read(rejectOpts),
        }),
      ),
      rawExpr,
      recordExpr: "j",
      malformed: [
        "__malformed",
        `'RECORD_MALFORMED line ${LINE_PLACEHOLDER}: not a JSON object: ' || coalesce(to_json(left(j, 60))::VARCHAR, 'null')`,
      ],
      skip: "__blank",
      fieldsSql: fieldsSql(
        `SELECT j FROM ${read(["ignore_errors = true", `max_line_size = ${limits.maxLineBytes}`, `buffer_size = ${csvBufferBytes(limits)}`])}`,
      ),
      rejectsTable: rejects,
    };
  }
  const array = `read_json(${sqlString(blob.path)}, format = 'array', records = false, columns = {'json': 'JSON'}, maximum_object_size = ${limits.maxLineBytes})`;
  return {
    sql: extract(subquery({ select: ["row_number() OVER () AS __row", "json::VARCHAR AS j"], from: array })),
    rawExpr,
    recordExpr: "j",
    rowColumn: true,
    // A JSON null element of an array arrives as SQL NULL: it must still get its reason.
    malformed: [
      "__malformed",
      `'RECORD_MALFORMED element ' || __row || ': not a JSON object: ' || coalesce(to_json(left(j, 60))::VARCHAR, 'null')`,
    ],
    fieldsSql: fieldsSql(`SELECT json::VARCHAR AS j FROM ${array}`),
    rejectsTable: "",
  };
}
