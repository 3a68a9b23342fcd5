/**
 * The snapshot query of an export, in the warehouse's SQL on either engine:
 *   committed runs of the environment at or before the snapshot instant
 *   → rows of the earliest run per source blob (`_source_md5`) only
 *   → the caller's predicate → the chosen features + a bucket + the split name.
 * Rows keep `_source_md5` and `_source_row`, which together order them stably (and are dropped on write).
 */

import type { SplitKeyColumn } from "../core/split/canonical.js";
import type { SplitSpec } from "../core/split/spec.js";
import { type SqlDialect, splitBucketSql, splitCaseSql } from "../core/split/sql.js";
import { sqlIdent, sqlString } from "../core/sql.js";

export interface SnapshotPlan {
  readonly table: string;
  /** Output columns, in order. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly SplitKeyColumn[];
  readonly spec: SplitSpec;
  readonly environment: string;
  /** Latest `_ingested_at` of the runs taken: the snapshot instant. */
  readonly snapshotAt: Date;
  /** Committed ingest runs that may contribute rows. */
  readonly runIds: readonly string[];
  readonly where?: string;
}

export const ORDER_COLUMNS = ["_source_md5", "_source_row"] as const;
export const SPLIT_COLUMN = "_split";

function timestampLiteral(at: Date, dialect: SqlDialect): string {
  const iso = sqlString(at.toISOString());
  return dialect === "duckdb" ? `TIMESTAMPTZ ${iso}` : `from_iso8601_timestamp(${iso})`;
}

/** SELECT <columns>, _source_md5, _source_row, _split FROM … */
export function snapshotSql(plan: SnapshotPlan, dialect: SqlDialect): string {
  const out = plan.columns.map(sqlIdent).join(", ");
  const order = ORDER_COLUMNS.map(sqlIdent).join(", ");
  const inner = [...plan.columns, ...ORDER_COLUMNS].map(sqlIdent).join(", ");
  const runs = plan.runIds.length > 0 ? plan.runIds.map(sqlString).join(", ") : "NULL";
  const filtered =
    `SELECT *, rank() OVER (PARTITION BY "_source_md5" ORDER BY "_ingested_at", "_run_id") AS "_lakeline_rank" ` +
    `FROM ${sqlIdent(plan.table)} ` +
    `WHERE "_ingested_at" <= ${timestampLiteral(plan.snapshotAt, dialect)} AND "_environment" = ${sqlString(plan.environment)} AND "_run_id" IN (${runs})`;
  const predicate = plan.where?.trim() ? ` AND (${plan.where.trim()})` : "";
  const bucketed = `SELECT ${inner}, ${splitBucketSql(plan.keyColumns, plan.spec.seed, dialect)} AS "_bucket" FROM (${filtered}) AS "runs" WHERE "_lakeline_rank" = 1${predicate}`;
  return `SELECT ${out}, ${order}, ${splitCaseSql('"_bucket"', plan.spec)} AS ${sqlIdent(SPLIT_COLUMN)} FROM (${bucketed}) AS "snapshot"`;
}

/** Rows per split of a relation that has a `_split` column. */
export function splitCountsSql(relation: string): string {
  return `SELECT ${sqlIdent(SPLIT_COLUMN)} AS "split", count(*) AS "rows" FROM ${relation} GROUP BY 1`;
}

/** DuckDB: one Parquet part of one split, in the stable row order. */
export function copyPartSql(args: {
  relation: string;
  columns: readonly string[];
  split: string;
  limit: number;
  offset: number;
  file: string;
}): string {
  const cols = args.columns.map(sqlIdent).join(", ");
  const order = ORDER_COLUMNS.map(sqlIdent).join(", ");
  return (
    `COPY (SELECT ${cols} FROM ${args.relation} WHERE ${sqlIdent(SPLIT_COLUMN)} = ${sqlString(args.split)} ORDER BY ${order} LIMIT ${args.limit} OFFSET ${args.offset}) ` +
    `TO ${sqlString(args.file)} (FORMAT parquet, COMPRESSION snappy)`
  );
}

/** Athena: one split written by UNLOAD to an (empty) S3 prefix. */
export function unloadSplitSql(args: {
  snapshot: string;
  columns: readonly string[];
  split: string;
  location: string;
}): string {
  const cols = args.columns.map(sqlIdent).join(", ");
  return (
    `UNLOAD (SELECT ${cols} FROM (${args.snapshot}) AS "export" WHERE ${sqlIdent(SPLIT_COLUMN)} = ${sqlString(args.split)}) ` +
    `TO ${sqlString(args.location)} WITH (format = 'PARQUET', compression = 'SNAPPY')`
  );
}
