/**
 * The stateless half: functions, their triggers, failure queues and alarms. It can be destroyed
 * and redeployed freely; the data it works on lives in the data stack.
 */
import { Annotations, Arn, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { type DeployConfig, exportRequest } from "../config.js";
import { grantPrefixes } from "../constructs/access.js";
import { LakelineFunction } from "../constructs/lakeline-function.js";
import { parseCron } from "../cron.js";
import {
  ATHENA_RESULTS_PREFIX,
  BUNDLED_SCHEMAS_DIR,
  LINEAGE_PREFIXES,
  RAW_SUFFIXES,
  WAREHOUSE_META_PREFIXES,
} from "../layout.js";
import type { DataStack } from "./data-stack.js";

export interface PipelineEntries {
  readonly ingest: string;
  /** Wired when the export function exists. */
  readonly export?: string;
  /** Wired when the replay function exists (invoked on demand, no trigger). */
  readonly replay?: string;
}

export interface PipelineStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly data: DataStack;
  readonly entries: PipelineEntries;
  readonly projectRoot: string;
  readonly schemasDir: string;
}

export class PipelineStack extends Stack {
  readonly ingest: LakelineFunction;
  readonly export?: LakelineFunction;
  readonly replay?: LakelineFunction;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const datasets = data.catalog.datasets;
    const datasetPrefixes = datasets.map((d) => `${d}/`);
    const warehousePrefixes = [...datasetPrefixes, ...WAREHOUSE_META_PREFIXES];
    const alarmTopic = config.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, "AlarmTopic", config.alarmTopicArn)
      : undefined;

    const environment = {
      LAKELINE_RAW_BUCKET: data.raw.bucketName,
      LAKELINE_WAREHOUSE_BUCKET: data.warehouse.bucketName,
      LAKELINE_QUARANTINE_BUCKET: data.quarantine.bucketName,
      LAKELINE_EXPORTS_BUCKET: data.exports.bucketName,
      LAKELINE_LINEAGE_BUCKET: data.lineage.bucketName,
      LAKELINE_FAILED_BUCKET: data.failed.bucketName,
      // LAMBDA_TASK_ROOT: bundling.ts copies schemas/ beside index.mjs.
      LAKELINE_SCHEMAS: `/var/task/${BUNDLED_SCHEMAS_DIR}`,
      LAKELINE_GLUE_DATABASE: data.catalog.databaseName,
      LAKELINE_ATHENA_WORKGROUP: data.workgroup.ref,
      LAKELINE_LINEAGE_BUS: data.lineageBus.eventBusName,
      LAKELINE_MAX_BLOB_BYTES: String(config.maxBlobBytes),
      LAKELINE_TMP: "/tmp",
    };
    const common = {
      environment,
      projectRoot: props.projectRoot,
      schemasDir: props.schemasDir,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      ...(alarmTopic ? { alarmTopic } : {}),
    };

    /** What ingest and replay both do: read raw, write the dataset zones and lineage. */
    const grantIngestAccess = (fn: LakelineFunction) => {
      grantPrefixes(
        fn.role,
        data.raw,
        { read: [""], versions: true },
        "reads any uploaded blob it is notified about; read-only",
      );
      grantPrefixes(
        fn.role,
        data.warehouse,
        { read: warehousePrefixes, write: warehousePrefixes },
        "writes Parquet partitions of the datasets that have schemas, and run markers, content claims, statistics, reports",
      );
      grantPrefixes(
        fn.role,
        data.quarantine,
        { read: datasetPrefixes, write: datasetPrefixes },
        "writes rejected rows and blobs of the datasets that have schemas",
      );
      grantPrefixes(
        fn.role,
        data.lineage,
        { read: LINEAGE_PREFIXES, write: LINEAGE_PREFIXES },
        "appends OpenLineage events and ML-Metadata records, reading earlier ones",
      );
      grantPrefixes(
        fn.role,
        data.failed,
        { read: datasetPrefixes, write: datasetPrefixes },
        "records failed runs per dataset, which replay reads back",
      );
      data.lineageBus.grantPutEventsTo(fn.role);
    };

    this.ingest = new LakelineFunction(this, "Ingest", {
      ...common,
      entry: props.entries.ingest,
      service: "ingest",
      description: "lakeline ingest: validate a raw upload and write Parquet, quarantine and lineage",
      settings: config.ingest,
    });
    grantIngestAccess(this.ingest);

    // The raw bucket is referenced by attributes so its notification configuration lives in this
    // stack; attaching it to the data stack's bucket object would make the two stacks depend on
    // each other (bucket → function ARN → bucket name).
    const raw = s3.Bucket.fromBucketAttributes(this, "RawBucket", {
      bucketArn: data.raw.bucketArn,
      bucketName: data.raw.bucketName,
    });
    const destination = new s3n.LambdaDestination(this.ingest.function);
    for (const suffix of RAW_SUFFIXES)
      raw.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { suffix });

    if (props.entries.replay) {
      this.replay = new LakelineFunction(this, "Replay", {
        ...common,
        entry: props.entries.replay,
        service: "replay",
        description: "lakeline replay: re-run ingest over raw objects already in the lake",
        settings: config.ingest,
      });
      grantIngestAccess(this.replay);
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
      grantPrefixes(
        fn.role,
        data.warehouse,
        { read: warehousePrefixes },
        "snapshots dataset tables (Athena reads them with this role's credentials); read-only",
      );
      grantPrefixes(
        fn.role,
        data.exports,
        { read: [""], write: [""] },
        "the exports bucket is a DVC remote of content-addressed files this function owns",
      );
      grantPrefixes(
        fn.role,
        data.lineage,
        { read: LINEAGE_PREFIXES, write: LINEAGE_PREFIXES },
        "appends OpenLineage events and ML-Metadata records, reading earlier ones",
      );
      // Athena runs with the caller's credentials: it reads the warehouse and writes results as us.
      grantPrefixes(
        fn.role,
        data.athenaResults,
        { read: [ATHENA_RESULTS_PREFIX], write: [ATHENA_RESULTS_PREFIX] },
        "Athena writes and the function reads query results under the workgroup's output prefix",
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["s3:GetBucketLocation"],
          resources: [data.athenaResults.bucketArn, data.warehouse.bucketArn],
        }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StopQueryExecution",
            "athena:GetWorkGroup",
          ],
          resources: [
            Arn.format({ service: "athena", resource: "workgroup", resourceName: data.workgroup.ref }, this),
          ],
        }),
      );
      const glueArn = (resource: string, resourceName?: string) =>
        Arn.format({ service: "glue", resource, ...(resourceName ? { resourceName } : {}) }, this);
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:GetPartition",
            "glue:GetPartitions",
          ],
          resources: [
            glueArn("catalog"),
            glueArn("database", data.catalog.databaseName),
            ...data.catalog.tableNames.map((t) => glueArn("table", `${data.catalog.databaseName}/${t}`)),
          ],
        }),
      );
      data.lineageBus.grantPutEventsTo(fn.role);

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
        `lakeline.config.json schedules ${config.exports.length} export(s) but there is no export function entry; no schedule was created`,
      );
    }
  }
}
