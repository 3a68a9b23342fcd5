/** Wiring of the feature-store functions in AWS: the warehouse bucket, the DynamoDB online table. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbOnlineStore } from "../../src/adapters/aws/dynamodb-online-store.js";
import { createS3Client } from "../../src/adapters/aws/s3-client.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { openPlainEngine } from "../../src/adapters/duckdb/plain-engine.js";
import { awsConfig, onlineTableName, scratchDir } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import type { MaterializeDeps } from "../../src/pipeline/features/materialize.js";
import type { OnlineReadDeps } from "../../src/pipeline/features/online-read.js";
import { systemClock } from "../../src/ports/clock.js";

export function awsMaterializeDeps(): MaterializeDeps {
  const config = awsConfig();
  return {
    warehouse: new S3ObjectStore(createS3Client(), config.buckets.warehouse),
    schemas: new SchemaRegistry(config.schemasDir),
    views: new ViewRegistry(config.schemasDir),
    online: new DynamoDbOnlineStore(new DynamoDBClient({}), onlineTableName()),
    scratchDir: scratchDir(),
    openReader: () => openPlainEngine(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
  };
}

export function awsOnlineReadDeps(): OnlineReadDeps {
  const schemasDir = awsConfig().schemasDir;
  return {
    views: new ViewRegistry(schemasDir),
    online: new DynamoDbOnlineStore(new DynamoDBClient({}), onlineTableName()),
    clock: systemClock,
  };
}
