/**
 * Staging a wide CSV table in two parts by columns, on two connections at once. A wide table gets one
 * DuckDB worker (its reader and writer hold buffers per column and thread, see sizing.ts), so
 * staging — the CSV read, the casts, every check and the staged Parquet file — ran on one core while
 * the other waited. Buffers are per column, so two statements each writing half of the columns on
 * one thread hold about what one writing all of them did, and run side by side.
 *
 * Each part reads the whole file in the same order and writes its own Parquet file, so row N of one
 * is row N of the other (both preserve insertion order); a view puts them side by side with a
 * POSITIONAL JOIN. Each part's `__ok` covers the checks of its own features (see
 * RowPlanInput.checked), so the row's verdict is the AND of the two. Where a part's `__ok` is false it
 * builds the whole bad-row text — every feature's code and reason, the record as read — with the same
 * SQL as one-file staging, so a quarantined row reads the same whichever part failed it.
 */
import * as path from "node:path";
import { sqlIdent, sqlString } from "../../core/sql.js";
import type { FeaturePlan, RowValidationPlan } from "../../core/validate/row-sql.js";
import { stagedParquet } from "./batch-sql.js";
import type { Database } from "./database.js";
import type { SourceRelation } from "./source-relation.js";

/** Where the staged table lives and how it was written. */
export type Staging = "memory" | "disk" | "split";

/** Features of the first part: the first half (the parts measured equal at 300 columns). */
function inFirstPart(features: number): (index: number) => boolean {
  const cut = Math.ceil(features / 2);
  return (index) => index < cut;
}

interface StagingPart {
  /** The part's rowValidationPlan SQL, over its own read of the file (own rejects table). */
  readonly planSql: string;
  /** Its rejects table, checked against the other's: both must skip the same records. */
  readonly rejectsTable: string;
  /** The features whose typed values it writes (and whose checks make its `__ok`). */
  readonly features: readonly FeaturePlan[];
}

const partColumns = (features: readonly FeaturePlan[]) => [...features.map((p) => p.staged), "__ok", "__bad"];

/**
 * Stages a CSV table (one read of it per part, `sources`) in two parts written at once (the second on
 * a fork of `db`), then defines the view `staged` with the columns one-file staging has. Returns
 * false, leaving no view, when the parts disagree on the records they read (rows or rejected lines):
 * the caller then stages in one file. Used where a table is staged on disk with one DuckDB worker
 * (see StagedBatch.stage); JSON sources and narrower tables stage in one statement, whose reader
 * parallelises by itself.
 */
export async function stageInParts(
  db: Database,
  sources: readonly [SourceRelation, SourceRelation],
  planOf: (source: SourceRelation, checked: (index: number) => boolean) => RowValidationPlan,
  scratch: string,
  columns: { features: number; staged: number },
): Promise<boolean> {
  const first = inFirstPart(columns.features);
  const parts = sources.map((source, i): StagingPart => {
    const own = (index: number) => first(index) === (i === 0);
    const plan = planOf(source, own);
    return {
      planSql: plan.sql,
      rejectsTable: source.rejectsTable,
      features: plan.features.filter((f) => own(f.index)),
    };
  }) as [StagingPart, StagingPart];
  const files = ["staged-a.parquet", "staged-b.parquet"].map((f) => sqlString(path.join(scratch, f)));
  const other = await db.fork();
  try {
    // Both settle before the fork closes: a part that fails must not cut the other off mid-statement.
    const written = await Promise.allSettled(
      parts.map((part, i) =>
        (i === 0 ? db : other).exec(
          `COPY (SELECT ${partColumns(part.features).join(", ")} FROM (\n${part.planSql}\n)) TO ${files[i]} (${stagedParquet(columns.staged)})`,
        ),
      ),
    );
    for (const w of written) if (w.status === "rejected") throw w.reason;
    // A rejects table is a temporary table of the connection that read the file.
    if (!(await sameRecords([db, other], parts, files))) return false;
  } finally {
    other.close();
  }
  const [a, b] = parts;
  const typed = [...a.features.map((p) => `a.${p.staged}`), ...b.features.map((p) => `b.${p.staged}`)];
  await db.exec(
    `CREATE VIEW staged AS SELECT ${typed.join(", ")}, a.__ok AND b.__ok AS __ok, coalesce(a.__bad, b.__bad) AS __bad, a.file_row_number FROM read_parquet(${files[0]}, file_row_number = true) AS a POSITIONAL JOIN read_parquet(${files[1]}) AS b`,
  );
  return true;
}

/** Both parts staged the same records: as many rows, and the same rejected lines. */
async function sameRecords(
  connections: readonly [Database, Database],
  parts: readonly [StagingPart, StagingPart],
  files: readonly string[],
): Promise<boolean> {
  const read = await Promise.all(
    connections.map(async (c, i) => {
      const rows = await c.all(
        `SELECT (SELECT sum(num_rows) FROM parquet_file_metadata(${files[i]}))::BIGINT AS n, (SELECT list(DISTINCT line ORDER BY line) FROM ${parts[i]!.rejectsTable})::VARCHAR AS lines`,
      );
      return `${rows[0]?.n} ${rows[0]?.lines}`;
    }),
  );
  return read[0] === read[1];
}
