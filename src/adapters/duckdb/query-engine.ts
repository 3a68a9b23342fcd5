/**
 * `QueryEngine` on the embedded lake: DuckDB with one view per dataset (same names and types as the
 * Glue tables), `<dataset>_quarantine`, `lakeline_runs` (one row per committed run) and the lineage
 * views. Views list only files a committed run names, so a run that died mid-way is invisible. The
 * dataset and quarantine views hold each source blob's latest processing (core/warehouse/latest.ts);
 * `<dataset>_history` and `<dataset>_quarantine_history` hold every processing, for audit.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { scratchDir } from "../../contract/env.js";
import { SchemaRegistry } from "../../contract/schema-registry.js";
import { SchemaFormatError } from "../../core/errors.js";
import type { DatasetSchema } from "../../core/schema/types.js";
import { sqlString } from "../../core/sql.js";
import { HISTORY_SUFFIX } from "../../core/warehouse/latest.js";
import { QUARANTINE_COLUMNS, warehouseTable } from "../../core/warehouse/table.js";
import { datasetViewSql } from "../../core/warehouse/views.js";
import type { QueryEngine, QueryResult, QueryValue } from "../../ports/query-engine.js";
import { Database } from "./database.js";
import { lineageViewsSql } from "./lineage-views.js";

/**
 * One row per committed run of every dataset (read through the run index), the local twin of
 * Athena's `<dataset>_runs` tables. A table, not a view: no marker file is opened by a query.
 */
export const RUNS_VIEW = "lakeline_runs";

const RUN_COLUMNS: readonly [string, string][] = [
  ["runId", "VARCHAR"],
  ["dataset", "VARCHAR"],
  ["environment", "VARCHAR"],
  ["status", "VARCHAR"],
  ["schemaVersion", "INTEGER"],
  ["rawKey", "VARCHAR"],
  ["sourceMd5", "VARCHAR"],
  ["format", "VARCHAR"],
  ["rowsRead", "BIGINT"],
  ["rowsWritten", "BIGINT"],
  ["rowsQuarantined", "BIGINT"],
  ["reason", "VARCHAR"],
  ["duplicateOf", "VARCHAR"],
  ["ingestedAt", "TIMESTAMP"],
];

/** Files of committed runs: each source blob's latest processing, and every processing (history). */
export interface CommittedRuns {
  readonly warehouse: string[];
  readonly quarantine: string[];
  readonly history: { readonly warehouse: string[]; readonly quarantine: string[] };
}

/** A committed run as `lakeline_runs` shows it: the result fields of RUN_COLUMNS (more are ignored). */
export type RunRow = object;

/**
 * What the views are built over: the schemas, the files of each dataset's committed runs (commit
 * markers are the readers' only source of truth; the caller reads them through the run index), every
 * committed run of every dataset, and the lineage records.
 */
export interface LakeSource {
  readonly schemasDir: string;
  readonly duckdbMemory?: string;
  /** Folder of the lineage zone. */
  readonly lineageDir: string;
  committedRuns(dataset: string, asOf?: Date): Promise<CommittedRuns>;
  /** Every committed run of every dataset (`lakeline_runs`). */
  runs(): Promise<readonly RunRow[]>;
}

/** A SQL literal of a run field, typed as its column (absent fields are NULL). */
function runValue(value: unknown, type: string): string {
  if (value === undefined || value === null) return `NULL::${type}`;
  if (type === "VARCHAR") return sqlString(String(value));
  return `CAST(${sqlString(String(value))} AS ${type})`;
}

const RUN_ROWS_PER_INSERT = 500;

function sameFiles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

function plain(value: unknown): QueryValue {
  if (typeof value === "bigint")
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value && typeof value === "object" && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value as QueryValue;
}

export class DuckDbQueryEngine implements QueryEngine {
  readonly name = "duckdb" as const;
  /** Datasets whose table could not be created (e.g. a malformed schema file), for the caller to report. */
  readonly warnings: string[] = [];
  private constructor(readonly db: Database) {}

  static async open(
    config: LakeSource,
    options: { asOf?: Date; threads?: number } = {},
  ): Promise<DuckDbQueryEngine> {
    const db = await Database.open({
      ...(options.threads ? { threads: options.threads } : {}),
      ...(config.duckdbMemory ? { memoryLimit: config.duckdbMemory } : {}),
      // Spills go to scratch (DuckDB's default is ./.tmp in the working directory); DuckDB creates
      // this folder when it first spills and removes it on close.
      tempDirectory: path.join(
        scratchDir(),
        `lakeline-duckdb-${process.pid}-${randomBytes(4).toString("hex")}`,
      ),
    });
    const engine = new DuckDbQueryEngine(db);
    try {
      await engine.registerViews(config, options.asOf);
    } catch (err) {
      db.close();
      throw err;
    }
    return engine;
  }

  private async registerViews(config: LakeSource, asOf?: Date): Promise<void> {
    const registry = new SchemaRegistry(config.schemasDir);
    for (const dataset of registry.datasets()) {
      try {
        await this.registerDataset(config, registry, dataset, asOf);
      } catch (err) {
        // One unreadable schema must not take every other dataset's table down with it.
        if (!(err instanceof SchemaFormatError)) throw err;
        this.warnings.push(`no table for ${dataset}: ${err.message}`);
      }
    }
    // A table filled from the committed runs, not a view over every marker file: the runs come from
    // the run index, a few objects per dataset whatever its history.
    await this.db.exec(
      `CREATE OR REPLACE TABLE ${RUNS_VIEW} (${RUN_COLUMNS.map(([n, t]) => `"${n}" ${t}`).join(", ")})`,
    );
    const runs = await config.runs();
    for (let i = 0; i < runs.length; i += RUN_ROWS_PER_INSERT) {
      const rows = runs
        .slice(i, i + RUN_ROWS_PER_INSERT)
        .map(
          (r) =>
            `(${RUN_COLUMNS.map(([n, t]) => runValue((r as Record<string, unknown>)[n], t)).join(", ")})`,
        );
      await this.db.exec(`INSERT INTO ${RUNS_VIEW} VALUES ${rows.join(", ")}`);
    }
    for (const sql of lineageViewsSql(config.lineageDir)) await this.db.exec(sql);
  }

  private async registerDataset(
    config: LakeSource,
    registry: SchemaRegistry,
    dataset: string,
    asOf?: Date,
  ): Promise<void> {
    const versions = registry.loadAll(dataset).map((l) => l.schema);
    const table = warehouseTable(versions);
    const runs = await config.committedRuns(dataset, asOf);
    const qTable = {
      name: `${dataset}_quarantine`,
      columns: QUARANTINE_COLUMNS,
      partitionKeys: table.partitionKeys,
    };
    const qPresent = new Set(QUARANTINE_COLUMNS.map((c) => c.name));
    const current = await this.columnsIn(runs.warehouse);
    const views: [string, typeof table, readonly DatasetSchema[], string[], ReadonlySet<string>][] = [
      [dataset, table, versions, runs.warehouse, current],
      [
        `${dataset}${HISTORY_SUFFIX}`,
        table,
        versions,
        runs.history.warehouse,
        // Without re-processings the history holds the same files: one footer scan serves both.
        sameFiles(runs.history.warehouse, runs.warehouse)
          ? current
          : await this.columnsIn(runs.history.warehouse),
      ],
      [`${dataset}_quarantine`, qTable, [], runs.quarantine, qPresent],
      [`${dataset}_quarantine${HISTORY_SUFFIX}`, qTable, [], runs.history.quarantine, qPresent],
    ];
    for (const [viewName, t, v, files, presentColumns] of views) {
      await this.db.exec(
        datasetViewSql({
          viewName,
          table: t,
          versions: v,
          files,
          presentColumns,
          ...(asOf ? { asOf } : {}),
        }),
      );
    }
  }

  /** Columns present in at least one of the files. */
  private async columnsIn(files: readonly string[]): Promise<Set<string>> {
    const present = new Set<string>();
    if (files.length === 0) return present;
    const cols = await this.db.all(
      `DESCRIBE SELECT * FROM read_parquet([${files.map(sqlString).join(", ")}], union_by_name = true)`,
    );
    for (const c of cols) present.add(String(c.column_name));
    return present;
  }

  async query(sql: string): Promise<QueryResult> {
    const { columns, rows } = await this.db.query(sql);
    const dates = new Set(columns.filter((c) => c.type === "DATE").map((c) => c.name));
    const cell = (k: string, v: unknown) =>
      dates.has(k) && v instanceof Date ? v.toISOString().slice(0, 10) : plain(v);
    return {
      columns,
      rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(k, v)]))),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
