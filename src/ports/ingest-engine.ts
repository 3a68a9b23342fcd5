/**
 * The ingest engine: stages one local blob (parse, type, check every row once) and then gives its
 * measurements, its valid rows and its rejected rows. DuckDB implements it (adapters/duckdb); the
 * pipeline sees only this.
 */
import type { DatasetSchema } from "../core/schema/types.js";
import type { DatasetStatistics } from "../core/stats/types.js";
import type { AnomalyType } from "../core/validate/anomaly.js";

export type BlobFormat = "csv" | "jsonl" | "json-array";

export interface ReadLimits {
  /** Largest decompressed size accepted from a gzip blob (gzip-bomb guard). */
  readonly maxDecompressedBytes: number;
  /** Longest record accepted; longer ones are quarantined as malformed. */
  readonly maxLineBytes: number;
}

/** Engine tuning a deployment may set. */
export interface EngineOptions {
  /** Worker threads (default: all cores). */
  readonly threads?: number;
  /** Memory limit, e.g. "256MB"; beyond it operators spill to `tempDirectory`. */
  readonly memoryLimit?: string;
  readonly tempDirectory?: string;
  /** Database file; default in-memory. */
  readonly path?: string;
}

/** The lineage columns every output row carries. */
export interface LineageValues {
  readonly ingestedAt: Date;
  readonly sourceKey: string;
  readonly sourceMd5: string;
  readonly schemaVersion: number;
  readonly environment: string;
  readonly runId: string;
}

export interface RowCodeCount {
  readonly feature: string;
  readonly code: AnomalyType;
  readonly rows: number;
}

/** What one scan of the staged records measured. */
export interface MeasuredBatch {
  readonly statistics: DatasetStatistics;
  /** Records that could not be parsed, plus staged rows that were not records at all. */
  readonly malformed: number;
  readonly codeCounts: readonly RowCodeCount[];
  readonly sourceFields: readonly string[];
  readonly duplicateFields: readonly string[];
}

export interface StagedRecords {
  readonly format: BlobFormat;
  measure(args: { dataset: string; schemaVersion: number; environment: string }): Promise<MeasuredBatch>;
  /** Writes the valid rows as Parquet; their count. */
  writeValid(file: string, lineage: LineageValues): Promise<number>;
  /** Writes the rejected rows with their reasons as Parquet; their count. */
  writeQuarantine(file: string, lineage: LineageValues): Promise<number>;
  sampleRejected(limit?: number): Promise<{ row: number | null; reasons: string[] }[]>;
  /** Returns the engine's memory; idempotent. */
  close(): void;
}

export interface StageRequest {
  readonly key: string;
  readonly localPath: string;
  readonly scratch: string;
  readonly schema: DatasetSchema;
  readonly environment: string;
  readonly limits?: ReadLimits;
  readonly options?: EngineOptions;
}

export interface IngestEngine {
  /** Rejects with a BlobFormatError when the blob cannot be read as records at all. */
  stage(request: StageRequest): Promise<StagedRecords>;
}
