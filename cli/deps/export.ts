/** Wiring of the export use case on the embedded lake: filesystem zones and DuckDB views as of the snapshot. */

import type { LocalConfig } from "../../src/contract/env.js";
import type { ExportDeps, ExportEngine } from "../../src/pipeline/export/export.js";
import { localPipelineDeps } from "./ingest.js";
import { openLakeEngine } from "./lake-engine.js";

/** DuckDB views over the runs committed at `asOf`; statements run once (query() would also describe them). */
export async function openLocalExportEngine(config: LocalConfig, asOf: Date): Promise<ExportEngine> {
  const engine = await openLakeEngine(config, { asOf });
  return {
    name: engine.name,
    query: (sql) => engine.query(sql),
    execute: (sql) => engine.db.exec(sql),
    close: () => engine.close(),
  };
}

export function localExportDeps(config: LocalConfig, overrides: Partial<ExportDeps> = {}): ExportDeps {
  return {
    ...localPipelineDeps(config),
    openEngine: (asOf) => openLocalExportEngine(config, asOf),
    ...overrides,
  };
}
