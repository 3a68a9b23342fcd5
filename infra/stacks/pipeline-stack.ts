/**
 * The stateless half: functions, their triggers, failure queues and alarms. It can be destroyed
 * and redeployed freely; the data it works on lives in the data stack, imported through DataRefs.
 */
import { Annotations, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { functionEnvironment } from "../../src/contract/env.js";
import { type DeployConfig, exportRequest, maxDecompressedBytes } from "../config.js";
import { AlarmTopic } from "../constructs/alarm-topic.js";
import { FeatureFunctions } from "../constructs/feature-functions.js";
import { LakelineFunction } from "../constructs/lakeline-function.js";
import { parseCron } from "../cron.js";
import { BUNDLED_SCHEMAS_DIR } from "../layout.js";
import { type DataRefs, ZONE_BUCKETS } from "./data-refs.js";
import { grantExportAccess, grantIngestAccess, type ZoneBuckets } from "./pipeline-grants.js";

export interface PipelineEntries {
  readonly ingest: string;
  /** Wired when the export function exists. */
  readonly export?: string;
  /** The online-feature materializer (commit marker → DynamoDB); wired when it exists. */
  readonly materialize?: string;
  /** The online-feature read function; wired with the materializer. */
  readonly featuresGet?: string;
}

export interface PipelineStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly data: DataRefs;
  readonly entries: PipelineEntries;
  readonly projectRoot: string;
  readonly schemasDir: string;
}

export class PipelineStack extends Stack {
  readonly ingest: LakelineFunction;
  readonly export?: LakelineFunction;
  readonly features?: FeatureFunctions;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const buckets = Object.fromEntries(
      ZONE_BUCKETS.map((zone) => [
        zone,
        s3.Bucket.fromBucketAttributes(this, `${zone}-bucket`, data.buckets[zone]),
      ]),
    ) as ZoneBuckets;
    const alarmTopic = config.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, "AlarmTopic", config.alarmTopicArn)
      : new AlarmTopic(this, "Alarms").topic;
    new CfnOutput(this, "AlarmTopicArn", {
      value: alarmTopic.topicArn,
      description: "the topic every lakeline alarm notifies (subscribe to it)",
    });

    const common = {
      environment: functionEnvironment({
        buckets: {
          raw: data.buckets.raw.bucketName,
          warehouse: data.buckets.warehouse.bucketName,
          quarantine: data.buckets.quarantine.bucketName,
          exports: data.buckets.exports.bucketName,
          lineage: data.buckets.lineage.bucketName,
          failed: data.buckets.failed.bucketName,
        },
        // LAMBDA_TASK_ROOT: bundling.ts copies schemas/ beside index.mjs.
        schemasDir: `/var/task/${BUNDLED_SCHEMAS_DIR}`,
        glueDatabase: data.glueDatabaseName,
        athenaWorkgroup: data.workgroupName,
        lineageBus: data.lineageBusName,
        maxBlobBytes: config.maxBlobBytes,
        maxDecompressedBytes: maxDecompressedBytes(config),
        tmp: "/tmp",
      }),
      projectRoot: props.projectRoot,
      schemasDir: props.schemasDir,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      alarmTopic,
    };

    this.ingest = new LakelineFunction(this, "Ingest", {
      ...common,
      entry: props.entries.ingest,
      service: "ingest",
      description: "lakeline ingest: validate a raw upload and write Parquet, quarantine and lineage",
      settings: config.ingest,
    });
    grantIngestAccess(this.ingest, buckets, data);
    // What an operator needs to re-drive failed events (README: Reliability, "In AWS").
    new CfnOutput(this, "IngestFunctionName", {
      value: this.ingest.function.functionName,
      description: "ingest function",
    });
    new CfnOutput(this, "IngestFailureQueueUrl", {
      value: this.ingest.failures.queueUrl,
      description: "ingest events that exhausted retries",
    });
    // Only the raw bucket notifies, and no function can write to it: outputs never re-trigger ingest.
    // The bucket is imported, so its notification configuration lives in this stack.
    // Every ObjectCreated, unfiltered: S3 suffix filters are case-sensitive, so `data.CSV` or
    // `x.csv.GZIP` would never arrive; the reader decides, and rejects what it cannot read with a reason.
    buckets.raw.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.ingest.function),
    );

    if (props.entries.materialize) {
      this.features = new FeatureFunctions(this, "Features", {
        ...common,
        materializeEntry: props.entries.materialize,
        ...(props.entries.featuresGet ? { readEntry: props.entries.featuresGet } : {}),
        warehouse: buckets.warehouse,
        tableName: data.onlineTableName,
        tableArn: data.onlineTableArn,
      });
      if (this.features.read)
        new CfnOutput(this, "FeaturesGetFunctionName", {
          value: this.features.read.function.functionName,
          description: "online feature read function",
        });
    }

    if (props.entries.export) {
      const fn = new LakelineFunction(this, "Export", {
        ...common,
        entry: props.entries.export,
        service: "export",
        description: "lakeline export: snapshot a dataset into a repeatable train/eval/test split",
        settings: config.export,
      });
      this.export = fn;
      grantExportAccess(this, fn, buckets, data);
      for (const schedule of config.exports) {
        new events.Rule(this, `Export-${schedule.name}`, {
          description: `lakeline export ${schedule.name}: ${schedule.dataset} (${schedule.environment})`,
          schedule: events.Schedule.expression(`cron(${parseCron(schedule.cron)})`),
          targets: [
            new targets.LambdaFunction(fn.function, {
              event: events.RuleTargetInput.fromObject(exportRequest(schedule)),
              // Events EventBridge could not deliver join the function's own failed events.
              deadLetterQueue: fn.failures,
              retryAttempts: 2,
            }),
          ],
        });
      }
    } else if (config.exports.length > 0) {
      Annotations.of(this).addWarningV2(
        "lakeline:export-missing",
        `lakeline.config.json schedules ${config.exports.length} export(s) but functions/export.ts does not exist; no schedule was created`,
      );
    }
  }
}
