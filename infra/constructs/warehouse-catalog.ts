/**
 * The Glue catalog Athena queries: one database, one table per dataset and one quarantine table per
 * dataset, generated at synth from `schemas/` through the same `warehouseTable()` the local DuckDB
 * views use, so SQL written against the laptop lake runs unchanged in Athena. Partitions are never
 * registered: partition projection computes them from the `ingest_date=YYYY-MM-DD/` key layout,
 * so ingest needs no Glue permissions and no crawler runs.
 */
import { type CfnResource, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as glue from "aws-cdk-lib/aws-glue";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  committedViewName,
  committedViewSql,
  historyViewName,
  historyViewSql,
  RUNS_TABLE_COLUMNS,
  runsTableName,
  runsViewSql,
} from "../../src/contract/committed-view.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import {
  glueType,
  PARTITION_KEYS,
  QUARANTINE_COLUMNS,
  warehouseTable,
} from "../../src/contract/warehouse.js";
import { quarantineTableName } from "../layout.js";
import {
  lineageTableInput,
  parquetTableInput,
  runsLinesTableInput,
  viewTableInput,
} from "./glue-table-inputs.js";

export interface WarehouseCatalogProps {
  readonly databaseName: string;
  readonly schemasDir: string;
  readonly warehouse: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly lineage: s3.IBucket;
}

export class WarehouseCatalog extends Construct {
  readonly databaseName: string;
  /** Every table name, for scoping Glue read permissions. */
  readonly tableNames: string[] = [];
  readonly datasets: string[];

  constructor(scope: Construct, id: string, props: WarehouseCatalogProps) {
    super(scope, id);
    const registry = new SchemaRegistry(props.schemasDir);
    this.datasets = registry.datasets();
    if (this.datasets.length === 0)
      throw new Error(`lakeline infra: no dataset schemas found in ${props.schemasDir}`);

    const database = new glue.CfnDatabase(this, "Database", {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: props.databaseName,
        description: "lakeline warehouse: validated, partitioned Parquet (tables generated from schemas/)",
      },
    });
    retain(database);
    this.databaseName = props.databaseName;

    for (const dataset of this.datasets) {
      const table = warehouseTable(registry.loadAll(dataset).map((l) => l.schema));
      const versions = registry.versions(dataset).join(",");
      this.table(
        database,
        `${dataset}Table`,
        parquetTableInput({
          name: table.name,
          description: `${dataset}: validated rows (schema versions ${versions})`,
          location: `s3://${props.warehouse.bucketName}/${dataset}/`,
          columns: table.columns,
        }),
      );
      this.table(
        database,
        `${dataset}RunsLinesTable`,
        runsLinesTableInput(dataset, props.warehouse.bucketName),
      );
      const runsColumns = RUNS_TABLE_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
      this.table(
        database,
        `${dataset}RunsView`,
        viewTableInput(this.databaseName, {
          name: runsTableName(dataset),
          description: `${dataset}: commit markers of ingest runs, one row each (a run's rows count once its marker exists)`,
          sql: runsViewSql(this.databaseName, dataset),
          columns: runsColumns,
        }),
      );
      const rowColumns = [...table.columns, ...PARTITION_KEYS].map((c) => ({
        name: c.name,
        type: glueType(c.type),
        ...(c.comment ? { comment: c.comment } : {}),
      }));
      this.table(
        database,
        `${dataset}CommittedView`,
        viewTableInput(this.databaseName, {
          name: committedViewName(dataset),
          description: `${dataset}: each source blob's latest committed processing`,
          sql: committedViewSql(this.databaseName, dataset),
          columns: rowColumns,
        }),
      );
      this.table(
        database,
        `${dataset}HistoryView`,
        viewTableInput(this.databaseName, {
          name: historyViewName(dataset),
          description: `${dataset}: the rows of every committed processing, replaced ones included`,
          sql: historyViewSql(this.databaseName, dataset),
          columns: rowColumns,
        }),
      );
      this.table(
        database,
        `${dataset}QuarantineTable`,
        parquetTableInput({
          name: quarantineTableName(dataset),
          description: `${dataset}: rejected rows with the reasons they failed validation`,
          location: `s3://${props.quarantine.bucketName}/${dataset}/`,
          columns: QUARANTINE_COLUMNS,
        }),
      );
    }
    this.table(database, "LineageTable", lineageTableInput(props.lineage.bucketName));
  }

  /** One Glue table or view of the database, its name unique across the catalog; kept on stack deletion. */
  private table(database: glue.CfnDatabase, id: string, tableInput: glue.CfnTable.TableInputProperty): void {
    const name = tableInput.name!;
    if (this.tableNames.includes(name))
      throw new Error(`lakeline infra: Glue table name ${name} is generated twice (rename the dataset)`);
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput,
    });
    table.addResourceDependency(database);
    retain(table);
    this.tableNames.push(name);
  }
}

function retain(resource: CfnResource): void {
  resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
}
