/**
 * The export writer on the embedded lake (DuckDB): materialise the snapshot once, ordered by split
 * then (_source_md5, _source_row), then COPY each split in parts of at most `rowsPerPart` rows by
 * rowid range, into local scratch. The same rows give the same bytes, hence the same version.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { partRelpath } from "../../contract/export-keys.js";
import type { IngestResult } from "../../contract/records.js";
import { QueryError } from "../../core/errors.js";
import {
  copyPartSql,
  createOrderedSnapshotSql,
  snapshotSelect,
  splitCounts,
  splitRangesSql,
} from "../../core/export/snapshot-sql.js";
import { sqlIdent } from "../../core/sql.js";
import { renderSelect } from "../../core/sql-builder.js";
import {
  type ExportSnapshot,
  type ExportTarget,
  type ExportWriter,
  type SplitQuery,
  snapshotPlanOf,
  type WrittenExport,
  type WrittenSplits,
} from "../../ports/export-writer.js";
import type { ExportEngine } from "../../ports/query-engine.js";
import { RUNS_VIEW } from "./query-engine.js";

export const DEFAULT_ROWS_PER_PART = 1_000_000;

const TEMP_TABLE = sqlIdent("_lakeline_export");

/** The rows of `query` in the stable order, each split in parts of at most `rowsPerPart` rows. */
export async function writeSplitParts(
  engine: ExportEngine,
  req: SplitQuery,
  rowsPerPart = DEFAULT_ROWS_PER_PART,
): Promise<WrittenSplits> {
  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    if (engine.execute) await engine.execute(sql);
    else await engine.query(sql);
  };
  await run(createOrderedSnapshotSql(TEMP_TABLE, req.snapshot, req.columns));
  try {
    const rangeSql = splitRangesSql(TEMP_TABLE);
    statements.push(rangeSql);
    const result = await engine.query(rangeSql);
    const rows = splitCounts(result.rows, req.splits);
    const first = new Map(result.rows.map((r) => [String(r.split), Number(r.first)]));
    for (const r of result.rows) {
      // The table was created in order, so each split is one contiguous rowid range.
      if (Number(r.last) - Number(r.first) + 1 !== Number(r.rows))
        throw new QueryError(
          `export: split ${String(r.split)} is not one contiguous range of the ordered snapshot`,
        );
    }
    const parts: { relpath: string; file: string }[] = [];
    for (const split of req.splits) {
      const count = rows[split]!;
      const start = first.get(split) ?? 0;
      const n = Math.ceil(count / rowsPerPart);
      if (n > 0) await fs.mkdir(path.join(req.dataDir, split), { recursive: true });
      for (let p = 0; p < n; p++) {
        const relpath = partRelpath(split, p);
        const file = path.join(req.dataDir, ...relpath.split("/"));
        const from = start + p * rowsPerPart;
        const to = Math.min(start + count, from + rowsPerPart);
        await run(copyPartSql({ table: TEMP_TABLE, columns: req.columns, from, to, file }));
        parts.push({ relpath, file });
      }
    }
    return { rows, parts, statements };
  } finally {
    await run(`DROP TABLE IF EXISTS ${TEMP_TABLE}`);
  }
}

export interface DuckDbExportWriterOptions {
  /**
   * The engine over the warehouse as known at the snapshot instant (views of committed runs); it
   * needs the exported dataset's table and its runs only.
   */
  readonly openEngine: (
    asOf: Date,
    dataset: string,
    committedRuns?: readonly IngestResult[],
  ) => Promise<ExportEngine>;
  /** @default 1000000 */
  readonly rowsPerPart?: number;
}

/** ExportWriter on DuckDB: parts are local files in the run's scratch folder. */
export class DuckDbExportWriter implements ExportWriter<IngestResult> {
  readonly engine = "duckdb" as const;
  constructor(private readonly options: DuckDbExportWriterOptions) {}

  async write(snapshot: ExportSnapshot<IngestResult>, target: ExportTarget): Promise<WrittenExport> {
    const engine = await this.options.openEngine(
      snapshot.snapshotAt,
      snapshot.dataset,
      snapshot.committedRuns,
    );
    try {
      const snapshotQuery = snapshotSelect(snapshotPlanOf(snapshot, RUNS_VIEW), "duckdb");
      const splits = snapshot.spec.parts.map((p) => p.name);
      const query = renderSelect(snapshotQuery);
      const written = await writeSplitParts(
        engine,
        { snapshot: snapshotQuery, columns: snapshot.columns, splits, dataDir: target.dataDir },
        this.options.rowsPerPart,
      );
      return { engine: "duckdb", query, ...written };
    } finally {
      await engine.close();
    }
  }
}
