/**
 * The compaction writer on the embedded lake: DuckDB copies the rows of several committed Parquet
 * files of one column layout into one file, in input order, with the warehouse's Parquet settings.
 */
import { sqlString } from "../../core/sql.js";
import { runFilterSql } from "../../core/warehouse/views.js";
import type { MergeSource, ParquetMerger } from "../../ports/parquet-merger.js";
import { parquet } from "./batch-sql.js";
import { Database, type DatabaseOptions } from "./database.js";

/**
 * The columns as stored, never a Hive column from the path (`ingest_date` comes from the folder of
 * whichever file is read, run file or compacted file).
 */
const read = (paths: readonly string[]) =>
  `read_parquet([${paths.map(sqlString).join(", ")}], hive_partitioning = false)`;

export class DuckDbParquetMerger implements ParquetMerger {
  constructor(private readonly options: DatabaseOptions = {}) {}

  async merge(sources: readonly MergeSource[], outPath: string): Promise<Map<string, number>> {
    // One thread: copying 1,000 small files of 100 rows took 0.95 s CPU and 227 MB peak on one
    // thread against 1.75 s and 333 MB on two (opening a file costs the same; threads only add
    // coordination). It runs after an ingest has committed: CPU and memory matter more than wall.
    const db = await Database.open({ threads: 1, ...this.options });
    try {
      const plain = sources.filter((s) => !s.filter).map((s) => s.path);
      const selects = [
        ...(plain.length > 0 ? [`SELECT * FROM ${read(plain)}`] : []),
        ...sources
          .filter((s) => s.filter)
          .map((s) => `SELECT * FROM ${read([s.path])} WHERE ${runFilterSql(s.filter!)}`),
      ];
      const columns = await db.all(`DESCRIBE ${selects[0]}`);
      await db.exec(
        `COPY (${selects.join(" UNION ALL BY NAME ")}) TO ${sqlString(outPath)} (${parquet(columns.length)})`,
      );
      const counts = await db.all(`SELECT _run_id AS run, count(*) AS n FROM ${read([outPath])} GROUP BY 1`);
      return new Map(counts.map((r) => [String(r.run), Number(r.n)]));
    } finally {
      db.close();
    }
  }
}
