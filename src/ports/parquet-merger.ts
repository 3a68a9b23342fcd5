import type { RunFilter } from "../core/warehouse/compaction.js";

/** A Parquet file to copy rows from, and which of its runs' rows (every row when no filter). */
export interface MergeSource {
  readonly path: string;
  readonly filter?: RunFilter;
}

/**
 * Writes the rows of several Parquet files of one column layout into one new local Parquet file,
 * and returns the rows it wrote per `_run_id` (read back from the written file).
 */
export interface ParquetMerger {
  merge(sources: readonly MergeSource[], outPath: string): Promise<Map<string, number>>;
}
