/**
 * The export writer: turns "the snapshot of dataset D at instant T" into split part files. DuckDB
 * writes them into local scratch (adapters/duckdb); Athena UNLOADs them to a staging prefix of the
 * exports zone (adapters/aws). The export executor sees only this, and never which engine ran.
 */
import type { SnapshotPlan } from "../core/export/snapshot-sql.js";
import type { SplitKeyColumn } from "../core/split/canonical.js";
import type { SplitSpec } from "../core/split/spec.js";
import type { Select } from "../core/sql-builder.js";
import type { ExportEngine, QueryEngine } from "./query-engine.js";

/**
 * What the snapshot holds: the rule is in core/export/snapshot-sql.ts, the same on both engines.
 * `Run`: a committed run as the run index lists it (the pipeline's `IngestResult`).
 */
export interface ExportSnapshot<Run = unknown> {
  readonly dataset: string;
  /** Output columns, in order. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly SplitKeyColumn[];
  readonly spec: SplitSpec;
  readonly environment: string;
  /** The snapshot instant: the latest `_ingested_at` of the runs read. */
  readonly snapshotAt: Date;
  /**
   * Commit markers at or before this instant decide which run of each source blob is read (its
   * latest processing): the writer reads them as data (the engine's runs table), never as a list
   * of run ids in the SQL text.
   */
  readonly asOf: Date;
  readonly where?: string;
  /**
   * Every committed run of the dataset as the driver listed them: an engine that takes the runs
   * as a list (DuckDB's views) uses these rather than reading the run index again. Optional: an
   * engine that reads them as a table when it runs (Athena) ignores them.
   */
  readonly committedRuns?: readonly Run[];
}

/** Where one export run writes. */
export interface ExportTarget {
  /** Local scratch folder that may receive `<split>/part-<n>.parquet`. */
  readonly dataDir: string;
  /** The export run: names its staging area, where the engine needs one. */
  readonly runId: string;
}

/**
 * One part of a split. Either a local file (not yet hashed) or an object already in the exports
 * zone's staging area, hashed as it streamed past (md5 of its bytes, and its size).
 */
export type ExportPart =
  | { readonly relpath: string; readonly file: string }
  | { readonly relpath: string; readonly stagedKey: string; readonly md5: string; readonly size: number };

export interface WrittenExport {
  readonly engine: QueryEngine["name"];
  /** The snapshot query (recorded in the manifest). */
  readonly query: string;
  /** Rows per split, every split of the spec present (0 when empty). */
  readonly rows: Record<string, number>;
  /** In relpath order: `<split>/part-<n>.parquet`, n from 0 within each split. */
  readonly parts: readonly ExportPart[];
  /** Statements run, in order (for the record and for tests). */
  readonly statements: readonly string[];
}

export interface ExportWriter<Run = unknown> {
  readonly engine: QueryEngine["name"];
  write(snapshot: ExportSnapshot<Run>, target: ExportTarget): Promise<WrittenExport>;
}

/**
 * A query whose rows carry `_split` and the order columns (`_source_md5`, `_source_row`), written in
 * parts on an engine the caller opened (a training set joins tables it loaded into that session).
 */
export interface SplitQuery {
  /** The query: built (nested formatted) or SQL text. */
  readonly snapshot: Select | string;
  readonly columns: readonly string[];
  readonly splits: readonly string[];
  /** Local folder receiving `<split>/part-<n>.parquet`. */
  readonly dataDir: string;
}

export interface WrittenSplits {
  readonly rows: Record<string, number>;
  /** The files written, in relpath order. */
  readonly parts: readonly { readonly relpath: string; readonly file: string }[];
  readonly statements: string[];
}

export type SplitPartsWriter = (engine: ExportEngine, query: SplitQuery) => Promise<WrittenSplits>;

/** The snapshot as the SQL plan of core/export, over the runs relation the writer's engine reads. */
export function snapshotPlanOf(snapshot: ExportSnapshot, runsTable: string): SnapshotPlan {
  return {
    table: snapshot.dataset,
    columns: snapshot.columns,
    keyColumns: snapshot.keyColumns,
    spec: snapshot.spec,
    environment: snapshot.environment,
    snapshotAt: snapshot.snapshotAt,
    runsTable,
    asOf: snapshot.asOf,
    ...(snapshot.where ? { where: snapshot.where } : {}),
  };
}
