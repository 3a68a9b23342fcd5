/**
 * A deployment of the data stack on moto: one bucket per zone (raw versioned, as the data stack
 * makes it), the online feature table (DynamoDB, keyed by `pk`), the lineage bus, and a rule copying every event on the bus to an SQS queue, so a test
 * reads back exactly what the functions sent to EventBridge.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { sqsJson } from "../../support/moto-s3.js";
import { AWS_CREDENTIALS, AWS_REGION } from "./servers.js";
import type { Deployment } from "./shipped.js";

const ZONES = ["Raw", "Warehouse", "Quarantine", "Exports", "Lineage", "Failed", "AthenaResults"] as const;
export type ZoneName = (typeof ZONES)[number];

export interface MotoDeployment extends Deployment {
  readonly buckets: Readonly<Record<ZoneName, string>>;
  readonly busName: string;
  /** The online feature table. */
  readonly onlineTable: string;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  /** Every event the functions put on the lineage bus so far (drains the capture queue). */
  busEvents(): Promise<{ detailType: string; source: string; detail: unknown; bytes: number }[]>;
  close(): void;
}

export function clientConfig(endpoint: string) {
  return { endpoint, region: AWS_REGION, credentials: AWS_CREDENTIALS, forcePathStyle: true };
}

export interface DeployOptions {
  readonly athena?: string;
  /** Capture only events of jobs whose name starts with this (moto's SQS slows down with thousands queued). */
  readonly captureJobPrefix?: string;
}

export async function deployOnMoto(moto: string, options: DeployOptions = {}): Promise<MotoDeployment> {
  const { captureJobPrefix, ...extraEndpoints } = options;
  const id = randomUUID().slice(0, 8);
  const s3 = new S3Client(clientConfig(moto));
  const events = new EventBridgeClient(clientConfig(moto));
  const sqs = sqsJson(moto);
  const buckets = Object.fromEntries(ZONES.map((z) => [z, `lakeline-${id}-${z.toLowerCase()}`])) as Record<
    ZoneName,
    string
  >;
  for (const b of Object.values(buckets)) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: buckets.Raw, VersioningConfiguration: { Status: "Enabled" } }),
  );
  const dynamodb = new DynamoDBClient(clientConfig(moto));
  const onlineTable = `lakeline-${id}-online`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: onlineTable,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const busName = `lakeline-${id}-lineage`;
  const bus = await events.send(new CreateEventBusCommand({ Name: busName }));
  const queue = (await sqs("CreateQueue", { QueueName: `lakeline-${id}-bus-capture` })) as {
    QueueUrl: string;
  };
  const queueArn = (
    (await sqs("GetQueueAttributes", { QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] })) as {
      Attributes: { QueueArn: string };
    }
  ).Attributes.QueueArn;
  await events.send(
    new PutRuleCommand({
      Name: "capture",
      EventBusName: busName,
      EventPattern: JSON.stringify(
        captureJobPrefix
          ? { source: [{ prefix: "" }], detail: { job: { name: [{ prefix: captureJobPrefix }] } } }
          : { source: [{ prefix: "" }] },
      ),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: "capture",
      EventBusName: busName,
      Targets: [{ Id: "queue", Arn: queueArn }],
    }),
  );
  const imports: Record<string, string> = {
    "LakelineData-LineageBusName": busName,
    "LakelineData-LineageBusArn": bus.EventBusArn!,
    "LakelineData-OnlineTableName": onlineTable,
  };
  for (const z of ZONES) imports[`LakelineData-${z}BucketName`] = buckets[z];
  return {
    imports,
    endpoints: { s3: moto, events: moto, dynamodb: moto, ...extraEndpoints },
    buckets,
    busName,
    onlineTable,
    s3,
    dynamodb,
    async busEvents() {
      const out: { detailType: string; source: string; detail: unknown; bytes: number }[] = [];
      for (;;) {
        const got = (await sqs("ReceiveMessage", {
          QueueUrl: queue.QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        })) as { Messages?: { Body: string; ReceiptHandle: string }[] };
        const messages = got.Messages ?? [];
        if (messages.length === 0) return out;
        for (const m of messages) {
          const e = JSON.parse(m.Body!) as { "detail-type": string; source: string; detail: unknown };
          out.push({
            detailType: e["detail-type"],
            source: e.source,
            detail: e.detail,
            // What PutEvents counts against the 256 KiB limit: Detail, DetailType, Source (+ resources).
            bytes:
              Buffer.byteLength(JSON.stringify(e.detail)) +
              Buffer.byteLength(e["detail-type"]) +
              Buffer.byteLength(e.source),
          });
        }
        await sqs("DeleteMessageBatch", {
          QueueUrl: queue.QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        });
      }
    },
    close() {
      s3.destroy();
      dynamodb.destroy();
      events.destroy();
    },
  };
}

/** Every key of a bucket (all pages). */
export async function listKeys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}
