/**
 * The topic lakeline's alarms notify when lakeline.config.json names none: an alarm that changes
 * state with nobody told is no alarm. Subscribe to it (the stack outputs its ARN) or name an
 * existing topic in `alarmTopicArn`.
 *
 * Encrypted with a key of its own: CloudWatch can publish to an encrypted topic only when the key's
 * policy lets cloudwatch.amazonaws.com use it, which the AWS-managed alias/aws/sns key never does.
 */
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";

export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, "Key", {
      description: "lakeline alarm notifications",
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.topic = new sns.Topic(this, "Topic", {
      displayName: "lakeline alarms",
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
      }),
    );
  }
}
