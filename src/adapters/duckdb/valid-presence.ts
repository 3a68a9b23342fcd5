/**
 * How many valid rows have each feature: read from the valid-row Parquet file's own column statistics
 * (rows − null count of each column chunk), which its writer counts exactly, instead of a count per
 * column over the staged table — a scan that read every text column only to count it (300 columns ×
 * 200k rows: 0.8 s of the 2.9 s aggregates). Lists are counted in SQL: a list column's null count is
 * of its elements, not its rows.
 */
import { isList } from "../../core/schema/types.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { as, renderSelect } from "../../core/sql-builder.js";
import type { FeaturePlan } from "../../core/validate/row-sql.js";
import type { Database } from "./database.js";

/** Whether a feature's presence among valid rows can come from the valid file's statistics. */
export function presenceFromFile(p: FeaturePlan): boolean {
  return !isList(p.feature);
}

/** The SQL count of valid rows having the feature (what the file's statistics stand for). */
export function presenceSql(p: FeaturePlan): string {
  return `count_if(__ok AND ${p.staged} IS NOT NULL)`;
}

/**
 * Feature position → valid rows having it, for the scalar features of `plans` whose column in `file`
 * (matched by name: `plans` may be any subset of the schema's features, and no feature column is
 * named like a lineage column) has a null count in every row group; undefined when the file does not
 * hold `rowsValid` rows. A feature missing from the map is counted in SQL (countPresence).
 */
export async function filePresence(
  db: Database,
  file: string,
  plans: readonly FeaturePlan[],
  rowsValid: number,
): Promise<Map<number, number> | undefined> {
  const chunks = await db.all(
    renderSelect({
      select: [
        "column_id",
        as("any_value(path_in_schema)", "path"),
        as("sum(row_group_num_rows)", "n"),
        as("sum(stats_null_count)", "nulls"),
        as("count(*) = count(stats_null_count)", "counted"),
      ],
      from: `parquet_metadata(${sqlString(file)})`,
      groupBy: ["column_id"],
    }),
  );
  const byColumn = new Map(plans.map((p) => [p.feature.column, p]));
  const out = new Map<number, number>();
  for (const c of chunks) {
    const p = byColumn.get(String(c.path));
    if (Number(c.n) !== rowsValid) return undefined;
    if (p && presenceFromFile(p) && c.counted === true) out.set(p.index, rowsValid - Number(c.nulls));
  }
  // A file without row groups has no chunks: no valid row has anything.
  if (rowsValid === 0) for (const p of plans) if (presenceFromFile(p)) out.set(p.index, 0);
  return out;
}

/** Valid rows having each of `plans`, counted over the staged table (one scan). */
export async function countPresence(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (plans.length === 0) return out;
  const [row] = await db.all(
    renderSelect({ select: plans.map((p) => as(presenceSql(p), `p${p.index}`)), from: table }),
  );
  for (const p of plans) out.set(p.index, Number(row?.[`p${p.index}`] ?? 0));
  return out;
}
