/**
 * The Glue table inputs of the warehouse catalog, as plain data: Parquet tables with partition
 * projection, the text table over commit-marker lines, Athena views (Glue VIRTUAL_VIEW in Athena's
 * "Presto View" encoding) and the OpenLineage events table. warehouse-catalog.ts places them.
 */
import type * as glue from "aws-cdk-lib/aws-glue";
import { RUNS_LINES_COLUMN, runsLinesTableName, runsTableName } from "../../src/contract/committed-view.js";
import { glueType, PARTITION_KEYS, type TableColumn } from "../../src/contract/warehouse.js";
import { LINEAGE_EVENTS_PREFIX, LINEAGE_TABLE, markerPrefix } from "../layout.js";

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

export function glueCommentsCapped(
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

/** A Parquet table over `location`, partitioned by `ingest_date=` (projected, never registered). */
export function parquetTableInput(t: {
  name: string;
  description: string;
  location: string;
  columns: readonly TableColumn[];
}): glue.CfnTable.TableInputProperty {
  return {
    name: t.name,
    description: t.description,
    tableType: "EXTERNAL_TABLE",
    parameters: { classification: "parquet", EXTERNAL: "TRUE", ...projectionParameters(t.location) },
    partitionKeys: glueColumns(PARTITION_KEYS),
    storageDescriptor: { ...PARQUET, location: t.location, columns: glueColumns(t.columns) },
  };
}

/** The text of a dataset's commit markers, one row per line (read through `<dataset>_runs`). */
export function runsLinesTableInput(
  dataset: string,
  warehouseBucket: string,
): glue.CfnTable.TableInputProperty {
  return {
    name: runsLinesTableName(dataset),
    description: `${dataset}: lines of the commit markers (query ${runsTableName(dataset)} instead)`,
    tableType: "EXTERNAL_TABLE",
    parameters: { classification: "text", EXTERNAL: "TRUE" },
    storageDescriptor: {
      location: `s3://${warehouseBucket}/${markerPrefix(dataset)}`,
      ...TEXT_LINES,
      columns: [{ name: RUNS_LINES_COLUMN, type: "string", comment: "one line of a marker file" }],
    },
  };
}

/**
 * An Athena view (Glue VIRTUAL_VIEW in Athena's "Presto View" encoding) over the database's own
 * tables and views (see src/contract/committed-view.ts).
 */
export function viewTableInput(
  databaseName: string,
  v: { name: string; description: string; sql: string; columns: readonly glue.CfnTable.ColumnProperty[] },
): glue.CfnTable.TableInputProperty {
  const encoded = {
    originalSql: v.sql,
    catalog: "awsdatacatalog",
    schema: databaseName,
    columns: v.columns.map((c) => ({ name: c.name, type: prestoType(c.type!) })),
  };
  return {
    name: v.name,
    description: v.description,
    tableType: "VIRTUAL_VIEW",
    parameters: { presto_view: "true", comment: "Presto View" },
    viewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(encoded)).toString("base64")} */`,
    viewExpandedText: "/* Presto View */",
    storageDescriptor: { columns: glueCommentsCapped(v.columns), serdeInfo: {} },
  };
}

/**
 * OpenLineage RunEvents as stored by the lineage sink: one JSON document per line under
 * `openlineage/`. Facets vary per producer, so they are exposed as JSON text (query them with
 * json_extract); malformed lines read as NULLs instead of failing every query.
 */
export function lineageTableInput(lineageBucket: string): glue.CfnTable.TableInputProperty {
  const ref = "struct<namespace:string,name:string,facets:string>";
  return {
    name: LINEAGE_TABLE,
    description: "OpenLineage RunEvents emitted by every lakeline run",
    tableType: "EXTERNAL_TABLE",
    parameters: { classification: "json", EXTERNAL: "TRUE" },
    storageDescriptor: {
      location: `s3://${lineageBucket}/${LINEAGE_EVENTS_PREFIX}`,
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
  };
}
