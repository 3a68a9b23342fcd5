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
  RUNS_LINES_COLUMN,
  RUNS_TABLE_COLUMNS,
  runsLinesTableName,
  runsTableName,
  runsViewSql,
} from "../../src/contract/committed-view.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import {
  glueType,
  PARTITION_KEYS,
  QUARANTINE_COLUMNS,
  type TableColumn,
  warehouseTable,
} from "../../src/contract/warehouse.js";
import { LINEAGE_EVENTS_PREFIX, LINEAGE_TABLE, markerPrefix, quarantineTableName } from "../layout.js";

export interface WarehouseCatalogProps {
  readonly databaseName: string;
  readonly schemasDir: string;
  readonly warehouse: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly lineage: s3.IBucket;
}

/** Text, one row per line (LazySimpleSerDe; its \u0001 field delimiter never occurs in JSON text). */
const TEXT_LINES = {
  inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
  serdeInfo: { serializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe" },
};

/** A Glue (Hive DDL) type as Athena's view metadata spells it (Presto/Trino types). */
export function prestoType(glue: string): string {
  const t = glue.trim().toLowerCase();
  const array = /^array<(.*)>$/.exec(t);
  if (array) return `array(${prestoType(array[1]!)})`;
  const struct = /^struct<(.*)>$/.exec(t);
  if (struct) {
    const fields = struct[1]!.split(",").map((f) => f.split(":") as [string, string]);
    return `row(${fields.map(([name, type]) => `${name} ${prestoType(type)}`).join(",")})`;
  }
  return { string: "varchar", int: "integer", float: "real", timestamp: "timestamp(3)" }[t] ?? t;
}

const PARQUET = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serdeInfo: {
    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    parameters: { "serialization.format": "1" },
  },
};

/** Glue caps column comments at 255 characters. */
function glueColumns(columns: readonly TableColumn[]): glue.CfnTable.ColumnProperty[] {
  return glueCommentsCapped(
    columns.map((c) => ({ name: c.name, type: glueType(c.type), comment: c.comment })),
  );
}

function glueCommentsCapped(
  columns: readonly glue.CfnTable.ColumnProperty[],
): glue.CfnTable.ColumnProperty[] {
  return columns.map(({ comment, ...c }) => ({
    ...c,
    ...(comment ? { comment: comment.length > 255 ? `${comment.slice(0, 252)}...` : comment } : {}),
  }));
}

/**
 * Table parameters for projection over `<location>ingest_date=YYYY-MM-DD/`. They must sit in the
 * TABLE parameters: Athena ignores projection settings in the storage descriptor.
 */
export function projectionParameters(location: string): Record<string, string> {
  return {
    "projection.enabled": "true",
    "projection.ingest_date.type": "date",
    "projection.ingest_date.format": "yyyy-MM-dd",
    "projection.ingest_date.range": "2020-01-01,NOW",
    "projection.ingest_date.interval": "1",
    "projection.ingest_date.interval.unit": "DAYS",
    // Literal ${ingest_date}: Athena substitutes it; CloudFormation only joins strings here.
    "storage.location.template": `${location}ingest_date=\${ingest_date}/`,
  };
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
      this.parquetTable(database, `${dataset}Table`, {
        name: table.name,
        description: `${dataset}: validated rows (schema versions ${versions})`,
        location: `s3://${props.warehouse.bucketName}/${dataset}/`,
        columns: table.columns,
      });
      this.runsLinesTable(database, `${dataset}RunsLinesTable`, dataset, props.warehouse);
      const runsColumns = RUNS_TABLE_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
      this.view(database, `${dataset}RunsView`, {
        name: runsTableName(dataset),
        description: `${dataset}: commit markers of ingest runs, one row each (a run's rows count once its marker exists)`,
        sql: runsViewSql(this.databaseName, dataset),
        columns: runsColumns,
      });
      const rowColumns = [...table.columns, ...PARTITION_KEYS].map((c) => ({
        name: c.name,
        type: glueType(c.type),
        ...(c.comment ? { comment: c.comment } : {}),
      }));
      this.view(database, `${dataset}CommittedView`, {
        name: committedViewName(dataset),
        description: `${dataset}: each source blob's latest committed processing`,
        sql: committedViewSql(this.databaseName, dataset),
        columns: rowColumns,
      });
      this.view(database, `${dataset}HistoryView`, {
        name: historyViewName(dataset),
        description: `${dataset}: the rows of every committed processing, replaced ones included`,
        sql: historyViewSql(this.databaseName, dataset),
        columns: rowColumns,
      });
      this.parquetTable(database, `${dataset}QuarantineTable`, {
        name: quarantineTableName(dataset),
        description: `${dataset}: rejected rows with the reasons they failed validation`,
        location: `s3://${props.quarantine.bucketName}/${dataset}/`,
        columns: QUARANTINE_COLUMNS,
      });
    }
    this.lineageTable(database, props.lineage);
  }

  private parquetTable(
    database: glue.CfnDatabase,
    id: string,
    t: { name: string; description: string; location: string; columns: readonly TableColumn[] },
  ): void {
    if (this.tableNames.includes(t.name)) {
      throw new Error(`lakeline infra: Glue table name ${t.name} is generated twice (rename the dataset)`);
    }
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: t.name,
        description: t.description,
        tableType: "EXTERNAL_TABLE",
        parameters: { classification: "parquet", EXTERNAL: "TRUE", ...projectionParameters(t.location) },
        partitionKeys: glueColumns(PARTITION_KEYS),
        storageDescriptor: { ...PARQUET, location: t.location, columns: glueColumns(t.columns) },
      },
    });
    table.addResourceDependency(database);
    retain(table);
    this.tableNames.push(t.name);
  }

  /** The text of a dataset's commit markers, one row per line (read through `<dataset>_runs`). */
  private runsLinesTable(
    database: glue.CfnDatabase,
    id: string,
    dataset: string,
    warehouse: s3.IBucket,
  ): void {
    const name = runsLinesTableName(dataset);
    this.assertNew(name);
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name,
        description: `${dataset}: lines of the commit markers (query ${runsTableName(dataset)} instead)`,
        tableType: "EXTERNAL_TABLE",
        parameters: { classification: "text", EXTERNAL: "TRUE" },
        storageDescriptor: {
          location: `s3://${warehouse.bucketName}/${markerPrefix(dataset)}`,
          ...TEXT_LINES,
          columns: [{ name: RUNS_LINES_COLUMN, type: "string", comment: "one line of a marker file" }],
        },
      },
    });
    table.addResourceDependency(database);
    retain(table);
    this.tableNames.push(name);
  }

  /**
   * An Athena view (Glue VIRTUAL_VIEW in Athena's "Presto View" encoding) over the database's own
   * tables and views (see src/contract/committed-view.ts).
   */
  private view(
    database: glue.CfnDatabase,
    id: string,
    v: { name: string; description: string; sql: string; columns: readonly glue.CfnTable.ColumnProperty[] },
  ): void {
    this.assertNew(v.name);
    const encoded = {
      originalSql: v.sql,
      catalog: "awsdatacatalog",
      schema: this.databaseName,
      columns: v.columns.map((c) => ({ name: c.name, type: prestoType(c.type!) })),
    };
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: v.name,
        description: v.description,
        tableType: "VIRTUAL_VIEW",
        parameters: { presto_view: "true", comment: "Presto View" },
        viewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(encoded)).toString("base64")} */`,
        viewExpandedText: "/* Presto View */",
        storageDescriptor: { columns: glueCommentsCapped(v.columns), serdeInfo: {} },
      },
    });
    table.addResourceDependency(database);
    retain(table);
    this.tableNames.push(v.name);
  }

  private assertNew(name: string): void {
    if (this.tableNames.includes(name))
      throw new Error(`lakeline infra: Glue table name ${name} is generated twice (rename the dataset)`);
  }

  /**
   * OpenLineage RunEvents as stored by the lineage sink: one JSON document per line under
   * `openlineage/`. Facets vary per producer, so they are exposed as JSON text (query them with
   * json_extract); malformed lines read as NULLs instead of failing every query.
   */
  private lineageTable(database: glue.CfnDatabase, lineage: s3.IBucket): void {
    const ref = "struct<namespace:string,name:string,facets:string>";
    const table = new glue.CfnTable(this, "LineageTable", {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: LINEAGE_TABLE,
        description: "OpenLineage RunEvents emitted by every lakeline run",
        tableType: "EXTERNAL_TABLE",
        parameters: { classification: "json", EXTERNAL: "TRUE" },
        storageDescriptor: {
          location: `s3://${lineage.bucketName}/${LINEAGE_EVENTS_PREFIX}`,
          inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
          outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          serdeInfo: {
            serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
            parameters: { "ignore.malformed.json": "TRUE", "case.insensitive": "TRUE" },
          },
          columns: [
            { name: "eventtype", type: "string", comment: "START, RUNNING, COMPLETE, ABORT, FAIL or OTHER" },
            { name: "eventtime", type: "string", comment: "ISO 8601 time of the event" },
            { name: "producer", type: "string" },
            { name: "schemaurl", type: "string" },
            { name: "run", type: "struct<runId:string,facets:string>" },
            { name: "job", type: ref },
            { name: "inputs", type: `array<${ref}>` },
            { name: "outputs", type: `array<${ref}>` },
          ],
        },
      },
    });
    table.addResourceDependency(database);
    retain(table);
    this.tableNames.push(LINEAGE_TABLE);
  }
}

function retain(resource: CfnResource): void {
  resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
}
