/** Wiring for the embedded lake: the same use cases with filesystem stores and DuckDB. */

import { duckdbIngestEngine } from "../../src/adapters/duckdb/batch.js";
import { type LocalLakeStores, localLakeStores } from "../../src/adapters/local/lake.js";
import { type LocalConfig, scratchDir } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { createLineageRecorder, type LineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { type Clock, systemClock } from "../../src/ports/clock.js";

/** What every local use case shares: the lake's zones, schemas, lineage, time and scratch space. */
export interface LocalPipelineDeps {
  readonly stores: LocalLakeStores;
  readonly schemas: SchemaRegistry;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  readonly scratchDir: string;
}

export function localPipelineDeps(config: LocalConfig): LocalPipelineDeps {
  const stores = localLakeStores(config.lakeDir);
  return {
    stores,
    schemas: new SchemaRegistry(config.schemasDir),
    lineage: createLineageRecorder(stores.lineage),
    clock: systemClock,
    scratchDir: scratchDir(),
  };
}

export function localIngestDeps(config: LocalConfig, overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    ...localPipelineDeps(config),
    engine: duckdbIngestEngine,
    ...(config.duckdbMemory ? { database: { memoryLimit: config.duckdbMemory } } : {}),
    ...(config.maxBlobBytes ? { maxBlobBytes: config.maxBlobBytes } : {}),
    ...(config.partBytes ? { partBytes: config.partBytes } : {}),
    ...overrides,
  };
}
