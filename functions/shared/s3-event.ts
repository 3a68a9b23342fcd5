import type { S3Event, S3EventRecord } from "aws-lambda";

/** S3 URL-encodes keys in notifications, with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
}

/** The notification S3 sends for one created object (used by the local lake to drive handlers). */
export function objectCreatedEvent(args: {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  versionId?: string;
  eventTime?: Date;
  region?: string;
}): S3Event {
  const record: S3EventRecord = {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: args.region ?? "local",
    eventTime: (args.eventTime ?? new Date()).toISOString(),
    eventName: "ObjectCreated:Put",
    userIdentity: { principalId: "lakeline-local" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": "local", "x-amz-id-2": "local" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "lakeline-ingest",
      bucket: {
        name: args.bucket,
        ownerIdentity: { principalId: "lakeline-local" },
        arn: `arn:aws:s3:::${args.bucket}`,
      },
      object: {
        key: encodeS3Key(args.key),
        size: args.size,
        eTag: args.etag ?? "",
        sequencer: Date.now().toString(16).toUpperCase(),
        ...(args.versionId ? { versionId: args.versionId } : {}),
      },
    },
  };
  return { Records: [record] };
}
