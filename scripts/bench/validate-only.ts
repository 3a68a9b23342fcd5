/**
 * Bench child: validation alone, the engine's own path without writing anything — parse, type,
 * check every row (StagedBatch.stage), and with `--statistics` the per-batch statistics too.
 * Usage: node --import tsx scripts/bench/validate-only.ts <file> [--statistics]
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { StagedBatch } from "../../src/adapters/duckdb/batch.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";

const file = process.argv[2];
if (!file) throw new Error("usage: validate-only.ts <file> [--statistics]");
const withStatistics = process.argv.includes("--statistics");
const { schema } = new SchemaRegistry("schemas").load("flights");
const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-bench-validate-"));
try {
  const batch = await StagedBatch.stage({
    key: path.basename(file),
    localPath: file,
    scratch,
    schema,
    environment: "TRAINING",
    limits: DEFAULT_LIMITS,
  });
  try {
    const stats = withStatistics ? await batch.statistics() : undefined;
    process.stdout.write(
      `${JSON.stringify({ rows: stats?.rows ?? null, rowsValid: stats?.rowsValid ?? null })}\n`,
    );
  } finally {
    batch.close();
  }
} finally {
  await fs.rm(scratch, { recursive: true, force: true });
}
