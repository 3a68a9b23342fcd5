/**
 * Least-privilege S3 statements by prefix. CDK's bucket.grant* helpers add actions lakeline never
 * needs (s3:DeleteObject*, tagging, retention): lakeline writes and reads but never deletes, so
 * the statements are spelled out here.
 */
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";
import { acknowledge, objectWildcardFinding } from "../nag.js";

export interface PrefixAccess {
  /** Key prefixes (ending in `/`) readable; `""` means the whole bucket. */
  readonly read?: readonly string[];
  /** Key prefixes writable (create/overwrite, multipart); `""` means the whole bucket. */
  readonly write?: readonly string[];
  /** Read object versions too (the raw zone is versioned and lineage names versions). */
  readonly versions?: boolean;
}

const objectArns = (bucket: s3.IBucket, prefixes: readonly string[]) =>
  prefixes.map((p) => bucket.arnForObjects(`${p}*`));

export function prefixStatements(bucket: s3.IBucket, access: PrefixAccess): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const read = access.read ?? [];
  const write = access.write ?? [];
  if (read.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: access.versions ? ["s3:GetObject", "s3:GetObjectVersion"] : ["s3:GetObject"],
        resources: objectArns(bucket, read),
      }),
    );
    // S3 answers a GET/HEAD of a missing key with 404 only to a caller allowed s3:ListBucket on the
    // bucket, and that check carries no s3:prefix: a prefix-conditioned grant would turn every
    // "not there yet" (commit markers, lineage, outputs) into a 403 AccessDenied. Listing reveals
    // key names only; object reads stay limited to the prefixes above.
    statements.push(new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [bucket.bucketArn] }));
  }
  if (write.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: objectArns(bucket, write),
      }),
    );
  }
  return statements;
}

/**
 * Grant the statements to `role` and acknowledge, on `role`, the cdk-nag wildcard finding each
 * object ARN (`<bucket>/<prefix>*`) raises: object keys are open-ended by nature, and `why` says
 * why this role needs that part of that bucket.
 */
export function grantPrefixes(
  role: iam.IRole & IConstruct,
  bucket: s3.IBucket,
  access: PrefixAccess,
  why: string,
): void {
  for (const s of prefixStatements(bucket, access)) role.addToPrincipalPolicy(s);
  const prefixes = new Set([...(access.read ?? []), ...(access.write ?? [])]);
  for (const prefix of prefixes) {
    const scope = prefix === "" ? "every object of the bucket" : `only objects under ${prefix}`;
    acknowledge(role, objectWildcardFinding(role, bucket, prefix), `${why} (${scope})`);
  }
}
