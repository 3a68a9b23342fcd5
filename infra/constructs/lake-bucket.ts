/**
 * Every lakeline bucket, with the secure defaults in one place.
 *
 * Encryption: SSE-S3 (AES-256, S3-managed keys), deliberately not SSE-KMS.
 * - The access-log bucket cannot use SSE-KMS at all (S3 server access logging rejects it), so
 *   one KMS key could never cover every bucket anyway.
 * - SSE-KMS would add a key policy that Lambda, Athena and every analyst role must be granted
 *   (kms:Decrypt/GenerateDataKey), and per-request KMS cost, for no gain in this threat model:
 *   access is already gated by IAM prefixes, TLS-only bucket policies and blocked public access.
 * Choose SSE-KMS (with bucket keys, to keep KMS request cost down) when you need key-level audit or
 * separation of duties; see docs/deploy.md.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export interface LakeBucketProps {
  /** Keep every version of every object (the raw zone: blobs are never modified). @default false */
  readonly versioned?: boolean;
  /** Where S3 server access logs go; unset only for the access-log bucket itself. */
  readonly accessLogs?: s3.IBucket;
  /** Log objects are written under this prefix of the access-log bucket. @default the construct id + "/" */
  readonly accessLogPrefix?: string;
  /** @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
  /** Delete objects after this many days (scratch buckets only). @default never */
  readonly expireAfterDays?: number;
  /** Transition current objects to Standard-IA after this many days. @default never */
  readonly infrequentAccessAfterDays?: number;
  /** Prefixes of scratch objects, deleted this many days after they were written. @default none */
  readonly scratchPrefixes?: readonly { readonly prefix: string; readonly expireAfterDays: number }[];
}

export class LakeBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeBucketProps = {}) {
    super(scope, id);
    const transitions = props.infrequentAccessAfterDays
      ? [
          {
            storageClass: s3.StorageClass.INFREQUENT_ACCESS,
            transitionAfter: Duration.days(props.infrequentAccessAfterDays),
          },
        ]
      : undefined;
    this.bucket = new s3.Bucket(this, "Bucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: props.accessLogs
        ? (props.accessLogPrefix ?? `${id.toLowerCase()}/`)
        : undefined,
      // Data outlives the stack: `cdk destroy` leaves the buckets (and their contents) in place.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: "abort-incomplete-multipart-uploads",
          abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteMultipartUploadDays ?? 7),
          ...(props.expireAfterDays ? { expiration: Duration.days(props.expireAfterDays) } : {}),
          ...(transitions ? { transitions } : {}),
        },
        ...(props.scratchPrefixes ?? []).map((p) => ({
          id: `expire-${p.prefix.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
          prefix: p.prefix,
          expiration: Duration.days(p.expireAfterDays),
        })),
      ],
    });
  }
}
