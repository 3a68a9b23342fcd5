/**
 * Ingest Lambda: S3 ObjectCreated on the raw bucket → validate → warehouse/quarantine → lineage.
 * The bucket notifies on every upload (S3 suffix filters are case-sensitive): whatever the key's
 * extension or letter case, the reader decides, and a blob it cannot read is rejected with its reason.
 * Thin by design: decode the event, call the use case, return what happened. A rejected blob is a
 * result like any other; an error retrying cannot fix is answered with a refusal, and any other
 * thrown error fails the invocation so async retries and the on-failure destination take over.
 *
 * Invoked directly with `{ "reprocess": { "dataset", "key" | "run" | "all", "schemaVersion"?,
 * "generation"?, "requestedAt"? } }` it re-processes stored raw objects instead (README: re-processing).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, S3Event } from "aws-lambda";
import type { IngestResult } from "../src/contract/records.js";
import { parseReprocessTarget } from "../src/contract/reprocess-request.js";
import { type IngestDeps, ingestObject } from "../src/pipeline/ingest/ingest.js";
import { reprocess } from "../src/pipeline/ingest/reprocess.js";
import type { ObjectStore } from "../src/ports/object-store.js";
import { recordIngestMetrics } from "./shared/metrics.js";
import { errorDisposition, invocationLogging, type Refusal } from "./shared/middleware.js";
import { decodeS3Key } from "./shared/s3-event.js";

export interface IngestResponse {
  readonly results: IngestResult[];
}

/** A store that can pin reads of one key to one object version (S3ObjectStore.atVersion). */
interface VersionPinning {
  atVersion(key: string, versionId: string): ObjectStore;
}
const pinsVersions = (s: ObjectStore): s is ObjectStore & VersionPinning =>
  typeof (s as Partial<VersionPinning>).atVersion === "function";

/**
 * The deps with raw reads of `key` pinned to the event's version: a second upload to the same key
 * before this one is read must not be ingested (and named in lineage) in its place.
 */
function atEventVersion(d: IngestDeps, key: string, versionId: string | undefined): IngestDeps {
  const raw = d.stores.raw;
  if (!versionId || !pinsVersions(raw)) return d;
  return { ...d, stores: { ...d.stores, raw: raw.atVersion(key, versionId) } };
}

/** A direct invocation that re-processes stored raw objects (see parseReprocessTarget). */
export interface ReprocessEvent {
  readonly reprocess: Record<string, unknown>;
}

async function ingestRecords(d: IngestDeps, event: S3Event, metrics?: Metrics): Promise<IngestResponse> {
  const results: IngestResult[] = [];
  for (const record of event.Records ?? []) {
    if (record.s3.bucket.name !== d.stores.raw.bucket) {
      throw new Error(
        `event for bucket ${record.s3.bucket.name}, but this function ingests ${d.stores.raw.bucket}`,
      );
    }
    const key = decodeS3Key(record.s3.object.key);
    const versionId = record.s3.object.versionId;
    const result = await ingestObject(atEventVersion(d, key, versionId), {
      key,
      ...(versionId ? { versionId } : {}),
      ...(record.s3.object.eTag ? { etag: record.s3.object.eTag } : {}),
    });
    if (metrics) recordIngestMetrics(metrics, result);
    results.push(result);
  }
  return { results };
}

export function createIngestHandler(
  deps: () => Promise<IngestDeps>,
  logger = new Logger({ serviceName: "lakeline-ingest" }),
  /** CloudWatch metrics (AWS only: locally they would print EMF JSON into the CLI's output). */
  metrics?: Metrics,
) {
  const ingest = async (
    event: S3Event | ReprocessEvent,
    _context: Context,
  ): Promise<IngestResponse | Refusal> => {
    const d = await deps();
    if (!("reprocess" in event)) return ingestRecords(d, event, metrics);
    const report = await reprocess(d, parseReprocessTarget(event.reprocess), (result) => {
      if (metrics) recordIngestMetrics(metrics, result);
    });
    return { results: report.results };
  };
  const handler = middy(ingest).use(invocationLogging(logger)).use(errorDisposition());
  return metrics ? handler.use(logMetrics(metrics)) : handler;
}

let cached: Promise<IngestDeps> | undefined;
/** Built once per container, on first use; AWS modules load only in AWS. */
export const handler = createIngestHandler(
  () => {
    cached ??= import("./shared/deps.js").then((m) => m.awsIngestDeps());
    return cached;
  },
  new Logger({ serviceName: "lakeline-ingest" }),
  new Metrics({ namespace: "lakeline", serviceName: "lakeline-ingest" }),
);
