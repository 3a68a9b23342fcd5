/** AWS-shaped events, as S3 and EventBridge deliver them to Lambda. */
import type { S3Event } from "aws-lambda";

/** S3 URL-encodes keys in notifications (form encoding: space → `+`, `/` kept). */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/gi, "/");
}

export function s3ObjectCreated(args: {
  bucket: string;
  key: string;
  size: number;
  eTag?: string;
  versionId?: string;
  at?: Date;
}): S3Event {
  const at = args.at ?? new Date();
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: at.toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE/abc" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "lakeline-ingest",
          bucket: {
            name: args.bucket,
            ownerIdentity: { principalId: "EXAMPLE" },
            arn: `arn:aws:s3:::${args.bucket}`,
          },
          object: {
            key: encodeS3EventKey(args.key),
            size: args.size,
            eTag: args.eTag?.replace(/"/g, "") ?? "",
            ...(args.versionId ? { versionId: args.versionId } : {}),
            sequencer: at.getTime().toString(16).toUpperCase().padStart(16, "0"),
          },
        },
      },
    ],
  };
}

/** What an EventBridge schedule rule delivers when its target input is constant: the input itself. */
export function scheduledExport(input: Record<string, unknown>): Record<string, unknown> {
  return { ...input };
}
