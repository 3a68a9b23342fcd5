/**
 * The feature store in the CDK app: the online table (data stack, retained, encrypted, recoverable,
 * on demand), the materializer triggered by commit markers in the warehouse bucket, the read
 * function, least-privilege access, and no unacknowledged cdk-nag finding.
 */
import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flatten, resourcesOf, type Synthesized, synthLakeline } from "./synth.js";

let synth: Synthesized;
beforeAll(() => {
  synth = synthLakeline({ bundle: false });
});
afterAll(() => synth?.cleanup());

const functions = () => resourcesOf(synth.pipelineTemplate, "AWS::Lambda::Function");
function functionId(service: string): string {
  const id = Object.keys(functions()).find((k) =>
    String(functions()[k]!.Properties.Description).startsWith(`lakeline ${service}:`),
  );
  if (!id) throw new Error(`no ${service} function`);
  return id;
}
function actionsOf(fnId: string): { actions: string[]; resources: string[] }[] {
  const roleId = (functions()[fnId]!.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return Object.values(resourcesOf(synth.pipelineTemplate, "AWS::IAM::Policy"))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    )
    .map((s) => ({
      actions: [s.Action].flat(),
      resources: [s.Resource].flat().map(flatten),
    }));
}

describe("online feature table", () => {
  it("is an on-demand DynamoDB table keyed by pk, encrypted, recoverable, protected and retained", () => {
    synth.dataTemplate.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it("has no physical name and is exported for the pipeline stack", () => {
    const [table] = Object.values(resourcesOf(synth.dataTemplate, "AWS::DynamoDB::GlobalTable"));
    expect(table!.Properties.TableName).toBeUndefined();
    synth.dataTemplate.hasOutput("OnlineTableName", { Export: { Name: "LakelineData-OnlineTableName" } });
    synth.dataTemplate.hasOutput("OnlineTableArn", { Export: { Name: "LakelineData-OnlineTableArn" } });
  });
});

describe("materializer and read functions", () => {
  it("runs the materializer on every commit marker created in the warehouse bucket", () => {
    const configs = Object.values(
      resourcesOf(synth.pipelineTemplate, "Custom::S3BucketNotifications"),
    ).filter((n) => flatten(n.Properties.BucketName) === "LakelineData-WarehouseBucketName");
    expect(configs).toHaveLength(1);
    const lambdas = (
      configs[0]!.Properties.NotificationConfiguration as {
        LambdaFunctionConfigurations: Record<string, unknown>[];
      }
    ).LambdaFunctionConfigurations;
    expect(lambdas).toEqual([
      {
        Events: ["s3:ObjectCreated:*"],
        Filter: {
          Key: {
            FilterRules: [
              { Name: "suffix", Value: ".json" },
              { Name: "prefix", Value: "_runs/" },
            ],
          },
        },
        LambdaFunctionArn: { "Fn::GetAtt": [functionId("materialize"), "Arn"] },
      },
    ]);
  });

  it("gives both functions the table's name, on Node 22", () => {
    for (const service of ["materialize", "features-get"]) {
      synth.pipelineTemplate.hasResourceProperties("AWS::Lambda::Function", {
        Description: Match.stringLikeRegexp(`^lakeline ${service}:`),
        Runtime: "nodejs22.x",
        Environment: {
          Variables: Match.objectLike({
            LAKELINE_ONLINE_TABLE: { "Fn::ImportValue": "LakelineData-OnlineTableName" },
          }),
        },
      });
    }
  });

  it("lets the materializer put and read items and read the warehouse, and the reader only get items", () => {
    const table = "LakelineData-OnlineTableArn";
    const materialize = actionsOf(functionId("materialize"));
    const read = actionsOf(functionId("features-get"));
    expect(materialize.filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")))).toEqual([
      {
        actions: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"],
        resources: [table],
      },
    ]);
    expect(materialize.flatMap((s) => s.actions).filter((a) => a.startsWith("s3:Put"))).toEqual([]);
    expect(read.filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")))).toEqual([
      { actions: ["dynamodb:GetItem"], resources: [table] },
    ]);
    expect(read.flatMap((s) => s.actions).filter((a) => a.startsWith("s3:"))).toEqual([]);
  });

  it("leaves no unacknowledged cdk-nag finding", () => {
    expect(synth.nagViolations).toEqual([]);
  });
});
