import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { Context, S3Event, S3EventRecord } from "aws-lambda";
import S3rver from "s3rver";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { type LakeStores, ZONES, type Zone } from "../../src/ports/object-store.js";
import { atomicPuts, listUploads, missingApis } from "./s3rver-extensions.js";

/** s3rver accepts any key pair; these are the ones its docs use. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface StartS3rverOptions {
  /** Buckets created before the server accepts requests. */
  readonly buckets: readonly string[];
  /**
   * Answer `If-None-Match: *` on PutObject / CompleteMultipartUpload with 412 PreconditionFailed
   * when the key exists, as S3 does since August 2024. s3rver 3 ignores the header on writes (it
   * only honours it on GET), so without this a conditional put silently overwrites.
   */
  readonly conditionalWrites?: boolean;
  /**
   * S3 bucket notification configuration, by bucket: which ObjectCreated events reach
   * `onObjectCreated` subscribers. A bucket without an entry notifies on every ObjectCreated.
   */
  readonly notifications?: Readonly<Record<string, readonly NotificationFilter[]>>;
}

/** One S3 notification configuration rule (`Filter.Key.FilterRules` prefix/suffix). */
export interface NotificationFilter {
  readonly prefix?: string;
  readonly suffix?: string;
}

export type ObjectCreatedHandler = (event: S3Event) => unknown;

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Temporary directory holding s3rver's files; removed by `stop()`. */
  readonly directory: string;
  readonly server: S3rver;
  /** An S3Client configured for this server; `overrides` are merged over the defaults. */
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  /**
   * Call `handler` with an S3 event (the Lambda S3 notification shape, one record, key
   * URL-encoded as S3 does: spaces as `+`) after each ObjectCreated that passes the bucket's
   * notification configuration. Returns an unsubscribe function.
   */
  onObjectCreated(handler: ObjectCreatedHandler): () => void;
  /** Wait until every handler started so far has settled; throws an AggregateError if any threw. */
  drainNotifications(): Promise<void>;
  /** Multipart uploads started and neither completed nor aborted (from s3rver's own files). */
  pendingMultipartUploads(bucket: string): Promise<{ key: string; uploadId: string }[]>;
  /** Close the server, close clients made by `client()`, and remove the directory. */
  stop(): Promise<void>;
}

/** Start s3rver in-process on 127.0.0.1 with a free port and a fresh temporary directory. */
export async function startS3rver(options: StartS3rverOptions): Promise<S3rverHandle> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // Koa runs middleware in array order; ours must see requests before s3rver's router rejects them.
  server.middleware.unshift(missingApis(server, options.conditionalWrites ?? false));
  atomicPuts(server);
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;

  const clients: S3Client[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const failures: unknown[] = [];

  return {
    endpoint,
    port: address.port,
    directory,
    server,
    client(overrides = {}) {
      const client = new S3Client({ ...s3rverClientConfig(endpoint), ...overrides });
      clients.push(client);
      return client;
    },
    onObjectCreated(handler) {
      const listener = (raw: unknown) => {
        const event = toLambdaEvent(raw as S3Event);
        if (!event) return;
        const record = event.Records[0]!;
        const rules = options.notifications?.[record.s3.bucket.name];
        if (rules && !rules.some((r) => matches(r, rawKey(raw as S3Event)))) return;
        const run = Promise.resolve()
          .then(() => handler(event))
          .catch((err: unknown) => {
            failures.push(err);
          });
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
      };
      server.on("event", listener);
      return () => server.off("event", listener);
    },
    async drainNotifications() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      if (failures.length > 0) {
        const errors = failures.splice(0);
        throw new AggregateError(errors, `${errors.length} ObjectCreated handler(s) failed`);
      }
    },
    async pendingMultipartUploads(bucket) {
      return listUploads(directory, bucket);
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}

/** Client settings for s3rver: path-style addressing and no aws-chunked checksum encoding. */
export function s3rverClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // s3rver stores aws-chunked bodies verbatim (chunk signatures included), so only send
    // checksums when an operation requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

function rawKey(event: S3Event): string {
  return event.Records[0]?.s3.object.key ?? "";
}

function matches(rule: NotificationFilter, key: string): boolean {
  return key.startsWith(rule.prefix ?? "") && key.endsWith(rule.suffix ?? "");
}

/** S3 URL-encodes keys in notifications (form encoding: space → `+`, `/` kept). */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/gi, "/");
}

function toLambdaEvent(raw: S3Event): S3Event | undefined {
  const record = raw.Records?.[0];
  if (!record?.eventName.startsWith("ObjectCreated:")) return undefined;
  const s3: S3EventRecord["s3"] = {
    ...record.s3,
    object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) },
  };
  return { Records: [{ ...record, s3 }] };
}

/** One bucket per lake zone, named `<prefix>-<zone>`. */
export function zoneBuckets(prefix: string): Record<Zone, string> {
  return Object.fromEntries(ZONES.map((z) => [z, `${prefix}-${z}`])) as Record<Zone, string>;
}

/** S3ObjectStores over the zone buckets: the lake as the Lambdas see it. */
export function zoneStores(client: S3Client, buckets: Record<Zone, string>): LakeStores {
  return Object.fromEntries(
    ZONES.map((z) => [z, new S3ObjectStore(client, buckets[z])]),
  ) as unknown as LakeStores;
}

/** The Lambda context a handler is invoked with in tests. */
export function lambdaContext(awsRequestId: string): Context {
  return {
    functionName: "lakeline-ingest",
    awsRequestId,
    getRemainingTimeInMillis: () => 900_000,
  } as unknown as Context;
}
