/** Wiring of the feature-store functions in AWS: the warehouse bucket, the DynamoDB online table. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsConfig, scratchDir } from "../../config.js";
import type { MaterializeDeps } from "../../pipeline/features/materialize.js";
import type { OnlineReadDeps } from "../../pipeline/features/online-read.js";
import { systemClock } from "../../ports/clock.js";
import { SchemaRegistry } from "../../schema/registry.js";
import { ViewRegistry } from "../../schema/views.js";
import { DynamoDbOnlineStore } from "./dynamodb-online-store.js";
import { createS3Client } from "./s3-client.js";
import { S3ObjectStore } from "./s3-store.js";

function onlineTable(): string {
  const name = process.env.LAKELINE_ONLINE_TABLE;
  if (!name)
    throw new Error("missing environment variable LAKELINE_ONLINE_TABLE (set by the lakeline stack)");
  return name;
}

export function awsMaterializeDeps(): MaterializeDeps {
  const config = awsConfig();
  return {
    warehouse: new S3ObjectStore(createS3Client(), config.buckets.warehouse),
    schemas: new SchemaRegistry(config.schemasDir),
    views: new ViewRegistry(config.schemasDir),
    online: new DynamoDbOnlineStore(new DynamoDBClient({}), onlineTable()),
    scratchDir: scratchDir(),
    ...(config.duckdbMemory ? { database: { memoryLimit: config.duckdbMemory } } : {}),
  };
}

export function awsOnlineReadDeps(): OnlineReadDeps {
  const schemasDir = process.env.LAKELINE_SCHEMAS ?? awsConfig().schemasDir;
  return {
    views: new ViewRegistry(schemasDir),
    online: new DynamoDbOnlineStore(new DynamoDBClient({}), onlineTable()),
    clock: systemClock,
  };
}
