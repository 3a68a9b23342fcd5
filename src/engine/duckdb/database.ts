/**
 * DuckDB, embedded: one small wrapper so the rest of the engine runs SQL and gets plain JS rows.
 * Settings keep it a good Lambda citizen: bounded memory with spilling to scratch, UTC time.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { engineMessage } from "../../core/engine-errors.js";
import { QueryError } from "../../core/errors.js";

export interface DatabaseOptions {
  /** Worker threads (default: all cores). */
  readonly threads?: number;
  /** DuckDB memory_limit, e.g. "256MB"; beyond it operators spill to `tempDirectory`. */
  readonly memoryLimit?: string;
  readonly tempDirectory?: string;
  /** Database file; default in-memory. */
  readonly path?: string;
}

export type Row = Record<string, unknown>;

/**
 * DuckDB defaults to 80% of RAM; lakeline runs beside Node in a Lambda-sized budget, so operators
 * spill to the temp directory beyond this instead.
 */
export const DEFAULT_MEMORY_LIMIT = "256MB";

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** Bytes of a DuckDB memory setting such as "256MB" or "1GiB" (DuckDB's units: MB = 10^6 bytes). */
export function memoryBytes(setting: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(setting);
  const unit = UNITS[(m?.[2] || "B").toUpperCase()];
  if (!m || unit === undefined)
    throw new Error(`not a memory size: ${JSON.stringify(setting)} (e.g. 256MB, 1GiB)`);
  return Number(m[1]) * unit;
}

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
      engineMessage(raw, this.memoryLimit),
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

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}
