/**
 * moto server as the S3 API of tests that exercise the S3 adapter and the ingest handler on the
 * sources (run by `npm run test:aws`, which installs moto; see scripts/aws-tools.sh). moto honours
 * `If-None-Match: *` on PutObject and CompleteMultipartUpload, versioning, multipart and
 * pagination as S3 does, so nothing is patched. Each handle is its own moto process (isolated state).
 *
 * ObjectCreated notifications are S3's own: each bucket's notification configuration sends to an
 * SQS queue on the same moto, which this helper polls and hands to subscribers as Lambda's S3 event.
 */
import { spawn } from "node:child_process";
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { Context, S3Event } from "aws-lambda";
import { inject } from "vitest";
import { S3ObjectStore } from "../../src/adapters/aws/s3-store.js";
import { type LakeStores, ZONES, type Zone } from "../../src/ports/object-store.js";

export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;
const REGION = "us-east-1";

export interface NotificationFilter {
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface StartMotoOptions {
  /** Buckets created before the handle is returned. */
  readonly buckets: readonly string[];
  /** Notification rules by bucket (S3's prefix/suffix filter rules); a bucket without notifies on every ObjectCreated. */
  readonly notifications?: Readonly<Record<string, readonly NotificationFilter[]>>;
}

export type ObjectCreatedHandler = (event: S3Event) => unknown;

export interface MotoS3Handle {
  readonly endpoint: string;
  readonly port: number;
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  /** Subscribe to the buckets' ObjectCreated notifications (polled from their SQS queues). */
  onObjectCreated(handler: ObjectCreatedHandler): () => void;
  /** Wait until every notification sent so far was handled; throws an AggregateError if a handler threw. */
  drainNotifications(): Promise<void>;
  /** Multipart uploads started and neither completed nor aborted (ListMultipartUploads). */
  pendingMultipartUploads(bucket: string): Promise<{ key: string; uploadId: string }[]>;
  stop(): Promise<void>;
}

export function motoClientConfig(endpoint: string): S3ClientConfig {
  return { endpoint, region: REGION, forcePathStyle: true, credentials: MOTO_CREDENTIALS };
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as import("node:net").AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startMotoS3(options: StartMotoOptions): Promise<MotoS3Handle> {
  const port = await freePort();
  const proc = spawn(inject("awsHarness").tools.MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`moto exited with ${proc.exitCode}`);
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error("moto did not start within 30 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  const admin = new S3Client(motoClientConfig(endpoint));
  const sqs = sqsJson(endpoint);
  const queues: string[] = [];
  for (const bucket of options.buckets) {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const q = (await sqs("CreateQueue", { QueueName: `notify-${bucket}` })) as { QueueUrl: string };
    const arn = (
      (await sqs("GetQueueAttributes", { QueueUrl: q.QueueUrl, AttributeNames: ["QueueArn"] })) as {
        Attributes: { QueueArn: string };
      }
    ).Attributes.QueueArn;
    const rules = options.notifications?.[bucket] ?? [{}];
    const configs: QueueConfiguration[] = rules.map((r) => ({
      QueueArn: arn,
      Events: ["s3:ObjectCreated:*"],
      ...(r.prefix || r.suffix
        ? {
            Filter: {
              Key: {
                FilterRules: [
                  ...(r.prefix ? [{ Name: "prefix" as const, Value: r.prefix }] : []),
                  ...(r.suffix ? [{ Name: "suffix" as const, Value: r.suffix }] : []),
                ],
              },
            },
          }
        : {}),
    }));
    await admin.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { QueueConfigurations: configs },
      }),
    );
    queues.push(q.QueueUrl);
  }

  const clients: S3Client[] = [admin];
  const handlers = new Set<ObjectCreatedHandler>();
  const inFlight = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  let polling: Promise<void> | undefined;
  let stopped = false;

  /** One pass over every queue; returns how many notifications it dispatched. */
  async function pollOnce(): Promise<number> {
    let n = 0;
    for (const url of queues) {
      const got = (await sqs("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 10 })) as {
        Messages?: { Body: string; ReceiptHandle: string }[];
      };
      for (const m of got.Messages ?? []) {
        await sqs("DeleteMessage", { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        const event = JSON.parse(m.Body) as S3Event;
        if (!event.Records?.[0]?.eventName.startsWith("ObjectCreated:")) continue; // s3:TestEvent
        n++;
        for (const h of handlers) {
          const run = Promise.resolve()
            .then(() => h(event))
            .catch((err: unknown) => {
              failures.push(err);
            });
          inFlight.add(run);
          void run.finally(() => inFlight.delete(run));
        }
      }
    }
    return n;
  }

  // Passes run one after another: a drain's pass must not see the queue empty while the background
  // loop holds a received message it has not yet handed to a handler (SQS hides it meanwhile).
  let lastPass: Promise<number> = Promise.resolve(0);
  const pollSerially = (): Promise<number> => {
    lastPass = lastPass.then(pollOnce, pollOnce);
    return lastPass;
  };

  const loop = async () => {
    while (!stopped && handlers.size > 0) {
      if ((await pollSerially()) === 0) await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    endpoint,
    port,
    client(overrides = {}) {
      const c = new S3Client({ ...motoClientConfig(endpoint), ...overrides });
      clients.push(c);
      return c;
    },
    onObjectCreated(handler) {
      handlers.add(handler);
      polling ??= loop().finally(() => {
        polling = undefined;
      });
      return () => handlers.delete(handler);
    },
    async drainNotifications() {
      // A put's notification is queued before its response returns: poll until nothing is left.
      while ((await pollSerially()) > 0 || inFlight.size > 0) await Promise.all([...inFlight]);
      if (failures.length > 0) {
        const errors = failures.splice(0);
        throw new AggregateError(errors, `${errors.length} ObjectCreated handler(s) failed`);
      }
    },
    async pendingMultipartUploads(bucket) {
      const out = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (out.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
    },
    async stop() {
      stopped = true;
      await polling;
      for (const c of clients) c.destroy();
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * SQS's JSON protocol over fetch (the project has no SQS client; moto reads the service from the
 * credential scope and does not check signatures).
 */
export function sqsJson(endpoint: string) {
  return async (action: string, body: Record<string, unknown>): Promise<unknown> => {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `AmazonSQS.${action}`,
        authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20260101/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sqs ${action}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
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
