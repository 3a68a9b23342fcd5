/** Wiring for the embedded lake: the same use cases with filesystem stores and DuckDB. */
import * as os from "node:os";
import type { LocalConfig } from "../../config.js";
import { createLineageRecorder } from "../../lineage/recorder.js";
import type { IngestDeps } from "../../pipeline/ingest.js";
import { systemClock } from "../../ports/clock.js";
import { SchemaRegistry } from "../../schema/registry.js";
import { localLakeStores } from "./lake.js";

export function localIngestDeps(config: LocalConfig, overrides: Partial<IngestDeps> = {}): IngestDeps {
  const stores = localLakeStores(config.lakeDir);
  return {
    stores,
    schemas: new SchemaRegistry(config.schemasDir),
    lineage: createLineageRecorder(stores.lineage),
    clock: systemClock,
    scratchDir: process.env.LAKELINE_TMP ?? os.tmpdir(),
    ...overrides,
  };
}
