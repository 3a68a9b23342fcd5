/**
 * The stateful half: buckets, Glue catalog, Athena workgroup, lineage event bus. Everything here
 * holds data or names that data depends on, so it is RETAINED on `cdk destroy` and deployed apart
 * from the code, which changes far more often (see pipeline-stack.ts).
 */
import { RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as athena from "aws-cdk-lib/aws-athena";
import * as events from "aws-cdk-lib/aws-events";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { EXPORT_STAGING_EXPIRATION_DAYS, EXPORT_STAGING_PREFIX } from "../../src/contract/export-keys.js";
import type { DeployConfig } from "../config.js";
import { LakeBucket, type LakeBucketProps } from "../constructs/lake-bucket.js";
import { OnlineFeatureTable } from "../constructs/online-feature-table.js";
import { WarehouseCatalog } from "../constructs/warehouse-catalog.js";
import { ATHENA_RESULTS_PREFIX } from "../layout.js";
import { type DataRefs, publish, publishBucket, ZONE_BUCKETS, type ZoneBucket } from "./data-refs.js";

export interface DataStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly schemasDir: string;
}

export class DataStack extends Stack {
  readonly raw: s3.Bucket;
  readonly warehouse: s3.Bucket;
  readonly quarantine: s3.Bucket;
  readonly exports: s3.Bucket;
  readonly lineage: s3.Bucket;
  readonly failed: s3.Bucket;
  readonly athenaResults: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly catalog: WarehouseCatalog;
  readonly workgroup: athena.CfnWorkGroup;
  readonly lineageBus: events.EventBus;
  readonly onlineFeatures: OnlineFeatureTable;
  /** The exports the pipeline stack imports. */
  readonly refs: DataRefs;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { storage } = props.config;
    const abort = storage.abortIncompleteMultipartUploadDays;

    this.accessLogs = new LakeBucket(this, "AccessLogs", {
      abortIncompleteMultipartUploadDays: abort,
      expireAfterDays: storage.accessLogExpirationDays,
    }).bucket;
    const bucket = (
      id: string,
      extra: Pick<
        LakeBucketProps,
        "versioned" | "infrequentAccessAfterDays" | "expireAfterDays" | "scratchPrefixes"
      > = {},
    ) =>
      new LakeBucket(this, id, {
        accessLogs: this.accessLogs,
        abortIncompleteMultipartUploadDays: abort,
        ...extra,
      }).bucket;

    // Uploads land in a bucket of their own: the only bucket that triggers ingest, and one no
    // function can write, so no output can ever re-trigger the pipeline.
    this.raw = bucket("Raw", {
      versioned: true,
      infrequentAccessAfterDays: storage.rawInfrequentAccessAfterDays,
    });
    this.warehouse = bucket("Warehouse");
    this.quarantine = bucket("Quarantine");
    // An export on Athena stages UNLOAD output here before publishing it; nothing reads it after.
    this.exports = bucket("Exports", {
      scratchPrefixes: [{ prefix: EXPORT_STAGING_PREFIX, expireAfterDays: EXPORT_STAGING_EXPIRATION_DAYS }],
    });
    this.lineage = bucket("Lineage");
    this.failed = bucket("Failed");
    this.athenaResults = bucket("AthenaResults", { expireAfterDays: storage.athenaResultsExpirationDays });

    this.catalog = new WarehouseCatalog(this, "Catalog", {
      databaseName: props.config.glueDatabaseName,
      schemasDir: props.schemasDir,
      warehouse: this.warehouse,
      quarantine: this.quarantine,
      lineage: this.lineage,
    });

    this.workgroup = new athena.CfnWorkGroup(this, "Workgroup", {
      // Athena requires a name; derive it from the stack so two deployments never collide.
      name: `${this.stackName}-workgroup`,
      description: "lakeline queries: results encrypted, per-query scan cap enforced",
      state: "ENABLED",
      // Deleting the workgroup must not silently delete saved queries.
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.config.athena.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResults.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: "SSE_S3" },
        },
      },
    });

    this.lineageBus = new events.EventBus(this, "LineageBus", {
      description: "lakeline lineage: OpenLineage RunEvents from every ingest and export run",
    });
    this.lineageBus.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.onlineFeatures = new OnlineFeatureTable(this, "OnlineFeatures");

    const buckets = Object.fromEntries(
      ZONE_BUCKETS.map((zone) => [zone, publishBucket(this, zone, this[zone])]),
    ) as Record<ZoneBucket, { bucketName: string; bucketArn: string }>;
    this.refs = {
      buckets,
      lineageBusName: publish(this, "LineageBusName", this.lineageBus.eventBusName, "lineage event bus name"),
      lineageBusArn: publish(this, "LineageBusArn", this.lineageBus.eventBusArn, "lineage event bus ARN"),
      onlineTableName: publish(
        this,
        "OnlineTableName",
        this.onlineFeatures.table.tableName,
        "online feature table name",
      ),
      onlineTableArn: publish(
        this,
        "OnlineTableArn",
        this.onlineFeatures.table.tableArn,
        "online feature table ARN",
      ),
      glueDatabaseName: this.catalog.databaseName,
      glueTableNames: [...this.catalog.tableNames],
      datasets: [...this.catalog.datasets],
      workgroupName: this.workgroup.name,
    };
  }
}
