/**
 * Statistics of a local data file (CSV, TSV, JSON lines or a JSON array; gzip or not; Parquet),
 * computed with DuckDB's readers and auto-detection — the input `inferSchema` turns into a draft.
 * Numeric statistics of TIMESTAMP features are over epoch seconds.
 */
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UsageError } from "../../core/errors.js";
import { defaultColumnName } from "../../core/schema/format.js";
import { type InferenceFeatureStatistics, inferSchema } from "../../core/schema/infer.js";
import type { DatasetSchema, FeatureType } from "../../core/schema/types.js";
import type {
  DatasetStatistics,
  HistogramBucket,
  NumericStatistics,
  StringStatistics,
} from "../../core/stats/types.js";

export interface FileStatistics extends DatasetStatistics {
  readonly features: readonly InferenceFeatureStatistics[];
}

export interface FileStatisticsOptions {
  readonly dataset: string;
  /** Default TRAINING. */
  readonly environment?: string;
  /** Default 10 (TFDV's standard histogram). */
  readonly histogramBuckets?: number;
}

const TOP_K = 50;
const QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);

/** Which DuckDB reader a file needs, from its extension (a trailing .gz is decompressed). */
export function readerSql(file: string): { sql: string; csv: boolean } {
  const lit = `'${path.resolve(file).replaceAll("'", "''")}'`;
  const ext = path.extname(file.replace(/\.gz$/i, "")).toLowerCase();
  switch (ext) {
    case ".csv":
    case ".txt":
      return { sql: `read_csv(${lit}, auto_detect = true, sample_size = -1)`, csv: true };
    case ".tsv":
    case ".tab":
      return { sql: `read_csv(${lit}, auto_detect = true, sample_size = -1, delim = '\\t')`, csv: true };
    case ".json":
    case ".jsonl":
    case ".ndjson":
      return { sql: `read_json_auto(${lit}, sample_size = -1)`, csv: false };
    case ".parquet":
      return { sql: `read_parquet(${lit})`, csv: false };
    default:
      throw new UsageError(
        `cannot infer a schema from ${file}: use a .csv, .tsv, .json, .jsonl, .ndjson or .parquet file (optionally .gz)`,
        { file },
      );
  }
}

interface ColumnType {
  readonly type: FeatureType;
  readonly list: boolean;
  readonly duck: string;
}

export function featureTypeOf(duckType: string): ColumnType {
  const list = duckType.endsWith("[]");
  const t = list ? duckType.slice(0, -2) : duckType;
  const base = (type: FeatureType) => ({ type, list, duck: t });
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t))
    return base("INT");
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(t)) return base("FLOAT");
  if (t === "BOOLEAN") return base("BOOL");
  if (/^(DATE|TIMESTAMP.*)$/.test(t)) return base("TIMESTAMP");
  if (t === "BLOB") return base("BYTES");
  return base("STRING");
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function fileStatistics(file: string, options: FileStatisticsOptions): Promise<FileStatistics> {
  const reader = readerSql(file);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TEMP VIEW src AS SELECT * FROM ${reader.sql}`);
    const columns = (await rows(conn, "DESCRIBE src")).map((r) => ({
      name: String(r.column_name),
      ...featureTypeOf(String(r.column_type)),
    }));
    const formats = reader.csv ? await csvFormats(conn, reader.sql) : {};
    const counts =
      (
        await rows(
          conn,
          `SELECT count(*)::DOUBLE AS n${columns.map((c, i) => `, count(${ident(c.name)})::DOUBLE AS p${i}, count(DISTINCT ${ident(c.name)})::DOUBLE AS d${i}`).join("")} FROM src`,
        )
      )[0] ?? {};
    const rowsRead = Number(counts.n ?? 0);
    const features: InferenceFeatureStatistics[] = [];
    for (const [i, c] of columns.entries()) {
      const present = Number(counts[`p${i}`] ?? 0);
      const values = c.list
        ? `SELECT unnest(${ident(c.name)}) AS x FROM src`
        : `SELECT ${ident(c.name)} AS x FROM src`;
      const numeric =
        c.type === "INT" || c.type === "FLOAT" || c.type === "TIMESTAMP"
          ? await numericStats(conn, values, c, options.histogramBuckets ?? 10)
          : undefined;
      const string =
        c.type === "STRING" || c.type === "BOOL" ? await stringStats(conn, values, c) : undefined;
      const valueCount = c.list ? await valueCountStats(conn, c.name) : undefined;
      const timestampFormat =
        c.type === "TIMESTAMP"
          ? c.duck === "DATE"
            ? (formats.date ?? "%Y-%m-%d")
            : formats.timestamp
          : undefined;
      features.push({
        name: c.name,
        column: defaultColumnName(c.name),
        type: c.type,
        present,
        missing: rowsRead - present,
        distinctApprox: Number(counts[`d${i}`] ?? 0),
        ...(numeric ? { numeric } : {}),
        ...(string ? { string } : {}),
        ...(valueCount ? { valueCount } : {}),
        ...(timestampFormat ? { timestampFormat } : {}),
      });
    }
    return {
      dataset: options.dataset,
      schemaVersion: 0,
      environment: options.environment ?? "TRAINING",
      rowsRead,
      rowsValid: rowsRead,
      rowsQuarantined: 0,
      sourceFields: columns.map((c) => c.name),
      features,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Read a file and draft its schema (version `version`); see `inferSchema` for the rules. */
export async function inferSchemaFromFile(
  file: string,
  options: { dataset: string; version: number },
): Promise<{ schema: DatasetSchema; statistics: FileStatistics }> {
  const statistics = await fileStatistics(file, { dataset: options.dataset });
  const schema = inferSchema(statistics, {
    ...options,
    description: `Inferred by \`lakeline schema infer\` from ${path.basename(file)} (${statistics.rowsRead} rows); review before release.`,
  });
  return { schema, statistics };
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function csvFormats(
  conn: DuckDBConnection,
  readSql: string,
): Promise<{ date?: string; timestamp?: string }> {
  const args = readSql
    .slice("read_csv(".length, -1)
    .replace(/, auto_detect = true, sample_size = -1/, ", sample_size = -1");
  const r = (await rows(conn, `SELECT DateFormat, TimestampFormat FROM sniff_csv(${args})`))[0];
  return {
    ...(typeof r?.DateFormat === "string" ? { date: r.DateFormat } : {}),
    ...(typeof r?.TimestampFormat === "string" ? { timestamp: r.TimestampFormat } : {}),
  };
}

async function numericStats(
  conn: DuckDBConnection,
  values: string,
  c: ColumnType,
  buckets: number,
): Promise<NumericStatistics | undefined> {
  const asDouble = c.type === "TIMESTAMP" ? "epoch(x)::DOUBLE" : "CAST(x AS DOUBLE)";
  const base = `(SELECT ${asDouble} AS v FROM (${values}) WHERE x IS NOT NULL)`;
  const s = (
    await rows(
      conn,
      `SELECT count(*) FILTER (WHERE isfinite(v))::DOUBLE AS n, count(*) FILTER (WHERE NOT isfinite(v))::DOUBLE AS nonfinite,
        min(v) FILTER (WHERE isfinite(v)) AS mn, max(v) FILTER (WHERE isfinite(v)) AS mx,
        avg(v) FILTER (WHERE isfinite(v)) AS mean, stddev_pop(v) FILTER (WHERE isfinite(v)) AS sd,
        sum(v) FILTER (WHERE isfinite(v)) AS s, sum(v * v) FILTER (WHERE isfinite(v)) AS ss,
        count(*) FILTER (WHERE v = 0)::DOUBLE AS zeros,
        quantile_cont(v, [${QUANTILES.join(", ")}]) FILTER (WHERE isfinite(v)) AS q
      FROM ${base}`,
    )
  )[0];
  if (!s || Number(s.n) === 0) return undefined;
  const min = Number(s.mn);
  const max = Number(s.mx);
  const n = Number(s.n);
  let histogram: HistogramBucket[];
  if (max === min) {
    histogram = [{ low: min, high: max, count: n }];
  } else {
    const width = (max - min) / buckets;
    const counts = new Map(
      (
        await rows(
          conn,
          `SELECT least(CAST(floor((v - ${min}) / ${width}) AS INTEGER), ${buckets - 1}) AS b, count(*)::DOUBLE AS n
           FROM ${base} WHERE isfinite(v) GROUP BY 1`,
        )
      ).map((r) => [Number(r.b), Number(r.n)]),
    );
    histogram = Array.from({ length: buckets }, (_, b) => ({
      low: min + b * width,
      high: b === buckets - 1 ? max : min + (b + 1) * width,
      count: counts.get(b) ?? 0,
    }));
  }
  return {
    min,
    max,
    mean: Number(s.mean),
    stddev: Number(s.sd ?? 0),
    sum: Number(s.s),
    sumSquares: Number(s.ss),
    quantiles: (s.q as number[]).map(Number),
    histogram,
    zeros: Number(s.zeros),
    nonFinite: Number(s.nonfinite),
  };
}

async function stringStats(conn: DuckDBConnection, values: string, c: ColumnType): Promise<StringStatistics> {
  // JSON-typed columns (mixed types in the source) hold JSON text; `->>'$'` unwraps strings.
  const text = c.duck === "JSON" ? "(x ->> '$')" : "CAST(x AS VARCHAR)";
  const base = `(SELECT ${text} AS v FROM (${values}) WHERE x IS NOT NULL)`;
  const top = await rows(
    conn,
    `SELECT v, count(*)::DOUBLE AS n FROM ${base} GROUP BY v ORDER BY n DESC, v LIMIT ${TOP_K}`,
  );
  const avg = (await rows(conn, `SELECT coalesce(avg(length(v)), 0)::DOUBLE AS a FROM ${base}`))[0];
  return {
    topValues: top.map((r) => ({ value: String(r.v), count: Number(r.n) })),
    avgLength: Number(avg?.a ?? 0),
  };
}

async function valueCountStats(
  conn: DuckDBConnection,
  column: string,
): Promise<{ min: number; max: number; mean: number } | undefined> {
  const r = (
    await rows(
      conn,
      `SELECT min(len(${ident(column)}))::DOUBLE AS mn, max(len(${ident(column)}))::DOUBLE AS mx, avg(len(${ident(column)}))::DOUBLE AS a FROM src WHERE ${ident(column)} IS NOT NULL`,
    )
  )[0];
  if (!r || r.mn === null) return undefined;
  return { min: Number(r.mn), max: Number(r.mx), mean: Number(r.a) };
}
