/**
 * The local twin of a Glue table: a DuckDB view with the same name, columns, types and partition
 * column, over exactly the committed Parquet files. Columns a file lacks (added by a later schema
 * version) read as NULL, or as the feature's declared default for rows of older versions.
 */

import type { DatasetSchema } from "../schema/types.js";
import { sqlIdent, sqlString } from "../sql.js";
import { duckdbType, type WarehouseTable } from "./table.js";

export interface ViewInput {
  readonly viewName: string;
  readonly table: WarehouseTable;
  readonly versions: readonly DatasetSchema[];
  /** Committed files (absolute paths) under Hive-style `ingest_date=` folders. */
  readonly files: readonly string[];
  /** Columns present in at least one of the files. */
  readonly presentColumns: ReadonlySet<string>;
  /** Point-in-time: only rows ingested at or before this instant. */
  readonly asOf?: Date;
}

function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "string") return sqlString(value);
  return String(value);
}

export function datasetViewSql(input: ViewInput): string {
  const { table } = input;
  const firstVersion = new Map<string, number>();
  const defaults = new Map<string, string | number | boolean | null>();
  for (const s of [...input.versions].sort((a, b) => a.version - b.version)) {
    for (const f of s.features) {
      if (!firstVersion.has(f.column)) firstVersion.set(f.column, s.version);
      if (f.default !== undefined) defaults.set(f.column, f.default);
    }
  }
  const projections = [...table.columns, ...table.partitionKeys].map((c) => {
    const type = duckdbType(c.type);
    const name = sqlIdent(c.name);
    if (!input.presentColumns.has(c.name) && !table.partitionKeys.includes(c)) {
      const d = defaults.get(c.name);
      return `${d === undefined ? "NULL" : `CAST(${sqlLiteral(d)} AS ${type})`}::${type} AS ${name}`;
    }
    const since = firstVersion.get(c.name);
    const d = defaults.get(c.name);
    if (d !== undefined && since !== undefined && since > 1) {
      return `CAST(CASE WHEN _schema_version < ${since} THEN coalesce(${name}, ${sqlLiteral(d)}) ELSE ${name} END AS ${type}) AS ${name}`;
    }
    return `CAST(${name} AS ${type}) AS ${name}`;
  });
  const where = input.asOf
    ? ` WHERE _ingested_at <= TIMESTAMP ${sqlString(input.asOf.toISOString().replace("Z", ""))}`
    : "";
  if (input.files.length === 0) {
    const empty = [...table.columns, ...table.partitionKeys].map(
      (c) => `NULL::${duckdbType(c.type)} AS ${sqlIdent(c.name)}`,
    );
    return `CREATE OR REPLACE VIEW ${sqlIdent(input.viewName)} AS SELECT ${empty.join(", ")} WHERE false`;
  }
  const files = `[${input.files.map(sqlString).join(", ")}]`;
  return `CREATE OR REPLACE VIEW ${sqlIdent(input.viewName)} AS SELECT ${projections.join(", ")} FROM read_parquet(${files}, hive_partitioning = true, union_by_name = true, hive_types = {'ingest_date': DATE})${where}`;
}
