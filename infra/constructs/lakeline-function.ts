/**
 * The one way lakeline defines a Lambda function. Defaults live here: Node 22, JSON logs with a
 * retention, X-Ray, Powertools settings, an own role (no managed policies), async-invoke retries
 * with an encrypted on-failure queue, and alarms on errors, throttles and failed events.
 */
import { Duration, RemovalPolicy, Size } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { FunctionSettings } from "../config.js";
import { acknowledge } from "../nag.js";
import { type LakelineArchitecture, lakelineBundling } from "./bundling.js";

export interface LakelineFunctionProps {
  /** TypeScript entry exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name, e.g. `ingest`. */
  readonly service: string;
  readonly settings: FunctionSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly schemasDir: string;
  /** @default "x86_64" (see bundling.ts for why) */
  readonly architecture?: LakelineArchitecture;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Alarms notify this topic; unset, they only change state. */
  readonly alarmTopic?: sns.ITopic;
}

export class LakelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  /** Events that failed every attempt or expired land here (async invoke on-failure destination). */
  readonly failures: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: LakelineFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const architecture = props.architecture ?? "x86_64";

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `lakeline ${props.service} function`,
    });
    // The group exists before the function, so the role needs no logs:CreateLogGroup.
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetentionDays ?? 30,
      // Logs belong to the code's lifecycle; the data they describe is retained in the data stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);

    this.failures = new sqs.Queue(this, "Failures", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = new NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: architecture === "arm64" ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      ephemeralStorageSize: Size.mebibytes(settings.ephemeralStorageMb),
      reservedConcurrentExecutions: settings.reservedConcurrency,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      retryAttempts: settings.retryAttempts,
      maxEventAge: Duration.seconds(settings.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.failures),
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      projectRoot: props.projectRoot,
      bundling: lakelineBundling({
        projectRoot: props.projectRoot,
        schemasDir: props.schemasDir,
        architecture,
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: "lakeline",
        POWERTOOLS_LOG_LEVEL: "INFO",
        POWERTOOLS_LOGGER_LOG_EVENT: "false",
        // Stack traces point at the TypeScript sources.
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
    });

    acknowledge(
      this.failures,
      "AwsSolutions-SQS3",
      "this queue is itself the dead-letter destination of the function's async invocations",
    );
    acknowledge(
      this.function,
      "AwsSolutions-L1",
      "Node.js 22 is the runtime lakeline is built and tested for (package engines >=20; CI runs 20 and 22)",
    );
    acknowledge(
      this.role,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions",
    );

    this.alarm(
      "Errors",
      this.function.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
      "invocations failed",
    );
    this.alarm(
      "Throttles",
      this.function.metricThrottles({ period: Duration.minutes(5), statistic: "Sum" }),
      "invocations were throttled",
    );
    this.alarm(
      "FailedEvents",
      this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: "Maximum",
      }),
      "events exhausted their retries and wait in the on-failure queue",
    );
    if (props.alarmTopic)
      for (const a of this.alarms) a.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }

  private alarm(id: string, metric: cloudwatch.IMetric, what: string): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, `${id}Alarm`, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `lakeline ${this.node.path}: ${what}`,
      }),
    );
  }
}
