/**
 * Materializer Lambda: S3 ObjectCreated of a commit marker (`_runs/<dataset>/<runId>.json` in the
 * warehouse bucket) → the latest row per entity of each view the run's dataset feeds → the online
 * store (DynamoDB), each write conditional on the stored row being older. Re-delivered and
 * out-of-order events leave the newest rows; a thrown error fails the invocation for S3's retries.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import middy from "@middy/core";
import type { Context, S3Event } from "aws-lambda";
import type { IngestResult } from "../src/contract/records.js";
import {
  type MaterializeDeps,
  type MaterializeResult,
  materializeRun,
} from "../src/pipeline/features/materialize.js";
import { invocationLogging } from "./shared/middleware.js";
import { decodeS3Key } from "./shared/s3-event.js";

export const MARKER_KEY = /^_runs\/[a-z][a-z0-9_]*\/[^/]+\.json$/;

export interface MaterializeResponse {
  readonly results: MaterializeResult[];
}

export function createMaterializeHandler(
  deps: () => Promise<MaterializeDeps>,
  logger = new Logger({ serviceName: "lakeline-materialize" }),
) {
  const run = async (event: S3Event, _context: Context): Promise<MaterializeResponse> => {
    const d = await deps();
    const results: MaterializeResult[] = [];
    for (const record of event.Records ?? []) {
      if (record.s3.bucket.name !== d.warehouse.bucket)
        throw new Error(
          `event for bucket ${record.s3.bucket.name}, but this function reads ${d.warehouse.bucket}`,
        );
      const key = decodeS3Key(record.s3.object.key);
      if (!MARKER_KEY.test(key)) {
        logger.warn("not a commit marker; ignored", { key });
        continue;
      }
      const marker = JSON.parse(Buffer.from(await d.warehouse.get(key)).toString("utf8")) as IngestResult;
      const result = await materializeRun(d, marker);
      logger.info("materialized", { ...result });
      results.push(result);
    }
    return { results };
  };
  return middy(run).use(invocationLogging(logger));
}

let cached: Promise<MaterializeDeps> | undefined;
/** Built once per container, on first use; AWS modules load only in AWS. */
export const handler = createMaterializeHandler(() => {
  cached ??= import("./shared/features-deps.js").then((m) => m.awsMaterializeDeps());
  return cached;
});
