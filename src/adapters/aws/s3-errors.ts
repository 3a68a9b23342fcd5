import { BackendError, LakelineError, ObjectExistsError, ObjectNotFoundError } from "../../core/errors.js";

/** The fields of an SDK v3 service exception lakeline looks at. */
interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

export function s3Status(err: unknown): number | undefined {
  return (err as SdkErrorShape)?.$metadata?.httpStatusCode;
}

export function s3Code(err: unknown): string | undefined {
  const e = err as SdkErrorShape;
  return e?.Code ?? e?.name;
}

/** How many times the SDK sent the request that ended in `err` (1 when unknown). */
export function s3Attempts(err: unknown): number {
  return (err as SdkErrorShape)?.$metadata?.attempts ?? 1;
}

export function isNotFound(err: unknown): boolean {
  const code = s3Code(err);
  return code === "NoSuchKey" || code === "NotFound" || (s3Status(err) === 404 && code !== "NoSuchBucket");
}

/**
 * `If-None-Match: *` lost: 412 when the key exists, 409 when a concurrent conditional write to the
 * same key is in progress (S3 then asks the loser to retry; for a create-once write that is the
 * same outcome: someone else is writing this key).
 */
export function isConditionalConflict(err: unknown): boolean {
  const code = s3Code(err);
  return (
    code === "PreconditionFailed" ||
    code === "ConditionalRequestConflict" ||
    s3Status(err) === 412 ||
    s3Status(err) === 409
  );
}

/** An SDK response that did arrive (a service exception or an exhausted network retry). */
export function isSdkError(err: unknown): boolean {
  return (err as SdkErrorShape)?.$metadata !== undefined;
}

export type S3Operation = "put" | "putFile" | "copy" | "get" | "getStream" | "download" | "head" | "list";

/** Map an SDK failure to lakeline's errors; anything unrecognised becomes a BackendError. */
export function mapS3Error(
  err: unknown,
  operation: S3Operation,
  bucket: string,
  key: string,
  conditional = false,
): LakelineError {
  if (err instanceof LakelineError) return err;
  if (operation !== "list" && operation !== "put" && operation !== "putFile" && isNotFound(err)) {
    return new ObjectNotFoundError(bucket, key);
  }
  if (conditional && isConditionalConflict(err)) {
    return new ObjectExistsError(bucket, key);
  }
  return backendError(err, operation, bucket, key);
}

export function backendError(
  err: unknown,
  operation: string,
  bucket: string,
  key: string,
  extra: Record<string, unknown> = {},
): BackendError {
  const code = s3Code(err);
  const message = (err as SdkErrorShape)?.message ?? String(err);
  return new BackendError(
    `s3 ${operation} failed for s3://${bucket}/${key}: ${code ? `${code}: ` : ""}${message}`,
    { bucket, key, operation, code, status: s3Status(err), attempts: s3Attempts(err), ...extra },
    { cause: err },
  );
}
