/**
 * The records DuckDB's reader rejected (malformed CSV records, JSON lines over the size limit) as
 * ingest numbers and names them: each one's ordinal, and for CSV its line in the file.
 */
import { headerLines } from "./batch-sql.js";
import { locateRejected, rejectedTextsSql } from "./csv-lines.js";
import type { Database } from "./database.js";
import type { PreparedBlob } from "./reader.js";

/**
 * The ordinals of the records DuckDB rejected (`_source_row`: DuckDB's `line` less the header, and,
 * in a CSV file, less the blank lines before, which its `line` counts but its records skip), and
 * `table` with each one's line in the file, when the file could be located (see csv-lines.ts).
 */
export async function rejectedRecords(
  db: Database,
  rejects: string,
  blob: PreparedBlob,
  table: string,
): Promise<{ ordinals: number[]; positions?: string }> {
  const rows = await db.all(rejectedTextsSql(rejects));
  const header = headerLines(blob);
  const located =
    blob.format === "csv" ? await locateRejected(blob.path, blob.quote ?? '"', rows) : undefined;
  const ordinal = (line: number) => line - header - (located?.get(line)?.blankBefore ?? 0);
  const ordinals = rows.map((r) => ordinal(Number(r.line)));
  if (!located) return { ordinals };
  await db.exec(`CREATE TEMP TABLE ${table}_text (line VARCHAR, ordinal VARCHAR, physical VARCHAR)`);
  await db.append(
    `${table}_text`,
    [...located].map(([line, p]) => [String(line), String(ordinal(line)), String(p.physical)]),
  );
  await db.exec(
    `CREATE TEMP TABLE ${table} AS SELECT line::BIGINT AS line, ordinal::BIGINT AS ordinal, physical::BIGINT AS physical FROM ${table}_text`,
  );
  return { ordinals, positions: table };
}
