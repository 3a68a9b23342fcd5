/**
 * A local data file as DuckDB's relation `src`: the reader its name (and first bytes) call for, the
 * dialect and types DuckDB's sniffer settles on a sample, and the SQL helpers both the full
 * statistics (file-statistics.ts) and inference (infer-file.ts) use over it.
 */

import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UsageError } from "../../core/errors.js";
import type { CsvOptions, FeatureType } from "../../core/schema/types.js";
import { sqlString } from "../../core/sql.js";
import { locateRejected, rejectedTextsSql } from "./csv-lines.js";
import { fileStartText } from "./file-head.js";

export type SourceKind = "csv" | "tsv" | "json" | "parquet";

/** Which DuckDB reader a file needs, from its extension (a trailing .gz is decompressed). */
export function sourceKind(file: string): SourceKind {
  const ext = path.extname(file.replace(/\.gz(ip)?$/i, "")).toLowerCase();
  switch (ext) {
    case ".csv":
    case ".txt":
      return "csv";
    case ".tsv":
    case ".tab":
      return "tsv";
    case ".json":
    case ".jsonl":
    case ".ndjson":
      return "json";
    case ".parquet":
      return "parquet";
    default:
      throw new UsageError(
        `cannot infer a schema from ${file}: use a .csv, .tsv, .json, .jsonl, .ndjson or .parquet file (optionally .gz)`,
        { file },
      );
  }
}

export interface ColumnType {
  readonly type: FeatureType;
  readonly list: boolean;
  readonly duck: string;
}

/** DuckDB's integer types. */
export const INTEGER =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

export function featureTypeOf(duckType: string): ColumnType {
  const list = duckType.endsWith("[]");
  const t = list ? duckType.slice(0, -2) : duckType;
  const base = (type: FeatureType) => ({ type, list, duck: t });
  if (INTEGER.test(t)) return base("INT");
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(t)) return base("FLOAT");
  if (t === "BOOLEAN") return base("BOOL");
  if (/^(DATE|TIMESTAMP.*)$/.test(t)) return base("TIMESTAMP");
  if (t === "BLOB") return base("BYTES");
  return base("STRING");
}

export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
export interface Loaded {
  readonly format: "csv" | "json" | "parquet";
  readonly csv?: CsvOptions;
  readonly date?: string;
  readonly timestamp?: string;
  /** The read the sniffer proposed (CSV; JSON as a view), and its columns as typed on the sample. */
  readonly sniffed?: {
    readonly prompt: string;
    readonly columns: readonly { readonly name: string; readonly type: string }[];
  };
  /** Malformed CSV lines the read skips (see sniffCsv): how many, and the first one's line. */
  readonly skipped?: SkippedLines;
}

export interface SkippedLines {
  readonly lines: number;
  /** The line of the file where the first one starts. */
  readonly first: number;
}

/**
 * Makes `src` the file's relation: a table (one scan; later queries read only their columns) or a
 * view with the sniffed dialect and types spelled out (no re-sniffing when a query binds it).
 */
export async function load(
  conn: DuckDBConnection,
  file: string,
  as: "TABLE" | "VIEW" = "TABLE",
  wholeFile = false,
): Promise<Loaded> {
  let kind = sourceKind(file);
  const start = kind === "parquet" ? "" : await fileStartText(file);
  const first = start.replace(/^\uFEFF/, "").trimStart()[0];
  // Content beats the name: a JSON array or JSON lines saved as .csv is read as JSON.
  if ((kind === "csv" || kind === "tsv") && (first === "[" || first === "{")) kind = "json";
  if (kind === "parquet") {
    const at = sqlString(path.resolve(file));
    await conn.run(`CREATE TEMP ${as} src AS SELECT * FROM read_parquet(${at})`);
    return { format: "parquet" };
  }
  // The sniffer's default sample settles dialect and types in a fraction of a scan; a value later in
  // the file that does not fit a sampled type fails the load, which then re-sniffs the whole file.
  // (A view fails at its first query instead: see inferenceStatistics.)
  if (wholeFile) return await loadWith(conn, file, kind, ", sample_size = -1", as);
  try {
    return await loadWith(conn, file, kind, "", as);
  } catch {
    await conn.run(`DROP ${as} IF EXISTS src`);
    return await loadWith(conn, file, kind, ", sample_size = -1", as);
  }
}

const SNIFFED = "Delimiter, Quote, HasHeader, DateFormat, TimestampFormat, Columns, Prompt";

const columnCount = (r: Record<string, unknown> | undefined) =>
  Array.isArray(r?.Columns) ? r.Columns.length : 0;

/**
 * DuckDB's sniff of a CSV file (`args`: the file and options). One ragged line defeats the sniffer:
 * it fails, or settles on a dialect that reads each whole line as one column (a CSV header then
 * becomes one feature named "id,name,score"). Then it sniffs again with malformed lines skipped,
 * and keeps that dialect when it finds more columns; its read skips those lines too (skippedLines
 * counts them for the user). The first sniff's error stands when the second finds nothing better.
 */
async function sniffCsv(conn: DuckDBConnection, args: string): Promise<Record<string, unknown> | undefined> {
  let sniffed: Record<string, unknown> | undefined;
  let failure: unknown;
  try {
    sniffed = (await rows(conn, `SELECT ${SNIFFED} FROM sniff_csv(${args})`))[0];
  } catch (err) {
    failure = err;
  }
  if (columnCount(sniffed) <= 1) {
    const tolerant = (
      await rows(conn, `SELECT ${SNIFFED} FROM sniff_csv(${args}, ignore_errors = true)`).catch(() => [])
    )[0];
    if (columnCount(tolerant) > Math.max(1, columnCount(sniffed))) return tolerant;
  }
  if (failure) throw failure;
  return sniffed;
}

/** The malformed lines a read with `ignore_errors` skips: how many, and where the first one starts. */
async function skippedLines(
  conn: DuckDBConnection,
  prompt: string,
  file: string,
  quote: string,
): Promise<SkippedLines | undefined> {
  const counting = prompt.replace(
    /ignore_errors\s*=\s*true/i,
    "store_rejects = true, rejects_table = '__skipped_lines', rejects_scan = '__skipped_scan'",
  );
  await conn.run(`SELECT count(*) ${counting}`);
  const rejected = await rows(conn, rejectedTextsSql("__skipped_lines"));
  await conn.run("DROP TABLE IF EXISTS __skipped_lines; DROP TABLE IF EXISTS __skipped_scan");
  const first = rejected[0];
  if (!first) return undefined;
  const at = Number(first.line);
  // DuckDB's own counter takes one line per record; the line an editor shows may differ.
  const located = await locateRejected(file, quote, [first]);
  return { lines: rejected.length, first: located?.get(at)?.physical ?? at };
}

async function loadWith(
  conn: DuckDBConnection,
  file: string,
  kind: SourceKind,
  sample: string,
  as: "TABLE" | "VIEW",
): Promise<Loaded> {
  const at = sqlString(path.resolve(file));
  if (kind === "json") {
    if (as === "TABLE") {
      await conn.run(`CREATE TEMP TABLE src AS SELECT * FROM read_json_auto(${at}${sample})`);
      return { format: "json" };
    }
    // Spelled out so the view does not re-sample at every bind (and so a read can retype columns).
    const columns = (await rows(conn, `DESCRIBE SELECT * FROM read_json_auto(${at}${sample})`)).map((r) => ({
      name: String(r.column_name),
      type: String(r.column_type),
    }));
    const prompt = `FROM read_json(${at}, ${columnsText(columns)})`;
    await conn.run(`CREATE TEMP VIEW src AS SELECT * ${prompt}`);
    return { format: "json", sniffed: { prompt, columns } };
  }
  const delim = kind === "tsv" ? ", delim = '\\t'" : "";
  const sniffed = await sniffCsv(conn, `${at}${sample}${delim}`);
  if (!sniffed) throw new UsageError(`cannot read ${file}: DuckDB's CSV sniffer found no dialect`, { file });
  const quote = String(sniffed.Quote);
  const csv: CsvOptions = {
    delimiter: String(sniffed.Delimiter),
    quote: quote === "(empty)" || quote === "" ? '"' : quote,
    header: sniffed.HasHeader === true,
  };
  const prompt = String(sniffed.Prompt).replace(/;\s*$/, "");
  await conn.run(`CREATE TEMP ${as} src AS SELECT * ${prompt}`);
  const columns = Array.isArray(sniffed.Columns)
    ? (sniffed.Columns as { name: unknown; type: unknown }[]).map((c) => ({
        name: String(c.name),
        type: String(c.type),
      }))
    : [];
  const skipped = /ignore_errors\s*=\s*true/i.test(prompt)
    ? await skippedLines(conn, prompt, path.resolve(file), quote === "(empty)" ? "" : quote)
    : undefined;
  return {
    format: "csv",
    csv,
    sniffed: { prompt, columns },
    ...(skipped ? { skipped } : {}),
    ...(typeof sniffed.DateFormat === "string" ? { date: sniffed.DateFormat } : {}),
    ...(typeof sniffed.TimestampFormat === "string" ? { timestamp: sniffed.TimestampFormat } : {}),
  };
}

/**
 * The sniffer's read of the file with other column types (`FROM read_csv(…, columns={…})`), or
 * undefined when its read does not spell the columns out as expected (nothing to rewrite).
 */
export function sniffedRead(
  loaded: Loaded,
): ((columns: readonly { name: string; type: string }[]) => string) | undefined {
  const sniffed = loaded.sniffed;
  if (!sniffed || sniffed.columns.length === 0) return undefined;
  const spelled = columnsText(sniffed.columns);
  if (!sniffed.prompt.includes(spelled)) return undefined;
  // A function, so a `$'` in a column name is not a replacement pattern.
  return (columns) => sniffed.prompt.replace(spelled, () => columnsText(columns));
}

export const numericOf = (c: ColumnType, x: string) =>
  c.type === "TIMESTAMP"
    ? `epoch(${x})::DOUBLE`
    : c.type === "INT" || c.type === "FLOAT"
      ? `CAST(${x} AS DOUBLE)`
      : undefined;
export const textOf = (c: ColumnType, x: string) =>
  c.duck === "JSON" ? `(${x} ->> '$')` : `CAST(${x} AS VARCHAR)`;

export function histogramCounts<K = number>(
  value: unknown,
  key: (k: unknown) => K = Number as unknown as (k: unknown) => K,
): Map<K, number> {
  const out = new Map<K, number>();
  if (Array.isArray(value)) {
    for (const e of value as { key: unknown; value: unknown }[]) out.set(key(e.key), Number(e.value));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.set(key(k), Number(v));
  }
  return out;
}

export async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

const columnsText = (columns: readonly { name: string; type: string }[]) =>
  `columns={${columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(", ")}}`;
