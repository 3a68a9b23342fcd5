/**
 * Point-in-time reads on Athena: a dataset's relations as they were known at an instant, what
 * `lakeline query --as-of` gives on the local lake. Filtering `<dataset>_committed` by
 * `_ingested_at <= T` is not that: it drops a blob whose latest processing came after T (its
 * earlier processing was current at T), and `<dataset>_history` filtered so counts a blob processed
 * twice before T twice. The relations below choose the runs from the commit markers at or before T
 * (`<dataset>_runs`), by the rule exports use (committedRunIdsSelect), then take those runs' rows:
 *   `<dataset>`, `<dataset>_committed`     each source blob's latest processing at or before T
 *   `<dataset>_history`                    every processing committed (status ok) at or before T
 *   `<dataset>_quarantine`                 the latest processings' rejected rows
 *   `<dataset>_quarantine_history`         every such processing's rejected rows
 * `withAsOf` puts them in front of a statement as WITH queries named like the relations they stand
 * for, so the statement written for the current state runs unchanged as of T; inside them the
 * tables are qualified with the database, which a WITH name never shadows.
 */
import { UsageError } from "../core/errors.js";
import { committedRunIdsSelect } from "../core/export/snapshot-sql.js";
import { sqlIdent, sqlString } from "../core/sql.js";
import { renderSelect } from "../core/sql-builder.js";
import { HISTORY_SUFFIX } from "../core/warehouse/latest.js";
import { committedViewName, historyViewName, QUARANTINE_SUFFIX, runsTableName } from "./committed-view.js";

export interface AsOfRelation {
  readonly name: string;
  readonly sql: string;
}

const instant = (at: Date) => `from_iso8601_timestamp(${sqlString(at.toISOString())})`;

/** The relations of `dataset` as of `asOf`, over the tables and runs view of Glue database `database`. */
export function asOfRelations(database: string, dataset: string, asOf: Date): AsOfRelation[] {
  const runs = runsTableName(dataset);
  const latest = renderSelect(committedRunIdsSelect({ table: dataset, runsTable: runs, asOf }, "athena"), {
    compact: true,
  });
  const every =
    `SELECT "runId" FROM ${sqlIdent(runs)} WHERE "dataset" = ${sqlString(dataset)} AND "status" = 'ok' ` +
    `AND from_iso8601_timestamp("ingestedAt") <= ${instant(asOf)}`;
  const rows = (table: string, runIds: string) =>
    `SELECT * FROM ${sqlIdent(database)}.${sqlIdent(table)} WHERE "_ingested_at" <= ${instant(asOf)} AND "_run_id" IN (${runIds})`;
  const quarantine = `${dataset}${QUARANTINE_SUFFIX}`;
  return [
    { name: dataset, sql: rows(dataset, latest) },
    { name: committedViewName(dataset), sql: rows(dataset, latest) },
    { name: historyViewName(dataset), sql: rows(dataset, every) },
    { name: quarantine, sql: rows(quarantine, latest) },
    { name: `${quarantine}${HISTORY_SUFFIX}`, sql: rows(quarantine, every) },
  ];
}

/** Names a statement may use for a relation: bare or double-quoted identifiers, lower-cased. */
function identifiersIn(sql: string): Set<string> {
  const names = new Set<string>();
  for (const m of sql.matchAll(/"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_]*)\b/g))
    names.add((m[1]?.replaceAll('""', '"') ?? m[2]!).toLowerCase());
  return names;
}

/** Leading whitespace and comments (`-- …` lines, `/* … *\/` blocks) of a statement. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/**
 * `sql` with the as-of relations of every dataset it names in front, as WITH queries (merged into
 * the statement's own WITH, if it has one). Refuses what it cannot rewrite: WITH RECURSIVE, a
 * statement that is not a query, a relation of a dataset qualified with its database, and a
 * `_committed` / `_history` / `_quarantine` relation read FROM or JOINed whose dataset is not in
 * `datasets` (it would be read as it is now).
 */
export function withAsOf(sql: string, database: string, datasets: readonly string[], asOf: Date): string {
  const lead = LEADING.exec(sql)![0];
  const body = sql.slice(lead.length);
  if (/^with\s+recursive\b/i.test(body))
    throw new UsageError("--as-of on Athena: a WITH RECURSIVE statement cannot be read as of an instant");
  if (!/^(with|select)\b/i.test(body))
    throw new UsageError(
      `--as-of on Athena applies to a query (SELECT or WITH), not ${JSON.stringify(body.slice(0, 40))}`,
    );
  const used = identifiersIn(body);
  // A relation of a dataset missing from `datasets` would silently be read as it is now.
  const known = new Set(datasets.map((d) => d.toLowerCase()));
  for (const [, , quoted, bare] of body.matchAll(
    /\b(from|join)\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))/gi,
  )) {
    const name = (quoted ?? bare!).toLowerCase();
    const base = name.replace(/(_quarantine)?(_committed|_history)$|_quarantine$/, "");
    if (base !== name && base !== "" && !known.has(base))
      throw new UsageError(
        `--as-of on Athena: ${name} looks like a relation of dataset ${base}, which has no schema here (${datasets.length > 0 ? `known: ${datasets.join(", ")}` : "no datasets found"}); pass --schemas <dir>`,
      );
  }
  const relations = datasets
    .flatMap((d) => asOfRelations(database, d, asOf))
    .filter((r) => used.has(r.name.toLowerCase()));
  const qualified = new RegExp(`${sqlIdentPattern(database)}\\s*\\.\\s*${relationsPattern(relations)}`, "i");
  if (relations.length > 0 && qualified.test(body))
    throw new UsageError(
      `--as-of on Athena: name the dataset's relations without the database (${database}.…), so the as-of relations stand in for them`,
    );
  if (relations.length === 0) return sql;
  const ctes = relations.map((r) => `${sqlIdent(r.name)} AS (${r.sql})`).join(",\n");
  return /^with\b/i.test(body)
    ? `${lead}WITH ${ctes},\n${body.replace(/^with\s+/i, "")}`
    : `${lead}WITH ${ctes}\n${body}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const sqlIdentPattern = (name: string) => `(?:"${escapeRegExp(name)}"|\\b${escapeRegExp(name)}\\b)`;
const relationsPattern = (relations: readonly AsOfRelation[]) =>
  `(?:${relations.map((r) => sqlIdentPattern(r.name)).join("|") || "(?!)"})`;
