/**
 * Exactly what each function may touch. Object access is by prefix (see layout.ts); nothing may
 * delete; the only `*` resource is X-Ray's (acknowledged in lakeline-function.ts).
 */
import { Arn, type Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { INVALID_DATASET, PARTS_FOLDER, REJECTED_FOLDER, ROUTED_PREFIX } from "../../src/contract/keys.js";
import { ENTITIES_TABLE_PREFIX } from "../../src/contract/training-set-request.js";
import { grantPrefixes } from "../constructs/access.js";
import type { LakelineFunction } from "../constructs/lakeline-function.js";
import { ATHENA_RESULTS_PREFIX, LINEAGE_PREFIXES, WAREHOUSE_META_PREFIXES } from "../layout.js";
import { acknowledge } from "../nag.js";
import type { DataRefs, ZoneBucket } from "./data-refs.js";

export type ZoneBuckets = Readonly<Record<ZoneBucket, s3.IBucket>>;

const datasetPrefixes = (refs: DataRefs) => refs.datasets.map((d) => `${d}/`);
const warehousePrefixes = (refs: DataRefs) => [...datasetPrefixes(refs), ...WAREHOUSE_META_PREFIXES];

function grantLineage(fn: LakelineFunction, buckets: ZoneBuckets, refs: DataRefs): void {
  grantPrefixes(
    fn.role,
    buckets.lineage,
    { read: LINEAGE_PREFIXES, write: LINEAGE_PREFIXES },
    "appends OpenLineage events and ML-Metadata records, reading earlier ones",
  );
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ["events:PutEvents"], resources: [refs.lineageBusArn] }),
  );
}

/** Ingest: read raw, write the dataset's warehouse, quarantine and failed records. */
export function grantIngestAccess(fn: LakelineFunction, buckets: ZoneBuckets, refs: DataRefs): void {
  const datasets = datasetPrefixes(refs);
  const warehouse = warehousePrefixes(refs);
  grantPrefixes(
    fn.role,
    buckets.raw,
    { read: [""], versions: true, write: [`*/*/${PARTS_FOLDER}/`] },
    "reads any uploaded blob it is notified about; writes only the parts of a blob too large for one invocation (the blob itself is never written)",
  );
  grantPrefixes(
    fn.role,
    buckets.warehouse,
    { read: warehouse, write: warehouse },
    "writes Parquet partitions of the datasets that have schemas, and run markers, content claims, statistics, reports",
  );
  grantPrefixes(
    fn.role,
    buckets.quarantine,
    { read: datasets, write: datasets },
    "writes rejected rows and blobs of the datasets that have schemas",
  );
  // A blob is rejected whole under the dataset its key names, schema or not (a typo in the dataset
  // folder must be reported, not denied), or under _invalid/ when the key names none.
  grantPrefixes(
    fn.role,
    buckets.quarantine,
    { write: [`*/${REJECTED_FOLDER}/`, `${INVALID_DATASET}/`] },
    "writes blobs rejected whole, whatever dataset their key names",
  );
  grantPrefixes(
    fn.role,
    buckets.failed,
    { read: datasets, write: [...datasets, ROUTED_PREFIX] },
    "records failed runs per dataset, which replay reads back, and blobs routed past one invocation",
  );
  grantLineage(fn, buckets, refs);
}

/** Export: query the warehouse through Athena, write the DVC remote and lineage. */
export function grantExportAccess(
  stack: Stack,
  fn: LakelineFunction,
  buckets: ZoneBuckets,
  refs: DataRefs,
): void {
  grantPrefixes(
    fn.role,
    buckets.warehouse,
    { read: warehousePrefixes(refs) },
    "snapshots committed dataset runs (Athena reads them with this role's credentials); read-only",
  );
  grantPrefixes(
    fn.role,
    buckets.exports,
    { read: [""], write: [""] },
    "the exports bucket is a DVC remote of content-addressed files only this function writes",
  );
  // Athena runs with the caller's credentials: it writes query results as this role.
  grantPrefixes(
    fn.role,
    buckets.athenaResults,
    { read: [ATHENA_RESULTS_PREFIX], write: [ATHENA_RESULTS_PREFIX] },
    "Athena writes, and the function reads, query results under the workgroup's output prefix",
  );
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      // Athena looks up the region of every bucket it reads or writes, UNLOAD's target included.
      actions: ["s3:GetBucketLocation"],
      resources: [buckets.athenaResults.bucketArn, buckets.warehouse.bucketArn, buckets.exports.bucketArn],
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
        Arn.format({ service: "athena", resource: "workgroup", resourceName: refs.workgroupName }, stack),
      ],
    }),
  );
  const glueArn = (resource: string, resourceName?: string) =>
    Arn.format({ service: "glue", resource, ...(resourceName ? { resourceName } : {}) }, stack);
  const entityTables = glueArn("table", `${refs.glueDatabaseName}/${ENTITIES_TABLE_PREFIX}*`);
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
        glueArn("database", refs.glueDatabaseName),
        ...refs.glueTableNames.map((t) => glueArn("table", `${refs.glueDatabaseName}/${t}`)),
        entityTables,
      ],
    }),
  );
  // Training sets: the entity file, uploaded to the run's staging prefix, is registered as a
  // table for the query and dropped after; only tables of that name prefix.
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["glue:CreateTable", "glue:DeleteTable"],
      resources: [glueArn("catalog"), glueArn("database", refs.glueDatabaseName), entityTables],
    }),
  );
  acknowledge(
    fn.role,
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/" +
      `${refs.glueDatabaseName}/${ENTITIES_TABLE_PREFIX}*]`,
    "each training set registers its entity file as a table named per run and attempt; only that name prefix",
  );
  grantLineage(fn, buckets, refs);
}
