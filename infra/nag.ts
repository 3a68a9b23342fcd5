/**
 * cdk-nag (AwsSolutions) acknowledgements. cdk-nag 3 matches each finding by its exact id, e.g.
 * `AwsSolutions-IAM5[Resource::<WarehouseBucket….Arn>/penguins/*]`, so the ids are computed from
 * the resources they are about, next to the grant or construct that causes them, each with the
 * reason it is acceptable. Nothing is acknowledged wholesale.
 */
import { type CfnResource, Stack, Validations } from "aws-cdk-lib";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding id for `arn:…:<bucket>/<prefix>*`, or undefined for imported buckets. */
export function objectWildcardFinding(bucket: s3.IBucket, prefix: string): string | undefined {
  const cfn = bucket.node.defaultChild as CfnResource | undefined;
  if (!cfn) return undefined;
  const logicalId = Stack.of(cfn).resolve(cfn.logicalId) as string;
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`;
}

/** Findings on constructs CDK adds by itself, not on lakeline's own. */
export function acknowledgeFrameworkFindings(stack: Stack): void {
  for (const child of stack.node.children) {
    // The singleton Lambda behind S3 bucket notifications (CDK's own custom resource).
    if (child.node.id.startsWith("BucketNotificationsHandler")) {
      acknowledge(
        child,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's bucket-notification custom resource only writes its own logs; its role is defined by aws-cdk-lib and runs once per deploy.",
      );
    }
  }
}
