/**
 * One blob, staged once in DuckDB: parsed, typed and checked row by row in a single pass; then
 * statistics, the warehouse Parquet (valid rows) and the quarantine Parquet (everything else,
 * with reasons) are each one scan of the staged table.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { BlobFormatError, QueryError } from "../../core/errors.js";
import { type DatasetSchema, isList } from "../../core/schema/types.js";
import { sqlString } from "../../core/sql.js";
import { BAD_ROW, type FeaturePlan, rowValidationPlan } from "../../core/validate/row-sql.js";
import { Database, type DatabaseOptions, DEFAULT_MEMORY_LIMIT, memoryBytes } from "./database.js";
import {
  estimateRecords,
  type PreparedBlob,
  prepareBlob,
  type ReadLimits,
  sourceRelation,
} from "./reader.js";
import { type StagedStatistics, stagedStatistics } from "./statistics.js";

export interface LineageValues {
  readonly ingestedAt: Date;
  readonly sourceKey: string;
  readonly sourceMd5: string;
  readonly schemaVersion: number;
  readonly environment: string;
  readonly runId: string;
}

export interface MalformedRecord {
  readonly line: number;
  readonly reason: string;
}

/**
 * Parquet settings: snappy (what Athena and every reader handle fastest; zstd measured 25% slower to
 * write), DuckDB's default row groups (larger groups measured 2.5× slower to write and hold more
 * memory), dictionary encoding and column statistics (DuckDB defaults).
 */
const PARQUET = "FORMAT parquet, COMPRESSION snappy";
const parquet = (columns: number) => `${PARQUET}, ROW_GROUP_SIZE ${rowGroupRows(columns)}`;

/** Columns lineageSelect adds to every output row. */
const LINEAGE_COLUMNS = 7;

export class StagedBatch {
  private closed = false;

  private constructor(
    private readonly db: Database,
    readonly blob: PreparedBlob,
    readonly plans: readonly FeaturePlan[],
    private readonly rejectsTable: string,
    /** Fields found in the blob: the CSV header, or keys seen in the first JSON records. */
    readonly sourceFields: readonly string[],
    readonly malformedCount: number,
    /**
     * The record's 1-based position in the blob: its line for CSV and JSON lines, staged in file order
     * without a window (which would serialise the scan), so the staged table's rowid (or the staged
     * Parquet file's row number) is the position; its element for a JSON array, numbered in SQL.
     */
    readonly rowExpr: string,
  ) {}

  static async stage(args: {
    key: string;
    localPath: string;
    scratch: string;
    schema: DatasetSchema;
    environment: string;
    limits: ReadLimits;
    database?: DatabaseOptions;
    /** Where to keep the staged table; by default chosen from the blob's size (see stagesOnDisk). */
    staging?: "memory" | "disk";
  }): Promise<StagedBatch> {
    const blob = await prepareBlob(args.key, args.localPath, args.scratch, args.limits);
    const staged = {
      records: await estimateRecords(blob.path),
      rowBytes: stagedRowBytes(args.schema),
      columns: args.schema.features.length + 2,
    };
    const columns = Math.max(staged.columns, blob.header?.length ?? 0);
    const memoryLimit = widthMemoryLimit(columns, args.database);
    const database: DatabaseOptions = {
      ...args.database,
      memoryLimit,
      ...(wideForThreads(columns, memoryLimit) ? { threads: 1 } : {}),
    };
    const onDisk = (args.staging ?? (stagesOnDisk(staged, database) ? "disk" : "memory")) === "disk";
    const db = await Database.open({ tempDirectory: `${args.scratch}/duckdb`, ...database });
    try {
      const suffix = randomBytes(4).toString("hex");
      const names = args.schema.features.map((f) => f.name);
      const source = sourceRelation(blob, names, suffix, args.limits);
      const plan = rowValidationPlan({
        schema: args.schema,
        environment: args.environment,
        rawExpr: (f) => source.rawExpr(f.name),
        source: source.sql,
        rowColumn: source.rowColumn === true,
        json: blob.format !== "csv",
        recordExpr: source.recordExpr,
        ...(source.malformed ? { malformed: source.malformed } : {}),
        ...(source.skip ? { skip: source.skip } : {}),
      });
      const statements = onDisk
        ? stageInParquet(plan.sql, args.scratch, staged.columns)
        : [`CREATE TABLE staged AS ${plan.sql}`];
      for (const sql of statements)
        await db.exec(sql).catch((err: unknown) => {
          throw unreadableBlob(args.key, blob, err);
        });
      const malformed = source.rejectsTable
        ? Number((await db.all(`SELECT count(DISTINCT line) AS n FROM ${source.rejectsTable}`))[0]?.n ?? 0)
        : 0;
      const sourceFields =
        blob.header ?? (source.fieldsSql ? (await db.all(source.fieldsSql)).map((r) => String(r.k)) : []);
      return new StagedBatch(
        db,
        blob,
        plan.features,
        source.rejectsTable,
        sourceFields,
        malformed,
        source.rowColumn === true ? "__row" : onDisk ? "(file_row_number + 1)" : "(rowid + 1)",
      );
    } catch (err) {
      db.close();
      throw err;
    }
  }

  statistics(): Promise<StagedStatistics> {
    return stagedStatistics(
      this.db,
      "staged",
      this.plans,
      this.blob.format === "csv" ? "false" : "__bad_record",
    );
  }

  private lineageSelect(l: LineageValues, row: string): string {
    return [
      `TIMESTAMP ${sqlString(l.ingestedAt.toISOString().replace("Z", ""))} AS _ingested_at`,
      `${constantText(l.sourceKey)} AS _source_key`,
      `${constantText(l.sourceMd5)} AS _source_md5`,
      `${row} AS _source_row`,
      `${l.schemaVersion}::INTEGER AS _schema_version`,
      `${constantText(l.environment)} AS _environment`,
      `${constantText(l.runId)} AS _run_id`,
    ].join(", ");
  }

  /**
   * Staging needed insertion order (rowid = position); the outputs do not (rows carry _source_row,
   * exports sort), and writing without it measured ~100 MB less peak memory.
   */
  private async unordered(): Promise<void> {
    await this.db.exec("SET preserve_insertion_order = false");
  }

  /**
   * Valid rows → Parquet at `path`; returns the row count. It runs on its own connection (the staged
   * table is a plain table of the in-memory database), so statistics can be computed meanwhile.
   */
  async writeValid(path: string, lineage: LineageValues): Promise<number> {
    const cols = this.plans.map((p) => `"${p.feature.column.replaceAll('"', '""')}"`).join(", ");
    const writer = await this.db.fork();
    try {
      await writer.exec("SET preserve_insertion_order = false");
      const rows = await writer.all(
        `COPY (SELECT ${cols}, ${this.lineageSelect(lineage, this.rowExpr)} FROM staged WHERE __ok) TO ${sqlString(path)} (${parquet(this.plans.length + LINEAGE_COLUMNS)})`,
      );
      return Number(rows[0]?.Count ?? 0);
    } finally {
      writer.close();
    }
  }

  /** Rejected rows and malformed records → Parquet at `path`; returns the row count. */
  async writeQuarantine(path: string, lineage: LineageValues): Promise<number> {
    await this.unordered();
    const parts = [
      `SELECT ${BAD_ROW.reasons(this.rowExpr)} AS _reasons, ${BAD_ROW.record} AS _record, ${this.lineageSelect(lineage, this.rowExpr)} FROM staged WHERE NOT __ok`,
    ];
    if (this.rejectsTable)
      parts.push(
        `SELECT reasons AS _reasons, csv_line AS _record, ${this.lineageSelect(lineage, "NULL::BIGINT")} FROM ${rejectedLines(this.rejectsTable)}`,
      );
    const rows = await this.db.all(
      `COPY (${parts.join(" UNION ALL ")}) TO ${sqlString(path)} (${parquet(2 + LINEAGE_COLUMNS)})`,
    );
    return Number(rows[0]?.Count ?? 0);
  }

  /** A few rejected rows with their reasons, for people reading CLI output. */
  async sampleRejected(limit = 5): Promise<{ row: number | null; reasons: string[] }[]> {
    const parts = [
      `SELECT ${this.rowExpr} AS row, ${BAD_ROW.reasons(this.rowExpr)} AS reasons FROM staged WHERE NOT __ok`,
    ];
    if (this.rejectsTable)
      parts.push(`SELECT NULL::BIGINT, reasons FROM ${rejectedLines(this.rejectsTable)}`);
    const rows = await this.db.all(`SELECT * FROM (${parts.join(" UNION ALL ")}) LIMIT ${limit}`);
    return rows.map((r) => ({
      row: r.row === null ? null : Number(r.row),
      reasons: (r.reasons as string[]) ?? [],
    }));
  }

  /** Frees the database; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * Staging on disk: the checked rows in file order (insertion order is preserved, so the file's row
 * number is the record's position) in a Parquet file in scratch, read back through a view. Not a
 * DuckDB database file: its table storage keeps a block per column per thread being filled, so 300
 * columns ran out of memory at 256 MB before a row was written, while Parquet row groups sized by
 * cells keep the writer's buffers small at any width.
 */
function stageInParquet(planSql: string, scratch: string, columns: number): string[] {
  const file = sqlString(path.join(scratch, "staged.parquet"));
  return [
    `COPY (${planSql}) TO ${file} (${parquet(columns)})`,
    `CREATE VIEW staged AS SELECT * FROM read_parquet(${file}, file_row_number = true)`,
  ];
}

/**
 * Bytes an in-memory staged table holds for one record: 8 per number or timestamp, 16 per text or
 * list (DuckDB's string header, short strings inline), 1 for __ok, 16 for __bad (NULL on good rows).
 */
export function stagedRowBytes(schema: DatasetSchema): number {
  let bytes = 1 + 16;
  for (const f of schema.features)
    bytes += isList(f) || f.type === "STRING" || f.type === "BYTES" ? 16 : f.type === "BOOL" ? 1 : 8;
  return bytes;
}

/**
 * What staging a column costs besides its values: each of DuckDB's threads fills its own blocks of
 * every column while the table is built (measured: 100 columns × 200k rows, 230 MB of values, spilled
 * page by page at a 256 MB limit).
 */
const COLUMN_OVERHEAD_BYTES = 1 << 20;

/**
 * Where the staged table lives, decided by its cells (records × columns, each at its type's width),
 * not by blob bytes: a 300-column table of short values is small on disk and large in memory. In
 * memory the table is uncompressed; one that would not fit in 90% of DuckDB's memory limit is staged
 * in a database file in scratch instead, which DuckDB compresses as it writes (about 0.2× the CSV),
 * so memory no longer grows with rows or columns. Measured on flights (2 cores): at 9M rows the file
 * is as fast as spilling an in-memory table and peaks 150 MB lower; at 3M rows (about 220 MB staged)
 * memory is 0.3 s faster. 100 columns × 200k rows in memory took 24 s to stage, then ran out of memory.
 */
export function stagesOnDisk(
  staged: { records: number; rowBytes: number; columns: number },
  database: DatabaseOptions = {},
): boolean {
  const bytes = staged.records * staged.rowBytes + staged.columns * COLUMN_OVERHEAD_BYTES;
  return bytes > 0.9 * memoryBytes(database.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
}

/**
 * What DuckDB's CSV reader and Parquet writer hold per column, whatever the row count (buffers and
 * dictionaries per column and thread): measured on 300 columns × 200k rows, staging failed at a
 * 256 MB limit and passed at 512 MB.
 */
const MEMORY_PER_COLUMN = 1.75 * 2 ** 20;

/**
 * DuckDB's memory limit for a blob of `columns` columns: the one configured (LAKELINE_DUCKDB_MEMORY)
 * if any; otherwise the default, raised for tables wider than about 150 columns by their per-column
 * buffers (300 columns: 551 MB).
 */
export function widthMemoryLimit(columns: number, database: DatabaseOptions = {}): string {
  if (database.memoryLimit) return database.memoryLimit;
  const bytes = Math.max(memoryBytes(DEFAULT_MEMORY_LIMIT), columns * MEMORY_PER_COLUMN);
  return `${Math.ceil(bytes / 1e6)}MB`;
}

/**
 * Whether a table is too wide for more than one DuckDB worker: each thread holds its own per-column
 * buffers, so past half the memory limit two threads thrash the buffer manager. Measured on 100
 * columns × 200k rows at 256 MB: staging with 2 threads ran out of memory after 25 s of CPU, with 1
 * thread it took 5 s of CPU. The writing of valid rows and the statistics still run side by side, on
 * two connections.
 */
export function wideForThreads(columns: number, memoryLimit: string): boolean {
  return columns * MEMORY_PER_COLUMN * 2 > memoryBytes(memoryLimit) / 2;
}

/** Cells of a Parquet row group: DuckDB's default 122,880 rows of a dozen columns. */
const ROW_GROUP_CELLS = 1_500_000;

/**
 * Parquet row groups sized by cells: the writer holds a whole row group per thread before it flushes,
 * so with DuckDB's fixed 122,880 rows a 300-column table needs gigabytes. Narrow tables keep the
 * default.
 */
export function rowGroupRows(columns: number): number {
  return Math.max(2_048, Math.min(122_880, Math.floor(ROW_GROUP_CELLS / Math.max(columns, 1))));
}

/**
 * DuckDB raises "Invalid Input Error" when the bytes themselves cannot be read as the format (a JSON
 * array cut short, an object over the size limit): a property of the blob, so retrying cannot cure
 * it — the blob is rejected whole with DuckDB's position, rather than the run failing forever.
 */
function unreadableBlob(key: string, blob: PreparedBlob, err: unknown): unknown {
  const detail =
    err instanceof QueryError ? /Invalid Input Error: ([\s\S]*)/.exec(err.message)?.[1] : undefined;
  if (detail === undefined) return err;
  return new BlobFormatError(key, `malformed ${blob.format}: ${detail.replaceAll(blob.path, key).trim()}`, {
    cause: err,
  });
}

/**
 * A text value repeated on every row, as a one-value ENUM: DuckDB writes it straight into the Parquet
 * dictionary instead of hashing it row by row (measured: 0.59 s → 0.23 s for four such columns over
 * 3M rows). The file holds the same plain UTF8 strings (BYTE_ARRAY, dictionary-encoded) either way.
 */
function constantText(value: string): string {
  const literal = sqlString(value);
  return `${literal}::ENUM(${literal})`;
}

/** DuckDB may log several errors for one bad line; a line is one record, with all its reasons. */
function rejectedLines(table: string): string {
  return `(SELECT line, list(DISTINCT 'RECORD_MALFORMED line ' || line || ': ' || lower(error_type::VARCHAR) || ': ' || error_message) AS reasons, any_value(csv_line) AS csv_line FROM ${table} GROUP BY line ORDER BY line)`;
}
