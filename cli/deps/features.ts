/**
 * Wiring of the feature store on the embedded lake: the online store is `<lake>/online/`, and the
 * materializer receives the commit marker's S3 notification in-process, as it would in AWS.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { createMaterializeHandler, type MaterializeResponse } from "../../functions/materialize.js";
import { objectCreatedEvent } from "../../functions/shared/s3-event.js";
import { openPlainEngine } from "../../src/adapters/duckdb/plain-engine.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { localOnlineStore } from "../../src/adapters/local/online-store.js";
import type { LocalConfig } from "../../src/contract/env.js";
import { scratchDir } from "../../src/contract/env.js";
import { markerKey } from "../../src/contract/keys.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import type { MaterializeDeps } from "../../src/pipeline/features/materialize.js";

export function localMaterializeDeps(config: LocalConfig): MaterializeDeps {
  return {
    warehouse: localLakeStores(config.lakeDir).warehouse,
    schemas: new SchemaRegistry(config.schemasDir),
    views: new ViewRegistry(config.schemasDir),
    online: localOnlineStore(config.lakeDir),
    scratchDir: scratchDir(),
    openReader: () => openPlainEngine(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
  };
}

const context = {
  functionName: "lakeline-materialize",
  functionVersion: "$LATEST",
  awsRequestId: "local",
  invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:lakeline-materialize",
  memoryLimitInMB: "1024",
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

/** Deliver "commit marker created" for a run to the materializer handler, in-process. */
export function localMaterializer(
  config: LocalConfig,
): (dataset: string, runId: string) => Promise<MaterializeResponse> {
  const deps = localMaterializeDeps(config);
  const handler = createMaterializeHandler(
    async () => deps,
    new Logger({ serviceName: "lakeline-materialize", logLevel: "SILENT" }),
  );
  return async (dataset, runId) => {
    const key = markerKey(dataset, runId);
    const info = await deps.warehouse.head(key);
    const event = objectCreatedEvent({ bucket: deps.warehouse.bucket, key, size: info?.size ?? 0 });
    return (await handler(event, context)) as MaterializeResponse;
  };
}
