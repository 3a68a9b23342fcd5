/**
 * cdk-nag (AwsSolutions) acknowledgements. cdk-nag 3 matches each finding by its exact id, e.g.
 * `AwsSolutions-IAM5[Resource::<WarehouseBucket….Arn>/penguins/*]`, so the ids are computed from
 * the resources they are about, next to the grant or construct that causes them, each with the
 * reason it is acceptable. Nothing is acknowledged wholesale.
 */
import { Stack, Validations } from "aws-cdk-lib";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * cdk-nag's rendering of an IAM resource (its flattenCfnReference): Fn::Join is joined,
 * Fn::ImportValue becomes the export name, Fn::GetAtt `<Id.Attr>`, Ref `<Id>`.
 */
function render(node: unknown): string {
  if (typeof node === "string") return node.replace(/\$\{/g, "<").replace(/}/g, ">");
  const o = node as Record<string, unknown>;
  if (Array.isArray(o["Fn::Join"])) {
    const [delimiter, items] = o["Fn::Join"] as [string, unknown[]];
    return items.map(render).join(delimiter);
  }
  if (o["Fn::ImportValue"] !== undefined) return render(o["Fn::ImportValue"]);
  if (Array.isArray(o["Fn::GetAtt"])) return `<${(o["Fn::GetAtt"] as string[]).map(render).join(".")}>`;
  if (o.Ref !== undefined) return `<${render(o.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * The IAM5 finding id for the object ARN `<bucket>/<prefix>*` as seen from `scope`'s stack. Stable
 * only for values that are not CDK cross-stack references (DataRefs imports are plain intrinsics).
 */
export function objectWildcardFinding(scope: IConstruct, bucket: s3.IBucket, prefix: string): string {
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(bucket.arnForObjects(`${prefix}*`)))}]`;
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
