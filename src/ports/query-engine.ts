/** SQL over the warehouse: DuckDB on the local lake, Athena in AWS. */
export interface QueryColumn {
  readonly name: string;
  /** Engine type name, upper-case (BIGINT, DOUBLE, VARCHAR, TIMESTAMP …). */
  readonly type: string;
}

export type QueryValue =
  | string
  | number
  | boolean
  | null
  | bigint
  | Date
  | QueryValue[]
  | { [k: string]: QueryValue };

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly Record<string, QueryValue>[];
  /** Engine-specific statistics (bytes scanned, execution time …). */
  readonly stats?: Readonly<Record<string, number>>;
}

export interface QueryEngine {
  readonly name: "duckdb" | "athena";
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** A QueryEngine, optionally able to run a statement without fetching results (DuckDB: no double run). */
export interface ExportEngine extends QueryEngine {
  execute?(sql: string): Promise<void>;
}
