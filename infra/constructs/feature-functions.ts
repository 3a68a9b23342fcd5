/**
 * The feature store's functions: the materializer, run by the warehouse bucket's notification of a
 * new commit marker (`_runs/…/<runId>.json`), and the online read function (invoked directly).
 * Least privilege: the materializer reads the warehouse and conditionally puts items; the reader
 * only gets items.
 */
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { ENV } from "../../src/contract/env.js";
import type { FunctionSettings } from "../config.js";
import { COMMIT_MARKER_PREFIX } from "../layout.js";
import { grantPrefixes } from "./access.js";
import type { LakelineArchitecture } from "./bundling.js";
import { LakelineFunction } from "./lakeline-function.js";

/** Reads one run's Parquet file (DuckDB, one thread) and writes one item per entity. */
export const FEATURE_FUNCTION_SETTINGS: FunctionSettings = {
  memoryMb: 1024,
  timeoutSeconds: 300,
  ephemeralStorageMb: 2048,
  retryAttempts: 2,
  maxEventAgeSeconds: 21600,
};

export interface FeatureFunctionsProps {
  readonly materializeEntry: string;
  readonly readEntry?: string;
  readonly warehouse: s3.IBucket;
  readonly tableName: string;
  readonly tableArn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly schemasDir: string;
  readonly architecture?: LakelineArchitecture;
  readonly logRetentionDays?: number;
  readonly alarmTopic?: sns.ITopic;
  /** @default FEATURE_FUNCTION_SETTINGS */
  readonly settings?: FunctionSettings;
}

export class FeatureFunctions extends Construct {
  readonly materialize: LakelineFunction;
  readonly read?: LakelineFunction;

  constructor(scope: Construct, id: string, props: FeatureFunctionsProps) {
    super(scope, id);
    const common = {
      environment: { ...props.environment, [ENV.onlineTable]: props.tableName },
      projectRoot: props.projectRoot,
      schemasDir: props.schemasDir,
      settings: props.settings ?? FEATURE_FUNCTION_SETTINGS,
      ...(props.architecture ? { architecture: props.architecture } : {}),
      ...(props.logRetentionDays ? { logRetentionDays: props.logRetentionDays } : {}),
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    };
    this.materialize = new LakelineFunction(this, "Materialize", {
      ...common,
      entry: props.materializeEntry,
      service: "materialize",
      description: "lakeline materialize: latest feature values of a committed run into the online store",
    });
    grantPrefixes(
      this.materialize.role,
      props.warehouse,
      { read: [""] },
      "the materializer reads a run's commit marker and the warehouse file it names, anywhere in the warehouse",
    );
    this.materialize.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // DeleteItem: a re-processing that dropped an entity's rows retracts its online value.
        actions: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:DeleteItem"],
        resources: [props.tableArn],
      }),
    );
    props.warehouse.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.materialize.function),
      { prefix: COMMIT_MARKER_PREFIX, suffix: ".json" },
    );

    if (props.readEntry) {
      this.read = new LakelineFunction(this, "Read", {
        ...common,
        entry: props.readEntry,
        service: "features-get",
        description: "lakeline features-get: the online feature values of one entity",
      });
      this.read.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ["dynamodb:GetItem"], resources: [props.tableArn] }),
      );
    }
  }
}
