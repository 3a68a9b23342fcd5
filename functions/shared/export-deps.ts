/** Wiring of the export function: S3 zones, Athena over the Glue tables, EventBridge lineage, /tmp scratch. */

import { createAthenaEngine } from "../../src/adapters/aws/athena-engine.js";
import { openPlainEngine } from "../../src/adapters/duckdb/plain-engine.js";
import { awsConfig, ENV } from "../../src/contract/env.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import type { HistoryDeps } from "../../src/pipeline/features/history.js";
import { awsPipelineDeps } from "./deps.js";

export async function awsExportDeps(): Promise<HistoryDeps> {
  const config = awsConfig();
  if (!config.athenaWorkgroup || !config.glueDatabase) {
    throw new Error(
      `export needs ${ENV.athenaWorkgroup} and ${ENV.glueDatabase} (set by the lakeline stack)`,
    );
  }
  const athena = { workgroup: config.athenaWorkgroup, database: config.glueDatabase };
  return {
    ...awsPipelineDeps(),
    // Athena reads the Glue table; the snapshot query itself restricts it to committed runs ≤ as-of.
    openEngine: async () => createAthenaEngine(athena),
    // Training sets: the feature views, and DuckDB for the entity file (Athena cannot read /tmp).
    views: new ViewRegistry(config.schemasDir),
    openLocal: () => openPlainEngine(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
  };
}
