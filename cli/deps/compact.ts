/** Compaction on the embedded lake: the warehouse folder, DuckDB to copy rows, lineage of each file. */
import * as fs from "node:fs/promises";
import { DuckDbParquetMerger } from "../../src/adapters/duckdb/parquet-merger.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { type LocalConfig, scratchDir } from "../../src/contract/env.js";
import { MARKER_PREFIX } from "../../src/contract/keys.js";
import type { CompactionDeps } from "../../src/pipeline/compaction/compact.js";
import { compactionLineage } from "../../src/pipeline/compaction/lineage.js";
import { createLineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { scratchUnder } from "../../src/pipeline/shared/scratch.js";
import { systemClock } from "../../src/ports/clock.js";

export function localCompactionDeps(
  config: LocalConfig,
  overrides: Partial<CompactionDeps> = {},
): CompactionDeps {
  const stores = localLakeStores(config.lakeDir);
  return {
    warehouse: stores.warehouse,
    onCompaction: compactionLineage(createLineageRecorder(stores.lineage), stores.warehouse),
    merger: new DuckDbParquetMerger(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
    clock: systemClock,
    scratch: scratchUnder(scratchDir()),
    ...overrides,
  };
}

/** Datasets with committed runs on the lake (a folder of commit markers each). */
export async function committedDatasets(config: LocalConfig): Promise<string[]> {
  const dir = localLakeStores(config.lakeDir).warehouse.localPath(MARKER_PREFIX.slice(0, -1));
  return (await fs.readdir(dir).catch(() => [] as string[])).sort();
}
