/**
 * One warehouse table per dataset, derived from its schema versions. Both the Glue table (CDK, at
 * synth) and the local DuckDB view are generated from this, so SQL is the same in both places.
 */
import type { DatasetSchema, Feature, FeatureType } from "../schema/types.js";

/** Column types in engine-neutral terms; `list` wraps an element type. */
export type ColumnType =
  | { readonly kind: "bigint" | "double" | "string" | "boolean" | "timestamp" | "binary" | "int" | "date" }
  | { readonly kind: "list"; readonly element: ColumnType };

export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly comment?: string;
}

export interface WarehouseTable {
  readonly name: string;
  readonly columns: readonly TableColumn[];
  readonly partitionKeys: readonly TableColumn[];
}

const SCALAR: Record<FeatureType, ColumnType> = {
  INT: { kind: "bigint" },
  FLOAT: { kind: "double" },
  STRING: { kind: "string" },
  BOOL: { kind: "boolean" },
  TIMESTAMP: { kind: "timestamp" },
  BYTES: { kind: "binary" },
};

export function featureColumnType(feature: Feature): ColumnType {
  const scalar = SCALAR[feature.type];
  return feature.valueCount ? { kind: "list", element: scalar } : scalar;
}

/** Every warehouse row carries these, so any row can be traced to its blob, schema and run. */
export const LINEAGE_COLUMNS: readonly TableColumn[] = [
  {
    name: "_ingested_at",
    type: { kind: "timestamp" },
    comment: "when the run that wrote this row started (UTC)",
  },
  { name: "_source_key", type: { kind: "string" }, comment: "raw object key the row came from" },
  { name: "_source_md5", type: { kind: "string" }, comment: "md5 of the raw blob's bytes (DVC version)" },
  { name: "_source_row", type: { kind: "bigint" }, comment: "1-based record number in the raw blob" },
  { name: "_schema_version", type: { kind: "int" }, comment: "schema version that validated the row" },
  { name: "_environment", type: { kind: "string" }, comment: "TRAINING or SERVING" },
  { name: "_run_id", type: { kind: "string" }, comment: "ingest run id (deterministic)" },
];

export const PARTITION_KEYS: readonly TableColumn[] = [
  { name: "ingest_date", type: { kind: "date" }, comment: "UTC date of ingestion" },
];

/**
 * The table over all versions: the latest version's columns in order, then columns only older
 * versions had (old files still carry them), then lineage columns.
 */
export function warehouseTable(versions: readonly DatasetSchema[]): WarehouseTable {
  if (versions.length === 0) throw new Error("warehouseTable needs at least one schema version");
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const seen = new Set<string>();
  const columns: TableColumn[] = [];
  for (const schema of sorted) {
    for (const f of schema.features) {
      if (seen.has(f.column)) continue;
      seen.add(f.column);
      columns.push({
        name: f.column,
        type: featureColumnType(f),
        ...(f.description ? { comment: f.description } : {}),
      });
    }
  }
  return {
    name: sorted[0]!.dataset,
    columns: [...columns, ...LINEAGE_COLUMNS],
    partitionKeys: PARTITION_KEYS,
  };
}

export function glueType(t: ColumnType): string {
  if (t.kind === "list") return `array<${glueType(t.element)}>`;
  return t.kind === "string" ? "string" : t.kind === "binary" ? "binary" : t.kind;
}

export function duckdbType(t: ColumnType): string {
  switch (t.kind) {
    case "list":
      return `${duckdbType(t.element)}[]`;
    case "bigint":
      return "BIGINT";
    case "int":
      return "INTEGER";
    case "double":
      return "DOUBLE";
    case "string":
      return "VARCHAR";
    case "boolean":
      return "BOOLEAN";
    case "timestamp":
      // UTC wall time: offsets are applied at ingest (see row-sql), so no session time zone applies.
      return "TIMESTAMP";
    case "binary":
      return "BLOB";
    case "date":
      return "DATE";
  }
}

/** Quarantined rows keep every source value as text plus why they were rejected. */
export const QUARANTINE_COLUMNS: readonly TableColumn[] = [
  {
    name: "_reasons",
    type: { kind: "list", element: { kind: "string" } },
    comment: "every check the row failed",
  },
  { name: "_record", type: { kind: "string" }, comment: "the source record as JSON text (values as read)" },
  ...LINEAGE_COLUMNS,
];
