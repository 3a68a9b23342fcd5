/**
 * The entity file of a training set (CSV, optionally gzipped, or Parquet): the entity key columns,
 * an event timestamp and optionally a label. Read once, in one pass, into a DuckDB temp table in
 * file order (insertion order is preserved, so its rowid is the record's position), keys cast to the
 * views' key types and the timestamp as UTC; `ENTITIES_TABLE` is a view adding `_row` (1-based
 * record number). Only the columns used are kept, and no raw copy of the file: at a million rows a
 * raw all-VARCHAR table beside the cast one held ~250 MB that the allocator kept after it was dropped.
 * A file that does not fit gets an error naming the file, the line (or row) and the reason.
 */
import * as path from "node:path";
import { LakelineError } from "../../core/errors.js";
import { ROW_COLUMN } from "../../core/features/history-sql.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import type { ColumnType } from "../../core/warehouse/table.js";
import type { ExportEngine } from "../../ports/query-engine.js";

export const ENTITIES_TABLE = sqlIdent("_lakeline_entities");
const ROWS_TABLE = sqlIdent("_lakeline_entities_rows");

export interface EntityColumns {
  /** Key columns with the warehouse type each must have. */
  readonly keys: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly timestamp: string;
  readonly label?: string;
}

/** The entity file does not fit: a usage error (exit 64) naming the file, line and reason. */
export class EntityFileError extends LakelineError {
  override readonly name = "EntityFileError";
  override readonly exitCode = 64;
  constructor(file: string, reason: string, line?: number) {
    super(`entity file ${file}${line !== undefined ? ` line ${line}` : ""}: ${reason}`, {
      file,
      line,
      reason,
    });
  }
}

function isCsv(file: string): boolean {
  return /\.(csv|tsv)(\.gz)?$/i.test(file);
}

function reader(file: string): string {
  if (/\.parquet$/i.test(file)) return `read_parquet(${sqlString(file)})`;
  if (isCsv(file)) return `read_csv(${sqlString(file)}, header = true, all_varchar = true)`;
  throw new EntityFileError(file, "not CSV (.csv, .tsv, .gz) or Parquet (.parquet)");
}

const DUCK: Record<string, string> = {
  bigint: "BIGINT",
  int: "INTEGER",
  double: "DOUBLE",
  string: "VARCHAR",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  date: "DATE",
};

/** How a file position reads to a person: CSV line (header is line 1) or Parquet row. */
function where(file: string, row: number): number {
  return isCsv(file) ? row + 1 : row;
}

/**
 * The entity rows, read once: the wanted columns cast (keys to the views' types, the timestamp to
 * UTC) and `_why`, the reason a row cannot be used (NULL when it can).
 */
/** The columns an entity file must have: its keys, its timestamp and the label if any. */
function wantedColumns(cols: EntityColumns): string[] {
  return [...cols.keys.map((k) => k.name), cols.timestamp, ...(cols.label ? [cols.label] : [])];
}

/** The rows table's name for the `index`-th wanted column (dataset columns never start with `_`). */
const keptColumn = (index: number) => `"__w${index}"`;

function rowsTableSql(cols: EntityColumns, source: string): string {
  const wanted = wantedColumns(cols);
  const q = sqlIdent;
  const text = `CAST(${q(cols.timestamp)} AS VARCHAR)`;
  // A plain TIMESTAMP cast reads "…Z" as UTC but drops any other offset, so values with one go
  // through TIMESTAMPTZ (ICU, much slower: only those rows).
  const offset = `(length(${text}) > 19 AND (contains(substr(${text}, 20), '+') OR contains(substr(${text}, 20), '-')))`;
  const ts = `CASE WHEN ${offset} THEN CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${text} AS TIMESTAMP) END`;
  const keyCast = (k: EntityColumns["keys"][number]) =>
    `TRY_CAST(${q(k.name)} AS ${DUCK[k.type.kind] ?? "VARCHAR"})`;
  // An unreadable timestamp or key is an error naming its line, not a NULL feature.
  const why = `coalesce(${[
    `CASE WHEN ${q(cols.timestamp)} IS NULL THEN 'no ${cols.timestamp} (every entity row needs a timestamp)' ` +
      `WHEN ${q("_ts")} IS NULL THEN ${text} || ' in ${cols.timestamp} is not an ISO 8601 timestamp' END`,
    ...cols.keys.map(
      (k) =>
        `CASE WHEN ${q(k.name)} IS NOT NULL AND ${q(`_k_${k.name}`)} IS NULL THEN CAST(${q(k.name)} AS VARCHAR) || ' in ${k.name} is not ${DUCK[k.type.kind] ?? k.type.kind}' END`,
    ),
  ].join(", ")})`;
  const casts = [...cols.keys.map((k) => `${keyCast(k)} AS ${q(`_k_${k.name}`)}`), `${ts} AS "_ts"`];
  // Stored by position (keptColumn), in wantedColumns' order: a column named `rowid` would hide the
  // table's row number, which numbers the file's lines.
  const kept = [
    ...cols.keys.map((k) => q(`_k_${k.name}`)),
    `"_ts"`,
    ...(cols.label ? [q(cols.label)] : []),
  ].map((c, i) => `${c} AS ${keptColumn(i)}`);
  return (
    `CREATE OR REPLACE TEMP TABLE ${ROWS_TABLE} AS SELECT ${kept.join(", ")}, ${why} AS "_why" FROM ` +
    `(SELECT ${wanted.map(q).join(", ")}, ${casts.join(", ")} FROM ${source}) AS "cast"`
  );
}

/**
 * A CSV file with a ragged line can defeat DuckDB's dialect sniffer, which then reads the file as
 * one column named by the whole header line, or takes a later line for the header. Read it again
 * as written (the first line's fields, no sniffing) so the error names the line and what is wrong
 * with it, instead of "missing columns".
 */
async function raggedCsvError(engine: ExportEngine, file: string): Promise<EntityFileError | undefined> {
  if (!isCsv(file)) return undefined;
  const delim = /\.tsv(\.gz)?$/i.test(file) ? "\t" : ",";
  const asWritten = (options: string) => `read_csv(${sqlString(file)}, auto_detect = false, ${options})`;
  try {
    const first = await engine.query(
      `SELECT "line" FROM ${asWritten(`header = false, delim = '\x01', quote = '', escape = '', columns = {'line': 'VARCHAR'}`)} LIMIT 1`,
    );
    const headerLine = String(first.rows[0]?.line ?? "");
    // A quoted header could hold the delimiter: counting its fields would need the parser itself.
    if (headerLine.includes('"')) return undefined;
    const columns = headerLine
      .split(delim)
      .map((_field, i) => `${sqlString(`c${i}`)}: 'VARCHAR'`)
      .join(", ");
    await engine.query(
      `SELECT count(*) FROM ${asWritten(`header = true, delim = ${sqlString(delim)}, quote = '"', escape = '"', columns = {${columns}}`)}`,
    );
    return undefined;
  } catch (err) {
    // The engine's whole text (the message keeps only its first line).
    const text = String((err as LakelineError).data?.engine ?? (err as Error).message);
    const line = /CSV Error on Line: (\d+)/.exec(text)?.[1];
    const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
    if (!line || !counts) return undefined;
    const reason = `${counts[2]} field(s) where the header has ${counts[1]} (a missing or extra delimiter, or an unclosed quote)`;
    return new EntityFileError(path.basename(file), reason, Number(line));
  }
}

function missingColumns(
  name: string,
  missing: readonly string[],
  present: ReadonlySet<string>,
): EntityFileError {
  return new EntityFileError(
    name,
    `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (has: ${[...present].join(", ")})`,
  );
}

/**
 * Create the entity table; returns its row count. Timestamps are read as ISO 8601 (an offset is
 * applied; none means UTC) and stored as UTC TIMESTAMP, as warehouse timestamps are.
 */
export async function loadEntities(engine: ExportEngine, file: string, cols: EntityColumns): Promise<number> {
  const exec = (sql: string) => (engine.execute ? engine.execute(sql) : engine.query(sql).then(() => {}));
  const name = path.basename(file);
  const source = reader(file);
  let present: Set<string>;
  try {
    present = new Set(
      (await engine.query(`DESCRIBE SELECT * FROM ${source}`)).rows.map((r) => String(r.column_name)),
    );
  } catch (err) {
    throw new EntityFileError(name, `cannot be read: ${(err as Error).message.split("\n")[0]}`);
  }
  const wanted = wantedColumns(cols);
  const missing = wanted.filter((c) => !present.has(c));
  if (missing.length > 0)
    throw (await raggedCsvError(engine, file)) ?? missingColumns(name, missing, present);
  try {
    await exec(rowsTableSql(cols, source));
  } catch (err) {
    throw new EntityFileError(name, `cannot be read: ${(err as Error).message.split("\n")[0]}`);
  }
  const bad = await engine.query(
    `SELECT rowid + 1 AS "_r", "_why" FROM ${ROWS_TABLE} WHERE "_why" IS NOT NULL ORDER BY rowid LIMIT 1`,
  );
  const first = bad.rows[0];
  if (first) throw new EntityFileError(name, String(first._why), where(file, Number(first._r)));
  await exec(
    `CREATE OR REPLACE TEMP VIEW ${ENTITIES_TABLE} AS SELECT ${wanted.map((c, i) => `${keptColumn(i)} AS ${sqlIdent(c)}`).join(", ")}, rowid + 1 AS ${sqlIdent(ROW_COLUMN)} FROM ${ROWS_TABLE}`,
  );
  const n = await engine.query(`SELECT count(*) AS "n" FROM ${ROWS_TABLE}`);
  return Number(n.rows[0]?.n ?? 0);
}

/** Column types of the entity table (for the split key and the manifest). */
export async function entityColumnTypes(engine: ExportEngine): Promise<Map<string, string>> {
  const d = await engine.query(`DESCRIBE ${ENTITIES_TABLE}`);
  return new Map(d.rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

/** Statements freeing the loaded entity rows, once a table derived from them holds what is needed. */
export function dropEntitiesSql(): string[] {
  return [`DROP VIEW IF EXISTS ${ENTITIES_TABLE}`, `DROP TABLE IF EXISTS ${ROWS_TABLE}`];
}
