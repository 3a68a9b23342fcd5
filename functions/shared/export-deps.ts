/** Wiring of the export function: S3 zones, Athena over the Glue tables, EventBridge lineage, /tmp scratch. */

import { createAthenaEngine } from "../../src/adapters/aws/athena-engine.js";
import { AthenaExportWriter } from "../../src/adapters/aws/athena-export-writer.js";
import { athenaSplitPartsWriter } from "../../src/adapters/aws/athena-split-parts.js";
import { openPlainEngine } from "../../src/adapters/duckdb/plain-engine.js";
import { awsConfig, ENV } from "../../src/contract/env.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import type { HistoryDeps } from "../../src/pipeline/features/history.js";
import { awsPipelineDeps } from "./deps.js";

/** `deadline`: when the current invocation must be done with Athena (epoch ms), read per query. */
export async function awsExportDeps(
  deadline: () => number | undefined = () => undefined,
): Promise<HistoryDeps> {
  const config = awsConfig();
  if (!config.athenaWorkgroup || !config.glueDatabase) {
    throw new Error(
      `export needs ${ENV.athenaWorkgroup} and ${ENV.glueDatabase} (set by the lakeline stack)`,
    );
  }
  const athena = { workgroup: config.athenaWorkgroup, database: config.glueDatabase, deadline };
  const pipeline = awsPipelineDeps();
  return {
    ...pipeline,
    // Athena reads the Glue table; the snapshot query itself restricts it to committed runs ≤ as-of.
    writer: new AthenaExportWriter({
      openEngine: async () => createAthenaEngine(athena),
      exports: pipeline.stores.exports,
    }),
    // Training sets: the feature views, Athena with its UNLOADs downloaded into scratch, and
    // DuckDB for the entity file (Athena cannot read /tmp).
    views: new ViewRegistry(config.schemasDir),
    openEngine: async () => createAthenaEngine(athena),
    writeSplits: athenaSplitPartsWriter(pipeline.stores.exports),
    openLocal: () => openPlainEngine(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
  };
}
