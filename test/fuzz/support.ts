/** Staging generated text through the real DuckDB batch, for the property tests. */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { StagedBatch } from "../../src/adapters/duckdb/batch.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import type { DatasetSchema } from "../../src/core/schema/types.js";
import { tempDir } from "../support/temp.js";

/** Runs per property: enough to find the shapes that break a reader, small enough to keep each file to seconds. */
export const RUNS = Number(process.env.LAKELINE_FUZZ_RUNS ?? 40);
export const SEED = Number(process.env.LAKELINE_FUZZ_SEED ?? 20240601);

export interface Staged {
  readonly rowsRead: number;
  readonly rowsValid: number;
  readonly rowsQuarantined: number;
  /** Valid rows as written to the warehouse Parquet, by source row. */
  readonly valid: Record<string, unknown>[];
  /** Quarantined rows: source row (NULL for unparseable lines) and reasons. */
  readonly quarantined: { row: number | null; reasons: string[] }[];
}

const LINEAGE = {
  ingestedAt: new Date("2024-06-01T00:00:00Z"),
  sourceKey: "fuzz/training/blob",
  sourceMd5: "0".repeat(32),
  schemaVersion: 1,
  environment: "TRAINING",
  runId: "00000000-0000-5000-8000-000000000000",
};

async function readParquet(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await Database.open({ threads: 1 });
  try {
    return await db.all(sql.replace("$file", `read_parquet('${file.replaceAll("'", "''")}')`));
  } finally {
    db.close();
  }
}

/** Stage `bytes` as a blob named `name`, write both outputs, and read them back. */
export async function stage(name: string, bytes: string | Buffer, schema: DatasetSchema): Promise<Staged> {
  const scratch = await tempDir("fuzz");
  try {
    const file = path.join(scratch, name);
    await fs.writeFile(file, bytes);
    const batch = await StagedBatch.stage({
      key: `fuzz/training/${name}`,
      localPath: file,
      scratch,
      schema,
      environment: "TRAINING",
      limits: DEFAULT_LIMITS,
      database: { threads: 1 },
    });
    try {
      const stats = await batch.statistics();
      const validFile = path.join(scratch, "valid.parquet");
      const quarantineFile = path.join(scratch, "quarantine.parquet");
      const written = await batch.writeValid(validFile, LINEAGE);
      const quarantinedCount = await batch.writeQuarantine(quarantineFile, LINEAGE);
      const cols = schema.features.map((f) => `"${f.column}"`).join(", ");
      const valid =
        written > 0
          ? await readParquet(validFile, `SELECT _source_row, ${cols} FROM $file ORDER BY _source_row`)
          : [];
      const quarantined =
        quarantinedCount > 0
          ? await readParquet(quarantineFile, "SELECT _source_row AS row, _reasons AS reasons FROM $file")
          : [];
      return {
        rowsRead: stats.rows + batch.malformedCount,
        rowsValid: stats.rowsValid,
        rowsQuarantined: stats.rows - stats.rowsValid + batch.malformedCount,
        valid: valid.map((r) => ({ ...r, _source_row: Number(r._source_row) })),
        quarantined: quarantined.map((q) => ({
          row: q.row === null ? null : Number(q.row),
          reasons: q.reasons as string[],
        })),
      };
    } finally {
      batch.close();
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
