/**
 * Uploading into the embedded lake's raw zone and delivering the notification S3 would send,
 * to the ingest Lambda handler, in-process. Raw objects are written once and never replaced.
 */
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, S3Event } from "aws-lambda";
import { createIngestHandler, type IngestResponse, type ReprocessEvent } from "../../functions/ingest.js";
import { isRefusal } from "../../functions/shared/middleware.js";
import { objectCreatedEvent } from "../../functions/shared/s3-event.js";
import { ObjectExistsError, UsageError } from "../../src/core/errors.js";
import type { IngestDeps } from "../../src/pipeline/ingest/ingest.js";
import { md5File } from "../../src/pipeline/shared/hash-files.js";
import type { ObjectStore } from "../../src/ports/object-store.js";

/**
 * Put a local file into the raw zone under `<dataset>/<environment>/<name>`. If that key already
 * holds the same bytes, it is reused (a re-delivery); if it holds other bytes, the new upload gets
 * its own key with a content suffix — raw objects are never overwritten.
 */
export async function uploadRaw(
  raw: ObjectStore,
  file: string,
  dataset: string,
  environment: string,
): Promise<string> {
  const name = path.basename(file);
  const env = environment.toLowerCase();
  const first = `${dataset}/${env}/${name}`;
  try {
    await raw.putFile(first, file, { ifNoneMatch: true });
    return first;
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  // The name is taken: the same bytes are a re-delivery; other bytes get a content-suffixed key.
  const { md5 } = await md5File(file);
  const sameBytes = async (key: string) => {
    const existing = raw.localPath?.(key);
    return existing !== undefined && (await md5File(existing)).md5 === md5;
  };
  if (await sameBytes(first)) return first;
  const ext = name.match(/(\.[a-z0-9]+)?(\.gz)?$/i)?.[0] ?? "";
  const second = `${dataset}/${env}/${name.slice(0, name.length - ext.length)}.${md5.slice(0, 12)}${ext}`;
  try {
    await raw.putFile(second, file, { ifNoneMatch: true });
    return second;
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
    if (await sameBytes(second)) return second;
    throw err;
  }
}

export async function notificationFor(raw: ObjectStore, key: string): Promise<S3Event> {
  const info = await raw.head(key);
  if (!info) throw new Error(`raw object vanished: ${key}`);
  return objectCreatedEvent({
    bucket: raw.bucket,
    key,
    size: info.size,
    ...(info.etag ? { etag: info.etag } : {}),
    ...(info.lastModified ? { eventTime: info.lastModified } : {}),
  });
}

const localContext = (name: string): Context =>
  ({
    functionName: name,
    functionVersion: "$LATEST",
    awsRequestId: `local-${Date.now()}`,
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: "1024",
    getRemainingTimeInMillis: () => 900_000,
  }) as unknown as Context;

/** The deployed ingest handler, invoked in-process with local dependencies. */
export function localIngestInvoker(
  deps: IngestDeps,
): (event: S3Event | ReprocessEvent) => Promise<IngestResponse> {
  const handler = createIngestHandler(
    async () => deps,
    new Logger({ serviceName: "lakeline-ingest", logLevel: "SILENT" }),
  );
  const invoke = async (event: S3Event | ReprocessEvent): Promise<IngestResponse> => {
    const response = await handler(event, localContext("lakeline-ingest"));
    if (isRefusal(response))
      throw new UsageError(`ingest refused the event: ${response.refused.message}`, response.refused.data);
    // The parts a routed blob was cut into are raw uploads: S3 would notify the function of each.
    const results = [...response.results];
    for (const r of response.results) {
      if (r.status !== "routed") continue;
      for (const part of r.outputs.parts ?? [])
        results.push(...(await invoke(await notificationFor(deps.stores.raw, part))).results);
    }
    return { results };
  };
  return invoke;
}
