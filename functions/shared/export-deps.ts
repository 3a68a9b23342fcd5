/** Wiring of the export function: S3 zones, Athena over the Glue tables, EventBridge lineage, /tmp scratch. */

import { createAthenaEngine } from "../../src/adapters/aws/athena-engine.js";
import { AthenaExportWriter } from "../../src/adapters/aws/athena-export-writer.js";
import { awsConfig, ENV } from "../../src/contract/env.js";
import type { ExportDeps } from "../../src/pipeline/export/export.js";
import { awsPipelineDeps } from "./deps.js";

export async function awsExportDeps(): Promise<ExportDeps> {
  const config = awsConfig();
  if (!config.athenaWorkgroup || !config.glueDatabase) {
    throw new Error(
      `export needs ${ENV.athenaWorkgroup} and ${ENV.glueDatabase} (set by the lakeline stack)`,
    );
  }
  const athena = { workgroup: config.athenaWorkgroup, database: config.glueDatabase };
  const pipeline = awsPipelineDeps();
  return {
    ...pipeline,
    // Athena reads the Glue table; the snapshot query itself restricts it to committed runs ≤ as-of.
    writer: new AthenaExportWriter({
      openEngine: async () => createAthenaEngine(athena),
      exports: pipeline.stores.exports,
    }),
  };
}
