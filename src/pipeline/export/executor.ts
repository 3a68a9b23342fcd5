/**
 * Executors of the snapshot query: each leaves `data/<split>/part-<n>.parquet` in a local scratch
 * folder (to be hashed, then uploaded) and reports rows per split.
 *
 * DuckDB (local lake): materialise the snapshot once, ordered by split then (_source_md5,
 * _source_row), then COPY each split in parts of at most `rowsPerPart` rows by rowid range, so the
 * same rows give the same bytes.
 * Athena: UNLOAD each split to a fresh staging prefix of the exports bucket, then download the
 * files in key order. Athena chooses file names and row order, so its bytes are not reproducible;
 * the export is still content-addressed, and its rows and splits are the same.
 */

import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { exportStagingPrefix, partRelpath } from "../../contract/export-keys.js";
import { QueryError } from "../../core/errors.js";
import {
  copyPartSql,
  earliestRunPerSource,
  orderedSnapshotSql,
  snapshotSql,
  splitCountsSql,
  splitRangesSql,
  unloadSplitSql,
} from "../../core/export/snapshot-sql.js";
import { sqlIdent } from "../../core/sql.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ExportEngine, QueryResult } from "../../ports/query-engine.js";
import type { ExportContext, ExportMade } from "./context.js";

const DEFAULT_ROWS_PER_PART = 1_000_000;

export type { ExportEngine };

export interface WriteRequest {
  readonly snapshot: string;
  readonly columns: readonly string[];
  readonly splits: readonly string[];
  /** Local folder receiving `<split>/part-<n>.parquet`. */
  readonly dataDir: string;
}

export interface WrittenSplits {
  readonly rows: Record<string, number>;
  /** Statements run, in order (for the record and for tests). */
  readonly statements: string[];
}

function countsFrom(result: QueryResult, splits: readonly string[]): Record<string, number> {
  const rows: Record<string, number> = Object.fromEntries(splits.map((s) => [s, 0]));
  for (const r of result.rows) {
    const name = String(r.split);
    if (!(name in rows))
      throw new QueryError(`export: the snapshot produced an unknown split ${JSON.stringify(name)}`);
    rows[name] = Number(r.rows);
  }
  return rows;
}

const TEMP_TABLE = sqlIdent("_lakeline_export");

export async function writeWithDuckdb(
  engine: ExportEngine,
  req: WriteRequest,
  rowsPerPart: number,
): Promise<WrittenSplits> {
  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    if (engine.execute) await engine.execute(sql);
    else await engine.query(sql);
  };
  await run(`CREATE OR REPLACE TEMP TABLE ${TEMP_TABLE} AS ${orderedSnapshotSql(req.snapshot, req.columns)}`);
  try {
    const rangeSql = splitRangesSql(TEMP_TABLE);
    statements.push(rangeSql);
    const result = await engine.query(rangeSql);
    const rows = countsFrom(result, req.splits);
    const first = new Map(result.rows.map((r) => [String(r.split), Number(r.first)]));
    for (const r of result.rows) {
      // The table was created in order, so each split is one contiguous rowid range.
      if (Number(r.last) - Number(r.first) + 1 !== Number(r.rows))
        throw new QueryError(
          `export: split ${String(r.split)} is not one contiguous range of the ordered snapshot`,
        );
    }
    for (const split of req.splits) {
      const count = rows[split]!;
      const start = first.get(split) ?? 0;
      const parts = Math.ceil(count / rowsPerPart);
      if (parts > 0) await fs.mkdir(path.join(req.dataDir, split), { recursive: true });
      for (let p = 0; p < parts; p++) {
        const file = path.join(req.dataDir, ...partRelpath(split, p).split("/"));
        const from = start + p * rowsPerPart;
        const to = Math.min(start + count, from + rowsPerPart);
        await run(copyPartSql({ table: TEMP_TABLE, columns: req.columns, from, to, file }));
      }
    }
    return { rows, statements };
  } finally {
    await run(`DROP TABLE IF EXISTS ${TEMP_TABLE}`);
  }
}

export interface AthenaTarget {
  /** The exports zone; UNLOAD writes into its bucket. */
  readonly store: ObjectStore;
  /** A prefix no earlier attempt used (UNLOAD requires an empty location), ending in "/". */
  readonly stagingPrefix: string;
}

export async function writeWithAthena(
  engine: ExportEngine,
  req: WriteRequest,
  target: AthenaTarget,
): Promise<WrittenSplits> {
  const statements: string[] = [];
  const countSql = splitCountsSql(`(${req.snapshot}) AS "export"`);
  statements.push(countSql);
  const rows = countsFrom(await engine.query(countSql), req.splits);
  for (const split of req.splits) {
    if (rows[split] === 0) continue;
    const prefix = `${target.stagingPrefix}${split}/`;
    const sql = unloadSplitSql({
      snapshot: req.snapshot,
      columns: req.columns,
      split,
      location: `s3://${target.store.bucket}/${prefix}`,
    });
    statements.push(sql);
    await engine.query(sql);
    const keys: string[] = [];
    for await (const o of target.store.list(prefix)) if (o.size > 0 && !o.key.endsWith("/")) keys.push(o.key);
    if (keys.length === 0)
      throw new QueryError(
        `export: UNLOAD of split ${split} (${rows[split]} rows) wrote no file under ${prefix}`,
      );
    await fs.mkdir(path.join(req.dataDir, split), { recursive: true });
    for (const [i, key] of keys.sort().entries()) {
      await target.store.download(key, path.join(req.dataDir, ...partRelpath(split, i).split("/")));
    }
  }
  return { rows, statements };
}

/**
 * The export executor: the snapshot query over the warehouse as known at the snapshot instant, its
 * splits written into the run's data folder in scratch. Athena's UNLOAD writes to a staging prefix
 * of the exports bucket first (no other way out of Athena); nothing is published here.
 */
export async function executeExport(ctx: ExportContext): Promise<ExportMade> {
  const { plan, dataDir } = ctx;
  const { deps, x, snapshotAt } = plan;
  const columns = x.columns.map((c) => c.name);
  const engine = await deps.openEngine(snapshotAt);
  try {
    const query = snapshotSql(
      {
        table: x.dataset,
        columns,
        keyColumns: x.keyColumns,
        spec: x.spec,
        environment: x.environment,
        snapshotAt,
        runIds: earliestRunPerSource(plan.runs).map((r) => r.runId),
        ...(x.where ? { where: x.where } : {}),
      },
      engine.name,
    );
    const req = { snapshot: query, columns, splits: x.spec.parts.map((p) => p.name), dataDir };
    const written =
      engine.name === "duckdb"
        ? await writeWithDuckdb(engine, req, deps.rowsPerPart ?? DEFAULT_ROWS_PER_PART)
        : await writeWithAthena(engine, req, {
            store: deps.stores.exports,
            stagingPrefix: exportStagingPrefix(plan.runId, (deps.attemptId ?? randomUUID)()),
          });
    const totalRows = Object.values(written.rows).reduce((a, b) => a + b, 0);
    return { rows: written.rows, totalRows, query, engine: engine.name };
  } finally {
    await engine.close();
  }
}
