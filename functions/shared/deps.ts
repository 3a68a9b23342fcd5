/** Wiring for the deployed functions: S3 buckets per zone, EventBridge lineage, /tmp scratch. */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EventBridgeLineageSink } from "../../src/adapters/aws/eventbridge-sink.js";
import { createS3Client } from "../../src/adapters/aws/s3-client.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { duckdbIngestEngine } from "../../src/adapters/duckdb/batch.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import { awsConfig, scratchDir } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { LINEAGE_KEYS } from "../../src/core/lineage/ids.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { createLineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { systemClock } from "../../src/ports/clock.js";
import type { LakeStores } from "../../src/ports/object-store.js";

export function awsLakeStores(): LakeStores {
  const config = awsConfig();
  const client = createS3Client();
  const b = config.buckets;
  return {
    raw: new S3ObjectStore(client, b.raw),
    warehouse: new S3ObjectStore(client, b.warehouse),
    quarantine: new S3ObjectStore(client, b.quarantine),
    exports: new S3ObjectStore(client, b.exports),
    lineage: new S3ObjectStore(client, b.lineage),
    failed: new S3ObjectStore(client, b.failed),
  };
}

export function awsLineageSinks() {
  const config = awsConfig();
  const bus = config.lineageBusName;
  const lineage = config.buckets.lineage;
  return bus
    ? [
        new EventBridgeLineageSink(new EventBridgeClient({}), {
          eventBusName: bus,
          // The recorder stores every event there, right after the sinks have it.
          fullEventUri: (e) =>
            `s3://${lineage}/${LINEAGE_KEYS.openLineageEvent(e.job.name, e.run.runId, e.eventType)}`,
        }),
      ]
    : [];
}

/** What every deployed use case shares: the buckets, schemas, lineage (+ EventBridge), time, /tmp. */
export function awsPipelineDeps() {
  const config = awsConfig();
  const stores = awsLakeStores();
  return {
    stores,
    schemas: new SchemaRegistry(config.schemasDir),
    lineage: createLineageRecorder(stores.lineage, { sinks: awsLineageSinks() }),
    clock: systemClock,
    scratchDir: scratchDir(),
  };
}

export async function awsIngestDeps(): Promise<IngestDeps> {
  const config = awsConfig();
  return {
    ...awsPipelineDeps(),
    engine: duckdbIngestEngine,
    maxBlobBytes: config.maxBlobBytes,
    partBytes: config.partBytes,
    // The same bound as locally (measured: peak RSS under 512 MB at 1M–9M rows; a staged table over
    // 90% of it, counted in cells, is staged in a Parquet file in /tmp). Raise it with LAKELINE_DUCKDB_MEMORY when a
    // function is given more memory: more blobs are then staged in memory, which is faster.
    ...(config.duckdbMemory ? { database: { memoryLimit: config.duckdbMemory } } : {}),
    ...(config.maxDecompressedBytes
      ? { limits: { ...DEFAULT_LIMITS, maxDecompressedBytes: config.maxDecompressedBytes } }
      : {}),
  };
}
