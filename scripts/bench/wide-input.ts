/**
 * Deterministic wide CSV inputs (rows × columns) for the width axis: the same bytes on every
 * machine and run, built by DuckDB from a hash of (row, column). Columns cycle through the kinds a
 * real ML table holds: integers, floats, a low-cardinality category, id-like strings, dates,
 * booleans, and a float with ~5 % missing values.
 *
 *   node --import tsx scripts/bench/wide-input.ts <rows> <columns> [dir]   # prints the file path
 */
import { existsSync, statSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

const KINDS = ["int", "float", "category", "id", "date", "bool", "sparse"] as const;

function columnSql(j: number): string {
  const h = `hash(i, ${j})`;
  const name = `"${KINDS[j % KINDS.length]}_${j}"`;
  switch (KINDS[j % KINDS.length]) {
    case "int":
      return `(${h} % 100000)::BIGINT AS ${name}`;
    case "float":
      return `round((${h} % 1000000) / 1000.0, 3)::DOUBLE AS ${name}`;
    case "category":
      return `['red', 'green', 'blue', 'amber', 'violet'][(${h} % 5)::INTEGER + 1] AS ${name}`;
    case "id":
      return `'id-' || (${h} % 1000000000)::VARCHAR AS ${name}`;
    case "date":
      return `DATE '2020-01-01' + (${h} % 1500)::INTEGER AS ${name}`;
    case "bool":
      return `(${h} % 2 = 0) AS ${name}`;
    default:
      return `CASE WHEN ${h} % 20 = 0 THEN NULL ELSE round((${h} % 10000) / 100.0, 2)::DOUBLE END AS ${name}`;
  }
}

export function wideInputName(rows: number, columns: number): string {
  return `wide-${rows}x${columns}.csv`;
}

/** The CSV of `rows` × `columns` in `dir`, built once (kept while its file exists and is non-empty). */
export async function wideInput(dir: string, rows: number, columns: number): Promise<string> {
  const file = path.resolve(dir, wideInputName(rows, columns));
  if (existsSync(file) && statSync(file).size > 0) return file;
  await fs.mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const instance = await DuckDBInstance.create(":memory:", { memory_limit: "512MB", threads: "2" });
  const conn = await instance.connect();
  try {
    const select = Array.from({ length: columns }, (_, j) => columnSql(j)).join(", ");
    await conn.run(
      `COPY (SELECT ${select} FROM range(${rows}) r(i) ORDER BY i) TO '${tmp.replaceAll("'", "''")}' (FORMAT csv, HEADER true)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  await fs.rename(tmp, file);
  return file;
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const [rows, columns, dir] = process.argv.slice(2);
  const file = await wideInput(dir ?? ".bench", Number(rows ?? 200_000), Number(columns ?? 100));
  process.stdout.write(`${file}\n`);
}
