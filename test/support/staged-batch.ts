/** Staging a file for the DuckDB batch tests: the usual stage arguments, lineage values and plans. */
import * as path from "node:path";
import { StagedBatch } from "../../src/adapters/duckdb/batch.js";
import type { DatabaseOptions } from "../../src/adapters/duckdb/database.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import type { Staging } from "../../src/adapters/duckdb/split-staging.js";
import type { DatasetSchema } from "../../src/core/schema/types.js";
import { sqlIdent } from "../../src/core/sql.js";
import type { FeaturePlan } from "../../src/core/validate/row-sql.js";

/** Lineage columns of the rows a test writes (constant: outputs compare row for row). */
export const TEST_LINEAGE = {
  ingestedAt: new Date("2026-01-02T03:04:05Z"),
  sourceKey: "k",
  sourceMd5: "m",
  schemaVersion: 1,
  environment: "TRAINING",
  runId: "r",
};

/** `file` staged for TRAINING under `schema` at the default limits (or DuckDB's `database` options), in `scratch`. */
export function stageFile(
  file: string,
  schema: DatasetSchema,
  scratch: string,
  staging?: Staging,
  database?: DatabaseOptions,
): Promise<StagedBatch> {
  return StagedBatch.stage({
    key: path.basename(file),
    localPath: file,
    scratch,
    schema,
    environment: "TRAINING",
    limits: DEFAULT_LIMITS,
    ...(staging ? { staging } : {}),
    ...(database ? { database } : {}),
  });
}

/**
 * Each feature as a plan with no checks, for statistics queries over a table a test builds: its
 * typed values are in the feature's own column there.
 */
export function plainPlans(schema: DatasetSchema): FeaturePlan[] {
  return schema.features.map((feature, index) => ({
    feature,
    index,
    staged: sqlIdent(feature.column),
    raw: "NULL",
    required: false,
    codes: [],
  }));
}

/**
 * A staged batch's outputs as ingest writes them, into `scratch`: the valid rows and the statistics
 * side by side, then the quarantine.
 */
export async function writeOutputs(batch: StagedBatch, scratch: string) {
  const valid = path.join(scratch, "valid.parquet");
  const quarantine = path.join(scratch, "quarantine.parquet");
  const [written, statistics] = await Promise.all([
    batch.writeValid(valid, TEST_LINEAGE),
    batch.statistics(),
  ]);
  const quarantined = await batch.writeQuarantine(quarantine, TEST_LINEAGE);
  return { valid, quarantine, written, statistics, quarantined };
}
