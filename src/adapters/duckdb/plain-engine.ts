/** A DuckDB QueryEngine with no tables of its own: for reading Parquet files by path (read_parquet). */
import type { QueryEngine } from "../../ports/query-engine.js";
import { Database, type DatabaseOptions } from "./database.js";

export async function openPlainEngine(options: DatabaseOptions = {}): Promise<QueryEngine> {
  const db = await Database.open({ threads: 1, ...options });
  return {
    name: "duckdb",
    query: async (sql) => {
      const { columns, rows } = await db.query(sql);
      return { columns, rows: rows as never };
    },
    close: async () => db.close(),
  };
}
