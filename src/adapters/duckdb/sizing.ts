/**
 * How big a blob's work is for DuckDB, in cells rather than bytes: where its staged table lives, the
 * memory limit and threads a wide table needs, and the rows of a Parquet row group.
 */
import { availableParallelism } from "node:os";
import { type DatasetSchema, isList } from "../../core/schema/types.js";
import { type DatabaseOptions, DEFAULT_MEMORY_LIMIT, memoryBytes } from "./database.js";

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
 * in a Parquet file in scratch instead (see stageInParquet), so memory no longer grows with rows. Measured on flights (2 cores): at 9M rows the file
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
 * Whether a table given one DuckDB worker has room to be staged in two parts at once (see
 * split-staging.ts): each part's CSV reader holds buffers of its own for every column (a few of
 * 32 MiB besides), so the limit must be what widthMemoryLimit sizes for the width, at least. Measured:
 * 300 columns at 551 MB (that size) staged in parts in 600–700 MB peak RSS; at 256 MB, and 100
 * columns at 96 MB, two parts ran out of memory. Only with a second core to run the second part.
 */
export function roomForParts(columns: number, memoryLimit: string, cores = availableParallelism()): boolean {
  // On one core the second part would wait for the first: more CPU and memory, no less wall.
  return cores > 1 && memoryBytes(memoryLimit) >= memoryBytes(widthMemoryLimit(columns));
}
