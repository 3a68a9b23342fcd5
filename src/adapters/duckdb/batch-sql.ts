/**
 * SQL pieces of a staged batch: staging on disk, Parquet settings, lineage columns, rejected lines
 * and record ordinals.
 */
import * as path from "node:path";
import { BlobFormatError, QueryError } from "../../core/errors.js";
import { sqlString } from "../../core/sql.js";
import { subquery } from "../../core/sql-builder.js";
import type { LineageValues } from "../../ports/ingest-engine.js";
import { explainLargeElement } from "./array-elements.js";
import type { PreparedBlob, ReadLimits } from "./reader.js";
import { rowGroupRows } from "./sizing.js";

/**
 * Parquet settings: snappy (what Athena and every reader handle fastest; zstd measured 25% slower to
 * write), DuckDB's default row groups (larger groups measured 2.5× slower to write and hold more
 * memory), dictionary encoding and column statistics (DuckDB defaults).
 */
const PARQUET = "FORMAT parquet, COMPRESSION snappy";
export const parquet = (columns: number) => `${PARQUET}, ROW_GROUP_SIZE ${rowGroupRows(columns)}`;

/**
 * The staged file is scratch, written once and read back by the outputs and statistics: it is not
 * compressed (300 columns × 200k rows, one thread, three alternating pairs: staging 12.4–13.0 →
 * 11.3–11.5 s of CPU and the valid-row write from it 4.5–5.5 → 4.2–4.6 s; the file is 352 MB
 * instead of 218 MB). Its values, and so every output, are the same either way.
 */
export const stagedParquet = (columns: number) =>
  `FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE ${rowGroupRows(columns)}`;

/**
 * Staging on disk: the checked rows in file order (insertion order is preserved, so the file's row
 * number is the record's position) in a Parquet file in scratch, read back through a view. Not a
 * DuckDB database file: its table storage keeps a block per column per thread being filled, so 300
 * columns ran out of memory at 256 MB before a row was written, while Parquet row groups sized by
 * cells keep the writer's buffers small at any width.
 */
export function stageInParquet(planSql: string, scratch: string, columns: number): string[] {
  const file = sqlString(path.join(scratch, "staged.parquet"));
  return [
    `COPY (\n${planSql}\n) TO ${file} (${stagedParquet(columns)})`,
    `CREATE VIEW staged AS SELECT * FROM read_parquet(${file}, file_row_number = true)`,
  ];
}

/**
 * DuckDB raises "Invalid Input Error" when the bytes themselves cannot be read as the format (a JSON
 * array cut short, an object over the size limit): a property of the blob, so retrying cannot cure
 * it — the blob is rejected whole with DuckDB's position, rather than the run failing forever.
 */
export function unreadableBlob(key: string, blob: PreparedBlob, err: unknown): unknown {
  const detail =
    err instanceof QueryError
      ? /Invalid Input Error: ([\s\S]*)/.exec(String(err.data.engine ?? ""))?.[1]
      : undefined;
  if (detail === undefined) return err;
  return new BlobFormatError(key, `malformed ${blob.format}: ${detail.replaceAll(blob.path, key).trim()}`, {
    cause: err,
  });
}

/** The error staging `blob` failed with, as unreadableBlob words it (a JSON array's element located). */
export async function stagingFailure(
  key: string,
  blob: PreparedBlob,
  limits: ReadLimits,
  err: unknown,
): Promise<never> {
  throw blob.format === "json-array"
    ? await explainLargeElement(key, blob.path, limits.maxLineBytes, unreadableBlob(key, blob, err))
    : unreadableBlob(key, blob, err);
}

/** Columns lineageColumns adds to every output row. */
export const LINEAGE_COLUMNS = 7;

/** The lineage columns of an output row; `row` is the SQL of the record's ordinal (see rowPosition). */
export function lineageColumns(l: LineageValues, row: string): string[] {
  return [
    `TIMESTAMP ${sqlString(l.ingestedAt.toISOString().replace("Z", ""))} AS _ingested_at`,
    `${constantText(l.sourceKey)} AS _source_key`,
    `${constantText(l.sourceMd5)} AS _source_md5`,
    `${row} AS _source_row`,
    `${l.schemaVersion}::INTEGER AS _schema_version`,
    `${constantText(l.environment)} AS _environment`,
    `${constantText(l.runId)} AS _run_id`,
  ];
}

/**
 * A text value repeated on every row, as a one-value ENUM: DuckDB writes it straight into the Parquet
 * dictionary instead of hashing it row by row (measured: 0.59 s → 0.23 s for four such columns over
 * 3M rows). The file holds the same plain UTF8 strings (BYTE_ARRAY, dictionary-encoded) either way.
 */
export function constantText(value: string): string {
  const literal = sqlString(value);
  return `${literal}::ENUM(${literal})`;
}

/**
 * A rejected line's problem in a person's terms: a record over the line limit says its size and
 * the limit (DuckDB's "Maximum line size of N bytes exceeded. Actual Size:M bytes."); others keep
 * DuckDB's error type and message.
 */
const LINE_PROBLEM = `CASE WHEN error_type::VARCHAR = 'LINE SIZE OVER MAXIMUM' THEN 'record of ' || regexp_extract(error_message, 'Actual Size:\\s*([0-9]+)', 1) || ' bytes is longer than the limit of ' || regexp_extract(error_message, 'size of ([0-9]+) bytes', 1) || ' bytes for one record' ELSE lower(error_type::VARCHAR) || ': ' || error_message END`;

/**
 * DuckDB may log several errors for one bad line; a line is one record with one reason: its first
 * error. Each comes with its `ordinal` (its `_source_row`) and, in the reason, the line of the file
 * it starts on: from `positions` (line, ordinal, physical; see rejected-records.ts), which holds
 * every rejected line when the file was located, else DuckDB's `line` less the lines before the
 * first record (`header`).
 */
export function rejectedLines(table: string, header: number, positions?: string): string {
  const ordinal = positions ? "any_value(p.ordinal)" : `line - ${header}`;
  const shown = positions ? "p.physical" : "line";
  return subquery({
    select: [
      "line",
      `(${ordinal})::BIGINT AS ordinal`,
      `[arg_min('RECORD_MALFORMED line ' || ${shown} || ': ' || ${LINE_PROBLEM}, coalesce(column_idx, 0))] AS reasons`,
      "any_value(csv_line) AS csv_line",
    ],
    from: positions ? `${table} JOIN ${positions} AS p USING (line)` : table,
    groupBy: ["line"],
    orderBy: ["line"],
  });
}

/**
 * `_source_row` counts every record of the file, malformed ones included, the same rule as JSON
 * lines. The staged table holds only the well-formed CSV records (rowid = position among them), so
 * a record's ordinal is rowid + 1 plus the malformed records before it: the i-th malformed record
 * (ordinal b_i) precedes good record k exactly when b_i - i < k. Those thresholds are sorted, so
 * the count is a binary search, spelled out as nested CASEs (log2 of the malformed count deep).
 */
export function recordsBefore(malformedOrdinals: readonly number[], position = "rowid"): string {
  // threshold t_i = b_i - i (1-based i): how many good records precede the i-th malformed one.
  const thresholds = malformedOrdinals.map((b, i) => b - (i + 1));
  const node = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo);
    const mid = (lo + hi + 1) >> 1;
    return `CASE WHEN ${position} >= ${thresholds[mid - 1]} THEN ${node(mid, hi)} ELSE ${node(lo, mid - 1)} END`;
  };
  return node(0, thresholds.length);
}

/** `_source_row` of a staged record: see StagedBatch.rowExpr. `position` is its 0-based place among staged rows. */
export function rowPosition(
  rowColumn: boolean,
  position: string,
  malformedOrdinals: readonly number[],
): string {
  if (rowColumn) return "__row";
  if (malformedOrdinals.length === 0) return `(${position} + 1)`;
  return `(${position} + 1 + ${recordsBefore(malformedOrdinals, position)})`;
}

/** Lines before the first record: a CSV header; JSON lines have none. */
export function headerLines(blob: PreparedBlob): number {
  return blob.format === "csv" && blob.hasHeader !== false ? 1 : 0;
}
