/** Wiring of the export function: S3 zones, Athena over the Glue tables, EventBridge lineage, /tmp scratch. */
import { awsConfig, scratchDir } from "../../config.js";
import { createLineageRecorder } from "../../lineage/recorder.js";
import type { ExportDeps } from "../../pipeline/export.js";
import { systemClock } from "../../ports/clock.js";
import { SchemaRegistry } from "../../schema/registry.js";
import { createAthenaEngine } from "./athena-engine.js";
import { awsLakeStores, awsLineageSinks } from "./deps.js";

export async function awsExportDeps(): Promise<ExportDeps> {
  const config = awsConfig();
  const stores = awsLakeStores();
  if (!config.athenaWorkgroup || !config.glueDatabase) {
    throw new Error(
      "export needs LAKELINE_ATHENA_WORKGROUP and LAKELINE_GLUE_DATABASE (set by the lakeline stack)",
    );
  }
  const athena = { workgroup: config.athenaWorkgroup, database: config.glueDatabase };
  return {
    stores,
    schemas: new SchemaRegistry(config.schemasDir),
    lineage: createLineageRecorder(stores.lineage, { sinks: awsLineageSinks() }),
    clock: systemClock,
    scratchDir: scratchDir(),
    // Athena reads the Glue table; the snapshot query itself restricts it to committed runs ≤ as-of.
    openEngine: async () => createAthenaEngine(athena),
  };
}
