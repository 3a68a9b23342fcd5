import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

export interface CreateS3ClientOptions {
  readonly region?: string;
  /** A non-AWS endpoint (moto, MinIO); implies path-style addressing unless told otherwise. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** Attempts per request, first one included. @default 5 */
  readonly maxAttempts?: number;
  readonly credentials?: S3ClientConfig["credentials"];
}

/**
 * An S3Client with the retry policy lakeline relies on: the SDK's standard mode retries
 * connection resets, 500/502/503/504 and throttling (SlowDown) with jittered exponential backoff.
 * Every S3 call lakeline makes is safe to resend: puts carry whole Buffers, multipart parts are
 * independent, and conditional puts are checked afterwards (see S3ObjectStore.put).
 */
export function createS3Client(options: CreateS3ClientOptions = {}): S3Client {
  return new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint
      ? { endpoint: options.endpoint, forcePathStyle: options.forcePathStyle ?? true }
      : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    retryMode: "standard",
    maxAttempts: options.maxAttempts ?? 5,
  });
}
