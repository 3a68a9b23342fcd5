/** Wiring of the export use case on the embedded lake: filesystem zones and DuckDB views as of the snapshot. */
import * as os from "node:os";
import type { LocalConfig } from "../../config.js";
import { createLineageRecorder } from "../../lineage/recorder.js";
import type { ExportDeps, ExportEngine } from "../../pipeline/export.js";
import { systemClock } from "../../ports/clock.js";
import { SchemaRegistry } from "../../schema/registry.js";
import { DuckDbQueryEngine } from "./duckdb-engine.js";
import { localLakeStores } from "./lake.js";

/** DuckDB views over the runs committed at `asOf`; statements run once (query() would also describe them). */
export async function openLocalExportEngine(config: LocalConfig, asOf: Date): Promise<ExportEngine> {
  const engine = await DuckDbQueryEngine.open(config, { asOf });
  return {
    name: engine.name,
    query: (sql) => engine.query(sql),
    execute: (sql) => engine.db.exec(sql),
    close: () => engine.close(),
  };
}

export function localExportDeps(config: LocalConfig, overrides: Partial<ExportDeps> = {}): ExportDeps {
  const stores = localLakeStores(config.lakeDir);
  return {
    stores,
    schemas: new SchemaRegistry(config.schemasDir),
    lineage: createLineageRecorder(stores.lineage),
    clock: systemClock,
    scratchDir: process.env.LAKELINE_TMP ?? os.tmpdir(),
    openEngine: (asOf) => openLocalExportEngine(config, asOf),
    ...overrides,
  };
}
