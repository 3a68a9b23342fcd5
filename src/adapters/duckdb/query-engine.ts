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
import { QueryError, SchemaFormatError } from "../../core/errors.js";
import type { DatasetSchema } from "../../core/schema/types.js";
import { sqlString } from "../../core/sql.js";
import { HISTORY_SUFFIX } from "../../core/warehouse/latest.js";
import { QUARANTINE_COLUMNS, warehouseTable } from "../../core/warehouse/table.js";
import { datasetViewSql, type FileGroup } from "../../core/warehouse/views.js";
import type { QueryEngine, QueryResult } from "../../ports/query-engine.js";
import { Database } from "./database.js";
import { byVersion, type CommittedFile, type CommittedRuns } from "./file-groups.js";
import { LINEAGE_VIEWS, lineageViewsSql } from "./lineage-views.js";
import { plain } from "./plain-value.js";
import { CATALOG_READERS, namesIn } from "./statement-names.js";

export type { CommittedFile, CommittedRuns };

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
  /**
   * Every committed run of these datasets, or of every dataset (`lakeline_runs`); with `asOf`, those
   * the dataset views see at that instant (ingested at or before it).
   */
  runs(datasets?: readonly string[], asOf?: Date): Promise<readonly RunRow[]>;
}

export interface QueryEngineOptions {
  readonly asOf?: Date;
  readonly threads?: number;
  /** Only these datasets' tables (an export reads one); @default every dataset of the registry */
  readonly datasets?: readonly string[];
}

/** The views of one dataset: its table, its quarantine, and the history of each. */
function datasetViewNames(dataset: string): string[] {
  const quarantine = `${dataset}_quarantine`;
  return [dataset, `${dataset}${HISTORY_SUFFIX}`, quarantine, `${quarantine}${HISTORY_SUFFIX}`];
}

/** A run field as text for the appender (absent fields are NULL); the table's types parse it. */
function runText(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

export class DuckDbQueryEngine implements QueryEngine {
  readonly name = "duckdb" as const;
  /** Datasets whose table could not be created (e.g. a malformed schema file), for the caller to report. */
  readonly warnings: string[] = [];
  private constructor(readonly db: Database) {}

  static async open(config: LakeSource, options: QueryEngineOptions = {}): Promise<DuckDbQueryEngine> {
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
      // A footer read to bind a view is kept for the scan and for later statements of the session.
      await db.exec("SET parquet_metadata_cache = true");
      // The files are local (a lake folder, or /tmp in Lambda) and each is scanned once: DuckDB's
      // copy of every file read in its own buffer pool only doubles the page cache. At 1,000 runs
      // of 100 rows it held ~75 MB of the export's peak and cost ~0.1-0.2 s of CPU.
      await db.exec("SET enable_external_file_cache = false");
      await engine.registerViews(config, options);
    } catch (err) {
      db.close();
      throw err;
    }
    return engine;
  }

  /**
   * Every relation is declared here and created before the first statement that names it: binding
   * one reads its dataset's run index and a file footer per schema version (the lineage views list
   * every lineage record), which a statement over one table need not pay for the others. Schemas
   * are loaded now, so a malformed one is reported whatever the statement reads.
   */
  private async registerViews(config: LakeSource, options: QueryEngineOptions): Promise<void> {
    const registry = new SchemaRegistry(config.schemasDir);
    const datasets = options.datasets ?? registry.datasets();
    for (const dataset of datasets) {
      let versions: DatasetSchema[];
      try {
        versions = registry.loadAll(dataset).map((l) => l.schema);
      } catch (err) {
        // One unreadable schema must not take every other dataset's table down with it.
        if (!(err instanceof SchemaFormatError)) throw err;
        this.warnings.push(`no table for ${dataset}: ${err.message}`);
        continue;
      }
      // The history views are created apart: an export reads the current table only, and a view
      // lists its files in SQL (21 ms to create at 1,000 runs).
      const [current, history, qCurrent, qHistory] = datasetViewNames(dataset) as [
        string,
        string,
        string,
        string,
      ];
      const create = (which: "current" | "history") => () =>
        this.registerDataset(config, dataset, versions, which, options.asOf);
      this.declare([current, qCurrent], create("current"));
      this.declare([history, qHistory], create("history"));
    }
    this.declare([RUNS_VIEW], async () => this.fillRuns(await config.runs(options.datasets, options.asOf)));
    this.declare(LINEAGE_VIEWS, async () => {
      for (const view of lineageViewsSql(config.lineageDir)) await this.db.exec(view);
    });
  }

  /** Relations not created yet, by lower-case name; one creation may serve several names. */
  private readonly pending = new Map<string, () => Promise<void>>();

  /** Every relation declared, as named, for an error that names a table the lake does not have. */
  private readonly relations: string[] = [];

  private declare(names: readonly string[], create: () => Promise<void>): void {
    for (const name of names) this.pending.set(name.toLowerCase(), create);
    this.relations.push(...names);
  }

  /** A missing table is named with the lake's tables (the engine's own guess sees only created ones). */
  private unknownTable(err: unknown): unknown {
    const engine = err instanceof QueryError ? String(err.data.engine ?? "") : "";
    const missing = /Table with name (\S+) does not exist/.exec(engine)?.[1];
    if (!missing) return err;
    return new QueryError(
      `table ${missing} does not exist; the lake's tables: ${[...this.relations].sort().join(", ")}`,
      { ...(err as QueryError).data, table: missing },
      { cause: err },
    );
  }

  /** Creates the relations `sql` names (every one, for a statement that lists the catalog). */
  private async prepare(sql: string): Promise<void> {
    if (this.pending.size === 0) return;
    const names = namesIn(sql);
    const all = [...names].some((n) => CATALOG_READERS.test(n));
    const due = new Set([...this.pending].filter(([n]) => all || names.has(n)).map(([, c]) => c));
    for (const [name, create] of this.pending) if (due.has(create)) this.pending.delete(name);
    for (const create of due) await create();
  }

  /** Runs a statement for its effect, once the relations it names exist. */
  async execute(sql: string): Promise<void> {
    await this.prepare(sql);
    await this.db.exec(sql);
  }

  /**
   * A table filled from the committed runs, not a view over every marker file: the runs come from
   * the run index, a few objects per dataset whatever its history. Appended as text and cast by
   * the table's types (the same casts SQL literals took, without parsing a statement per run).
   */
  private async fillRuns(runs: readonly RunRow[]): Promise<void> {
    const staging = `${RUNS_VIEW}_text`;
    const columns = (typed: boolean) =>
      RUN_COLUMNS.map(([n, t]) => `"${n}" ${typed ? t : "VARCHAR"}`).join(", ");
    await this.db.exec(`CREATE OR REPLACE TABLE ${RUNS_VIEW} (${columns(true)})`);
    await this.db.exec(`CREATE OR REPLACE TABLE ${staging} (${columns(false)})`);
    await this.db.append(
      staging,
      runs.map((r) => RUN_COLUMNS.map(([n]) => runText((r as Record<string, unknown>)[n]))),
    );
    await this.db.exec(
      `INSERT INTO ${RUNS_VIEW} SELECT ${RUN_COLUMNS.map(([n, t]) => `CAST("${n}" AS ${t})`).join(", ")} FROM ${staging}`,
    );
    await this.db.exec(`DROP TABLE ${staging}`);
  }

  private async registerDataset(
    config: LakeSource,
    dataset: string,
    versions: readonly DatasetSchema[],
    which: "current" | "history",
    asOf?: Date,
  ): Promise<void> {
    const table = warehouseTable(versions);
    const runs = await config.committedRuns(dataset, asOf);
    const qTable = {
      name: datasetViewNames(dataset)[2]!,
      columns: QUARANTINE_COLUMNS,
      partitionKeys: table.partitionKeys,
    };
    const qPresent = new Set(QUARANTINE_COLUMNS.map((c) => c.name));
    const quarantine = (files: readonly string[]): FileGroup[] => [{ files, presentColumns: qPresent }];
    const [current, history, qCurrent, qHistory] = datasetViewNames(dataset) as [
      string,
      string,
      string,
      string,
    ];
    const views: [string, typeof table, readonly DatasetSchema[], FileGroup[]][] =
      which === "current"
        ? [
            [current, table, versions, await this.groups(runs.warehouse)],
            [qCurrent, qTable, [], quarantine(runs.quarantine)],
          ]
        : [
            [history, table, versions, await this.groups(runs.history.warehouse)],
            [qHistory, qTable, [], quarantine(runs.history.quarantine)],
          ];
    for (const [viewName, t, v, groups] of views) {
      await this.db.exec(
        datasetViewSql({ viewName, table: t, versions: v, groups, ...(asOf ? { asOf } : {}) }),
      );
    }
  }

  private readonly layouts = new Map<string, Set<string>>();

  /** The files by schema version, each group with the columns of its first file (one footer read). */
  private async groups(files: readonly CommittedFile[]): Promise<FileGroup[]> {
    const groups: FileGroup[] = [];
    for (const { paths, filter } of byVersion(files)) {
      const first = paths[0]!;
      let present = this.layouts.get(first);
      if (!present) {
        const cols = await this.db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(first)})`);
        present = new Set(cols.map((c) => String(c.column_name)));
        this.layouts.set(first, present);
      }
      groups.push({ files: paths, presentColumns: present, ...(filter ? { runFilter: filter } : {}) });
    }
    return groups;
  }

  async query(sql: string): Promise<QueryResult> {
    await this.prepare(sql);
    const { columns, rows } = await this.db.query(sql).catch((err: unknown) => {
      throw this.unknownTable(err);
    });
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
