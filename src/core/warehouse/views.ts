/**
 * The local twin of a Glue table: a DuckDB view with the same name, columns, types and partition
 * column, over exactly the committed Parquet files. Columns a file lacks (added by a later schema
 * version) read as NULL, or as the feature's declared default for rows of older versions.
 *
 * The files come in groups of one column layout (one schema version each): each group is one
 * `read_parquet` whose schema is bound from its first file, and the groups are joined by UNION ALL.
 * `union_by_name` would open every file's footer to bind the view, again for every query, which at
 * a thousand runs cost more than the scan itself. Files within a group are matched by column name,
 * and a file that lacks a column of its group's first file fails the read (it is never misread).
 */

import type { DatasetSchema } from "../schema/types.js";
import { sqlIdent, sqlString } from "../sql.js";
import type { RunFilter } from "./compaction.js";
import { duckdbType, type TableColumn, type WarehouseTable } from "./table.js";

/** Committed files (absolute paths) of one column layout, and the columns they hold. */
export interface FileGroup {
  readonly files: readonly string[];
  /** Columns of the group's files (its first file's). */
  readonly presentColumns: ReadonlySet<string>;
  /** A compacted file read for some of its runs only (the others are read elsewhere, or not at all). */
  readonly runFilter?: RunFilter;
}

export interface ViewInput {
  readonly viewName: string;
  readonly table: WarehouseTable;
  readonly versions: readonly DatasetSchema[];
  /** Committed files under Hive-style `ingest_date=` folders, by column layout. */
  readonly groups: readonly FileGroup[];
  /** Point-in-time: only rows ingested at or before this instant. */
  readonly asOf?: Date;
}

function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "string") return sqlString(value);
  return String(value);
}

interface Defaults {
  readonly firstVersion: ReadonlyMap<string, number>;
  readonly values: ReadonlyMap<string, string | number | boolean | null>;
}

function defaultsOf(versions: readonly DatasetSchema[]): Defaults {
  const firstVersion = new Map<string, number>();
  const values = new Map<string, string | number | boolean | null>();
  for (const s of [...versions].sort((a, b) => a.version - b.version)) {
    for (const f of s.features) {
      if (!firstVersion.has(f.column)) firstVersion.set(f.column, s.version);
      if (f.default !== undefined) values.set(f.column, f.default);
    }
  }
  return { firstVersion, values };
}

function projection(
  c: TableColumn,
  table: WarehouseTable,
  present: ReadonlySet<string>,
  d: Defaults,
): string {
  const type = duckdbType(c.type);
  const name = sqlIdent(c.name);
  const value = d.values.get(c.name);
  if (!present.has(c.name) && !table.partitionKeys.includes(c))
    return `${value === undefined ? "NULL" : `CAST(${sqlLiteral(value)} AS ${type})`}::${type} AS ${name}`;
  const since = d.firstVersion.get(c.name);
  if (value !== undefined && since !== undefined && since > 1)
    return `CAST(CASE WHEN _schema_version < ${since} THEN coalesce(${name}, ${sqlLiteral(value)}) ELSE ${name} END AS ${type}) AS ${name}`;
  return `CAST(${name} AS ${type}) AS ${name}`;
}

/** The rows of a compacted file's assigned runs: an IN list, or NOT IN the others' (the shorter). */
export function runFilterSql(filter: RunFilter): string {
  const [op, ids] = "in" in filter ? ["IN", filter.in] : ["NOT IN", filter.notIn];
  return `_run_id ${op} (${ids.map(sqlString).join(", ")})`;
}

function groupSelect(input: ViewInput, group: FileGroup, d: Defaults, where: string): string {
  const { table } = input;
  const columns = [...table.columns, ...table.partitionKeys].map((c) =>
    projection(c, table, group.presentColumns, d),
  );
  const files = `[${group.files.map(sqlString).join(", ")}]`;
  const conditions = [...(where ? [where] : []), ...(group.runFilter ? [runFilterSql(group.runFilter)] : [])];
  return `SELECT ${columns.join(", ")} FROM read_parquet(${files}, hive_partitioning = true, hive_types = {'ingest_date': DATE})${conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
}

export function datasetViewSql(input: ViewInput): string {
  const { table } = input;
  const groups = input.groups.filter((g) => g.files.length > 0);
  if (groups.length === 0) {
    const empty = [...table.columns, ...table.partitionKeys].map(
      (c) => `NULL::${duckdbType(c.type)} AS ${sqlIdent(c.name)}`,
    );
    return `CREATE OR REPLACE VIEW ${sqlIdent(input.viewName)} AS SELECT ${empty.join(", ")} WHERE false`;
  }
  const where = input.asOf
    ? `_ingested_at <= TIMESTAMP ${sqlString(input.asOf.toISOString().replace("Z", ""))}`
    : "";
  const d = defaultsOf(input.versions);
  const selects = groups.map((g) => groupSelect(input, g, d, where));
  return `CREATE OR REPLACE VIEW ${sqlIdent(input.viewName)} AS ${selects.join(" UNION ALL ")}`;
}
