/**
 * The online feature store: one DynamoDB table, items keyed by `pk` = `<view>#<entity key>` and
 * written only if newer (see src/adapters/aws/dynamodb-online-store.ts). On demand (no capacity to
 * size), encrypted at rest, point-in-time recovery on. It can be rebuilt from the warehouse
 * (`lakeline features materialize`), but serving reads it, so it is retained like the data.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";

export interface OnlineFeatureTableProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class OnlineFeatureTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: OnlineFeatureTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, "Table", {
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
