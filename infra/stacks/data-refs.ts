/**
 * What the pipeline stack needs from the data stack, passed as explicit CloudFormation exports
 * (`Fn::ImportValue` of stable names such as `LakelineData-WarehouseBucketArn`) instead of CDK's
 * implicit cross-stack references. Two reasons:
 * - the exports are a deliberate, small contract; the pipeline can be replaced without touching data;
 * - the imported values render the same at every synth phase, so cdk-nag findings on prefix-scoped
 *   IAM resources have stable ids that can be acknowledged one by one (see nag.ts).
 */
import { CfnOutput, Fn, type Stack } from "aws-cdk-lib";

export const ZONE_BUCKETS = [
  "raw",
  "warehouse",
  "quarantine",
  "exports",
  "lineage",
  "failed",
  "athenaResults",
] as const;
export type ZoneBucket = (typeof ZONE_BUCKETS)[number];

export interface BucketRef {
  readonly bucketName: string;
  readonly bucketArn: string;
}

export interface DataRefs {
  readonly buckets: Readonly<Record<ZoneBucket, BucketRef>>;
  readonly lineageBusName: string;
  readonly lineageBusArn: string;
  /** The online feature store's DynamoDB table. */
  readonly onlineTableName: string;
  readonly onlineTableArn: string;
  /** Plain strings known at synth (no import needed). */
  readonly glueDatabaseName: string;
  readonly glueTableNames: readonly string[];
  readonly datasets: readonly string[];
  readonly workgroupName: string;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Declare an export in `stack` and return the matching import expression. */
export function publish(stack: Stack, id: string, value: string, description: string): string {
  const exportName = `${stack.stackName}-${id}`;
  new CfnOutput(stack, id, { value, exportName, description });
  return Fn.importValue(exportName);
}

export function publishBucket(stack: Stack, zone: ZoneBucket, bucket: BucketRef): BucketRef {
  const id = `${capitalize(zone)}Bucket`;
  return {
    bucketName: publish(stack, `${id}Name`, bucket.bucketName, `${zone} bucket name`),
    bucketArn: publish(stack, `${id}Arn`, bucket.bucketArn, `${zone} bucket ARN`),
  };
}
