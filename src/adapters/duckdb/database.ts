/**
 * DuckDB, embedded: one small wrapper so the rest of the engine runs SQL and gets plain JS rows.
 * Settings keep it a good Lambda citizen: bounded memory with spilling to scratch, UTC time.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { ENV, memoryBytes } from "../../contract/env.js";
import { engineMessage } from "../../core/engine-errors.js";
import { QueryError } from "../../core/errors.js";
import type { EngineOptions } from "../../ports/ingest-engine.js";

export { memoryBytes };

/** DuckDB's settings are the ingest engine's options (memory_limit is `memoryLimit`). */
export type DatabaseOptions = EngineOptions;

export type Row = Record<string, unknown>;

/**
 * DuckDB defaults to 80% of RAM; lakeline runs beside Node in a Lambda-sized budget, so operators
 * spill to the temp directory beyond this instead.
 */
export const DEFAULT_MEMORY_LIMIT = "256MB";

/**
 * A training set's limit: its joins run one view at a time and its sorts spill, so a smaller pool
 * costs little time, and what the pool does not take is headroom beside Node (1M entity rows × 3
 * views peak near 390 MiB RSS at this limit, near 510 MiB at the default).
 */
export const TRAINING_SET_MEMORY_LIMIT = "160MB";

/**
 * An export's limit: its one sort (the ordered snapshot) spills beyond it. Measured on 3M flights
 * rows, 2 threads: peak RSS 485–493 MB at the default, 360–385 MB at this limit, in the same time
 * (3.6–3.8 s) and with the same bytes; the peak at the default came near 512 MB whenever both
 * threads sorted at once.
 */
export const EXPORT_MEMORY_LIMIT = "160MB";

export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** A fork shares its parent's instance and closes only its own connection. */
    private readonly ownsInstance = true,
    private readonly memoryLimit = DEFAULT_MEMORY_LIMIT,
  ) {}

  /** The engine's error as a QueryError a person can act on; the raw text stays in `data.engine`. */
  private failure(sql: string, err: unknown): QueryError {
    const raw = (err as Error)?.message ?? String(err);
    return new QueryError(
      engineMessage(raw, {
        memoryLimit: this.memoryLimit,
        memoryVariable: ENV.duckdbMemory,
        debugVariable: ENV.debug,
      }),
      { sql: sql.slice(0, 2000), engine: raw },
      { cause: err },
    );
  }

  /** A second connection to the same database, so two queries can run at once. */
  async fork(): Promise<Database> {
    const connection = await this.instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new Database(this.instance, connection, false, this.memoryLimit);
  }

  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    config.memory_limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    // Freed memory goes back to the system from a background thread instead of waiting in each
    // worker's allocator cache (up to 128 MiB each): peak RSS of a 9M-row CSV ingest 336–408 MB →
    // 300–324 MB over 5 alternating runs, 300 columns × 200k rows 691 → 595 MB, same CPU.
    config.allocator_background_threads = "true";
    // Loaded on first use: the native module costs ~0.25 s, which commands like `hash` never need.
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(options.path ?? ":memory:", config);
    const connection = await instance.connect();
    // ICU is statically linked but only loaded after the first connection exists.
    await connection.run("SET TimeZone = 'UTC'");
    return new Database(instance, connection, true, config.memory_limit);
  }

  /** Run statements for their effect. */
  async exec(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (err) {
      throw this.failure(sql, err);
    }
  }

  /** Rows as plain objects; BIGINT arrives as bigint, TIMESTAMPTZ as Date, lists as arrays. */
  async all(sql: string): Promise<Row[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Row[];
    } catch (err) {
      throw this.failure(sql, err);
    }
  }

  /** Rows and column types from one execution of the statement. */
  async query(sql: string): Promise<{ columns: { name: string; type: string }[]; rows: Row[] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      const columns = reader
        .columnNames()
        .map((name, i) => ({ name, type: reader.columnType(i).toString() }));
      return { columns, rows: reader.getRowObjectsJS() as Row[] };
    } catch (err) {
      throw this.failure(sql, err);
    }
  }

  /** Rows of text or NULL appended to a table whose columns are all VARCHAR (no statement parsed per row). */
  async append(table: string, rows: readonly (readonly (string | null)[])[]): Promise<void> {
    try {
      const appender = await this.connection.createAppender(table);
      try {
        for (const row of rows) {
          for (const value of row) {
            if (value === null) appender.appendNull();
            else appender.appendVarchar(value);
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    } catch (err) {
      throw this.failure(`append to ${table}`, err);
    }
  }

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}
