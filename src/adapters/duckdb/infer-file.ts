/**
 * Statistics of a local data file (CSV, TSV, JSON lines or a JSON array; gzip or not; Parquet),
 * computed with DuckDB's readers and auto-detection — the input `inferSchema` turns into a draft.
 * Numeric statistics of TIMESTAMP features are over epoch seconds.
 *
 * Cost is two scans of the file whatever its width: DuckDB's sniffer reads it once to settle the
 * dialect and the types, then it is loaded once into a columnar temp table; every statistic after
 * that reads only the columns it needs from the table (a wide aggregate per group of columns, one
 * grouped query per string column), so the total work grows with cells, not columns².
 */
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ENV } from "../../contract/env.js";
import { engineMessage } from "../../core/engine-errors.js";
import { errorMessage, LakelineError, UsageError } from "../../core/errors.js";
import { defaultColumnName } from "../../core/schema/format.js";
import {
  type InferenceFeatureStatistics,
  type InferenceStatistics,
  inferSchema,
} from "../../core/schema/infer.js";
import type { CsvOptions, DatasetSchema, FeatureType } from "../../core/schema/types.js";
import type {
  DatasetStatistics,
  FeatureStatistics,
  HistogramBucket,
  NumericStatistics,
} from "../../core/stats/types.js";
import { fileStartText } from "./file-head.js";

export type FileFeatureStatistics = FeatureStatistics & { readonly timestampFormat?: string };

export interface FileStatistics extends DatasetStatistics {
  readonly features: readonly FileFeatureStatistics[];
  /** The CSV dialect the sniffer settled on (CSV sources only). */
  readonly csv?: CsvOptions;
  readonly format: "csv" | "json" | "parquet";
}

export interface FileStatisticsOptions {
  readonly dataset: string;
  /** Default TRAINING. */
  readonly environment?: string;
  /** Default 10 (TFDV's standard histogram). */
  readonly histogramBuckets?: number;
  /** DuckDB memory limit (default: DuckDB's own, 80 % of RAM); beyond it the table spills. */
  readonly memoryLimit?: string;
}

const TOP_K = 50;
const QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);
/** Columns per wide aggregate: keeps each query's state (quantile buffers) bounded. */
const GROUP = 24;

type SourceKind = "csv" | "tsv" | "json" | "parquet";

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
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

interface Loaded {
  readonly format: FileStatistics["format"];
  readonly csv?: CsvOptions;
  readonly date?: string;
  readonly timestamp?: string;
}

/**
 * Makes `src` the file's relation: a table (one scan; later queries read only their columns) or a
 * view with the sniffed dialect and types spelled out (no re-sniffing when a query binds it).
 */
async function load(
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
    const at = lit(path.resolve(file));
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

async function loadWith(
  conn: DuckDBConnection,
  file: string,
  kind: SourceKind,
  sample: string,
  as: "TABLE" | "VIEW",
): Promise<Loaded> {
  const at = lit(path.resolve(file));
  if (kind === "json") {
    const columns =
      as === "VIEW"
        ? // Spelled out so the view does not re-sample at every bind.
          (await rows(conn, `DESCRIBE SELECT * FROM read_json_auto(${at}${sample})`))
            .map((r) => `${lit(String(r.column_name))}: ${lit(String(r.column_type))}`)
            .join(", ")
        : undefined;
    await conn.run(
      columns !== undefined
        ? `CREATE TEMP VIEW src AS SELECT * FROM read_json(${at}, columns = {${columns}})`
        : `CREATE TEMP TABLE src AS SELECT * FROM read_json_auto(${at}${sample})`,
    );
    return { format: "json" };
  }
  const delim = kind === "tsv" ? ", delim = '\\t'" : "";
  const sniffed = (
    await rows(
      conn,
      `SELECT Delimiter, Quote, HasHeader, DateFormat, TimestampFormat, Prompt FROM sniff_csv(${at}${sample}${delim})`,
    )
  )[0];
  if (!sniffed) throw new UsageError(`cannot read ${file}: DuckDB's CSV sniffer found no dialect`, { file });
  const quote = String(sniffed.Quote);
  const csv: CsvOptions = {
    delimiter: String(sniffed.Delimiter),
    quote: quote === "(empty)" || quote === "" ? '"' : quote,
    header: sniffed.HasHeader === true,
  };
  await conn.run(`CREATE TEMP ${as} src AS SELECT * ${String(sniffed.Prompt).replace(/;\s*$/, "")}`);
  return {
    format: "csv",
    csv,
    ...(typeof sniffed.DateFormat === "string" ? { date: sniffed.DateFormat } : {}),
    ...(typeof sniffed.TimestampFormat === "string" ? { timestamp: sniffed.TimestampFormat } : {}),
  };
}

export async function fileStatistics(file: string, options: FileStatisticsOptions): Promise<FileStatistics> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", {
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const conn = await instance.connect();
  try {
    const loaded = await load(conn, file);
    const columns = (await rows(conn, "DESCRIBE src")).map((r) => ({
      name: String(r.column_name),
      ...featureTypeOf(String(r.column_type)),
    }));
    const rowsRead = Number((await rows(conn, "SELECT count(*)::DOUBLE AS n FROM src"))[0]?.n ?? 0);
    const features: FileFeatureStatistics[] = [];
    for (let g = 0; g < columns.length; g += GROUP) {
      const group = columns.slice(g, g + GROUP);
      const scalar = group.filter((c) => !c.list);
      const wide = scalar.length > 0 ? await wideAggregates(conn, scalar) : {};
      const histograms = scalar.length > 0 ? await wideHistograms(conn, scalar, wide, options) : new Map();
      for (const c of group) {
        const f = c.list
          ? await listColumn(conn, c, rowsRead, options)
          : await scalarColumn(conn, c, scalar.indexOf(c), wide, histograms.get(c.name), rowsRead);
        const timestampFormat =
          c.type === "TIMESTAMP"
            ? c.duck === "DATE"
              ? (loaded.date ?? "%Y-%m-%d")
              : loaded.timestamp
            : undefined;
        features.push({ ...f, ...(timestampFormat ? { timestampFormat } : {}) });
      }
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
      format: loaded.format,
      ...(loaded.csv ? { csv: loaded.csv } : {}),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const numericOf = (c: ColumnType, x: string) =>
  c.type === "TIMESTAMP"
    ? `epoch(${x})::DOUBLE`
    : c.type === "INT" || c.type === "FLOAT"
      ? `CAST(${x} AS DOUBLE)`
      : undefined;
const textOf = (c: ColumnType, x: string) => (c.duck === "JSON" ? `(${x} ->> '$')` : `CAST(${x} AS VARCHAR)`);

/**
 * One scan of a group of columns: presence, distinct counts, moments, quantiles, lengths. Each
 * numeric column is projected once to its finite values (NULL otherwise), so the aggregates are
 * plain ones: FILTER clauses per aggregate measured 40× slower at 20 columns.
 */
async function wideAggregates(
  conn: DuckDBConnection,
  group: readonly (ColumnType & { name: string })[],
): Promise<Record<string, unknown>> {
  const projection: string[] = [];
  const parts = group.flatMap((c, i) => {
    const x = ident(c.name);
    projection.push(`${x} AS x${i}`);
    const out = [`count(x${i})::DOUBLE AS p${i}`, `approx_count_distinct(x${i})::DOUBLE AS d${i}`];
    const v = numericOf(c, x);
    if (v) {
      projection.push(`${v} AS v${i}`, `CASE WHEN isfinite(${v}) THEN ${v} END AS f${i}`);
      out.push(
        `count(f${i})::DOUBLE AS n${i}`,
        `(count(v${i}) - count(f${i}))::DOUBLE AS nf${i}`,
        `min(f${i}) AS mn${i}`,
        `max(f${i}) AS mx${i}`,
        `avg(f${i}) AS mean${i}`,
        `stddev_pop(f${i}) AS sd${i}`,
        `sum(f${i}) AS s${i}`,
        `sum(f${i} * f${i}) AS ss${i}`,
        `sum((f${i} = 0)::DOUBLE) AS z${i}`,
        `approx_quantile(f${i}, [${QUANTILES.join(", ")}]) AS q${i}`,
      );
    } else if (c.type === "STRING" || c.type === "BOOL") {
      out.push(`coalesce(avg(length(${textOf(c, `x${i}`)})), 0)::DOUBLE AS len${i}`);
    }
    return out;
  });
  return (
    (await rows(conn, `SELECT ${parts.join(", ")} FROM (SELECT ${projection.join(", ")} FROM src)`))[0] ?? {}
  );
}

/** One more scan of the group's numeric columns: equal-width buckets between each one's min and max. */
async function wideHistograms(
  conn: DuckDBConnection,
  group: readonly (ColumnType & { name: string })[],
  wide: Record<string, unknown>,
  options: FileStatisticsOptions,
): Promise<Map<string, HistogramBucket[]>> {
  const buckets = options.histogramBuckets ?? 10;
  const specs = group.flatMap((c, i) => {
    const v = numericOf(c, ident(c.name));
    const min = Number(wide[`mn${i}`]);
    const max = Number(wide[`mx${i}`]);
    if (!v || Number(wide[`n${i}`] ?? 0) === 0 || !Number.isFinite(min) || !Number.isFinite(max)) return [];
    return [{ c, i, v, min, max, width: (max - min) / buckets }];
  });
  const out = new Map<string, HistogramBucket[]>();
  const ranged = specs.filter((s) => s.max > s.min);
  const r =
    ranged.length > 0
      ? ((
          await rows(
            conn,
            `SELECT ${ranged
              .map(
                (s) =>
                  `histogram(CASE WHEN isfinite(${s.v}) THEN least(CAST(floor((${s.v} - ${s.min}) / ${s.width}) AS INTEGER), ${buckets - 1}) END) AS h${s.i}`,
              )
              .join(", ")} FROM src`,
          )
        )[0] ?? {})
      : {};
  for (const s of specs) {
    const n = Number(wide[`n${s.i}`]);
    if (s.max === s.min) {
      out.set(s.c.name, [{ low: s.min, high: s.max, count: n }]);
      continue;
    }
    const counts = histogramCounts(r[`h${s.i}`]);
    out.set(
      s.c.name,
      Array.from({ length: buckets }, (_, b) => ({
        low: s.min + b * s.width,
        high: b === buckets - 1 ? s.max : s.min + (b + 1) * s.width,
        count: counts.get(b) ?? 0,
      })),
    );
  }
  return out;
}

/** DuckDB's histogram() MAP as JSON: an object (key → count) or a list of {key, value}. */
function histogramCounts<K = number>(
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

async function scalarColumn(
  conn: DuckDBConnection,
  c: ColumnType & { name: string },
  i: number,
  wide: Record<string, unknown>,
  histogram: HistogramBucket[] | undefined,
  rowsRead: number,
): Promise<FeatureStatistics> {
  const present = Number(wide[`p${i}`] ?? 0);
  const distinct = Number(wide[`d${i}`] ?? 0);
  let numeric: NumericStatistics | undefined;
  if (numericOf(c, "x") && Number(wide[`n${i}`] ?? 0) > 0) {
    numeric = {
      min: Number(wide[`mn${i}`]),
      max: Number(wide[`mx${i}`]),
      mean: Number(wide[`mean${i}`]),
      stddev: Number(wide[`sd${i}`] ?? 0),
      sum: Number(wide[`s${i}`]),
      sumSquares: Number(wide[`ss${i}`]),
      quantiles: ((wide[`q${i}`] as number[] | null) ?? []).map(Number),
      histogram: histogram ?? [],
      zeros: Number(wide[`z${i}`] ?? 0),
      nonFinite: Number(wide[`nf${i}`] ?? 0),
    };
  }
  const categorical = c.type === "STRING" || c.type === "BOOL";
  const topValues =
    categorical && present > 0
      ? await topValuesOf(conn, `SELECT ${textOf(c, ident(c.name))} AS v FROM src`)
      : [];
  return {
    name: c.name,
    column: defaultColumnName(c.name),
    type: c.type,
    present,
    missing: rowsRead - present,
    distinctApprox: distinct,
    ...(numeric ? { numeric } : {}),
    ...(categorical ? { string: { topValues, avgLength: Number(wide[`len${i}`] ?? 0) } } : {}),
  };
}

async function topValuesOf(
  conn: DuckDBConnection,
  values: string,
): Promise<{ value: string; count: number }[]> {
  const top = await rows(
    conn,
    `SELECT v, count(*)::DOUBLE AS n FROM (${values}) WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT ${TOP_K}`,
  );
  return top.map((r) => ({ value: String(r.v), count: Number(r.n) }));
}

/** List features (JSON arrays) are rare and unnested one at a time. */
async function listColumn(
  conn: DuckDBConnection,
  c: ColumnType & { name: string },
  rowsRead: number,
  options: FileStatisticsOptions,
): Promise<FeatureStatistics> {
  const x = ident(c.name);
  await conn.run(`CREATE OR REPLACE TEMP TABLE lst AS SELECT unnest(${x}) AS ${x} FROM src`);
  const counts = (
    await rows(
      conn,
      `SELECT count(${x})::DOUBLE AS p, min(len(${x}))::DOUBLE AS mn, max(len(${x}))::DOUBLE AS mx, avg(len(${x}))::DOUBLE AS a FROM src`,
    )
  )[0];
  const present = Number(counts?.p ?? 0);
  const element = { ...c, list: false };
  // The element statistics reuse the scalar path over the unnested values.
  const [stats] = await withTable(conn, "lst", async () => {
    const wide = await wideAggregates(conn, [element]);
    const histograms = await wideHistograms(conn, [element], wide, options);
    return [await scalarColumn(conn, element, 0, wide, histograms.get(c.name), rowsRead)];
  });
  return {
    ...stats!,
    present,
    missing: rowsRead - present,
    ...(counts && counts.mn !== null
      ? { valueCount: { min: Number(counts.mn), max: Number(counts.mx), mean: Number(counts.a) } }
      : {}),
  };
}

/** Runs `work` with `src` temporarily naming another table. */
async function withTable<T>(conn: DuckDBConnection, table: string, work: () => Promise<T>): Promise<T> {
  await conn.run(`ALTER TABLE src RENAME TO src_main`);
  await conn.run(`ALTER TABLE ${table} RENAME TO src`);
  try {
    return await work();
  } finally {
    await conn.run(`DROP TABLE src`);
    await conn.run(`ALTER TABLE src_main RENAME TO src`);
  }
}

export interface FileInferenceStatistics extends InferenceStatistics {
  readonly format: FileStatistics["format"];
  readonly csv?: CsvOptions;
}

/** Strings with at most this many distinct values (approximately) get their values counted. */
const FEW_VALUES = 64;

/**
 * Just what inference reads (see InferenceFeatureStatistics), in two scans of the file whatever its
 * width: one wide aggregate over every column, then the values of the few-valued string columns.
 */
export async function inferenceStatistics(file: string): Promise<FileInferenceStatistics> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const loaded = await load(conn, file, "VIEW");
    try {
      return await inferenceScans(conn, loaded);
    } catch (err) {
      if (loaded.format === "parquet") throw err;
      // A value beyond the sniffer's sample that does not fit its type: sniff the whole file.
      await conn.run("DROP VIEW IF EXISTS src");
      return await inferenceScans(conn, await load(conn, file, "VIEW", true));
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function inferenceScans(conn: DuckDBConnection, loaded: Loaded): Promise<FileInferenceStatistics> {
  const columns = (await rows(conn, "DESCRIBE src")).map((r) => ({
    name: String(r.column_name),
    ...featureTypeOf(String(r.column_type)),
  }));
  const projection: string[] = [];
  const parts = ["count(*)::DOUBLE AS n"];
  columns.forEach((c, i) => {
    const x = ident(c.name);
    projection.push(c.list ? `len(${x}) AS x${i}` : `${x} AS x${i}`);
    parts.push(`count(x${i})::DOUBLE AS p${i}`);
    if (c.list) {
      parts.push(
        `min(x${i})::DOUBLE AS lmn${i}`,
        `max(x${i})::DOUBLE AS lmx${i}`,
        `avg(x${i})::DOUBLE AS la${i}`,
      );
      return;
    }
    if (c.type === "STRING" || c.type === "BOOL") {
      parts.push(`approx_count_distinct(x${i})::DOUBLE AS d${i}`);
    } else if (c.type === "FLOAT") {
      projection.push(`CASE WHEN isfinite(${x}) THEN ${x}::DOUBLE END AS f${i}`);
      parts.push(
        `min(f${i}) AS mn${i}`,
        `max(f${i}) AS mx${i}`,
        `(count(x${i}) - count(f${i}))::DOUBLE AS nf${i}`,
      );
    } else if (c.type === "INT" || c.type === "TIMESTAMP") {
      const v = numericOf(c, `x${i}`);
      parts.push(`min(${v}) AS mn${i}`, `max(${v}) AS mx${i}`);
    }
  });
  const agg =
    (await rows(conn, `SELECT ${parts.join(", ")} FROM (SELECT ${projection.join(", ")} FROM src)`))[0] ?? {};
  const rowsRead = Number(agg.n ?? 0);
  const few = columns
    .map((c, i) => ({ c, i }))
    .filter(
      ({ c, i }) =>
        !c.list &&
        (c.type === "STRING" || c.type === "BOOL") &&
        Number(agg[`d${i}`] ?? 0) <= FEW_VALUES &&
        Number(agg[`p${i}`] ?? 0) > 0,
    );
  const values =
    few.length > 0
      ? ((
          await rows(
            conn,
            `SELECT ${few.map(({ c, i }) => `histogram(${textOf(c, ident(c.name))}) AS h${i}`).join(", ")} FROM src`,
          )
        )[0] ?? {})
      : {};
  const features: InferenceFeatureStatistics[] = [];
  for (const [i, c] of columns.entries()) {
    const present = Number(agg[`p${i}`] ?? 0);
    const base = { name: c.name, type: c.type, present, missing: rowsRead - present };
    const timestampFormat =
      c.type === "TIMESTAMP"
        ? c.duck === "DATE"
          ? (loaded.date ?? "%Y-%m-%d")
          : loaded.timestamp
        : undefined;
    const tf = timestampFormat ? { timestampFormat } : {};
    if (c.list) {
      features.push({
        ...base,
        ...(agg[`lmn${i}`] !== null && agg[`lmn${i}`] !== undefined
          ? {
              valueCount: {
                min: Number(agg[`lmn${i}`]),
                max: Number(agg[`lmx${i}`]),
                mean: Number(agg[`la${i}`]),
              },
            }
          : {}),
        ...(await listElements(conn, c)),
        ...tf,
      });
    } else if (c.type === "STRING" || c.type === "BOOL") {
      const counted = histogramCounts(values[`h${i}`], String);
      const topValues = [...counted.entries()]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
        .slice(0, TOP_K);
      // An exact count replaces the sketch's estimate wherever the values were counted.
      features.push({
        ...base,
        distinctApprox: counted.size || Number(agg[`d${i}`] ?? 0),
        string: { topValues },
      });
    } else if (agg[`mn${i}`] !== null && agg[`mn${i}`] !== undefined) {
      features.push({
        ...base,
        numeric: {
          min: Number(agg[`mn${i}`]),
          max: Number(agg[`mx${i}`]),
          nonFinite: Number(agg[`nf${i}`] ?? 0),
        },
        ...tf,
      });
    } else {
      features.push({ ...base, ...tf });
    }
  }
  return { rowsRead, features, format: loaded.format, ...(loaded.csv ? { csv: loaded.csv } : {}) };
}

/** The element statistics of a list column (JSON arrays: rare, one query each). */
async function listElements(
  conn: DuckDBConnection,
  c: ColumnType & { name: string },
): Promise<Pick<InferenceFeatureStatistics, "numeric" | "string" | "distinctApprox">> {
  const e = `(SELECT unnest(${ident(c.name)}) AS e FROM src)`;
  if (c.type === "STRING" || c.type === "BOOL") {
    const r = (await rows(conn, `SELECT approx_count_distinct(e)::DOUBLE AS d FROM ${e}`))[0];
    const d = Number(r?.d ?? 0);
    if (d > FEW_VALUES) return { distinctApprox: d, string: { topValues: [] } };
    const h = (await rows(conn, `SELECT histogram(${textOf(c, "e")}) AS h FROM ${e}`))[0];
    const counted = histogramCounts(h?.h, String);
    return {
      distinctApprox: counted.size,
      string: {
        topValues: [...counted.entries()]
          .map(([value, count]) => ({ value, count }))
          .sort((a, b) => b.count - a.count),
      },
    };
  }
  const v = numericOf(c, "e");
  if (!v) return {};
  const r = (await rows(conn, `SELECT min(${v}) AS mn, max(${v}) AS mx FROM ${e} WHERE isfinite(${v})`))[0];
  return r && r.mn !== null ? { numeric: { min: Number(r.mn), max: Number(r.mx), nonFinite: 0 } } : {};
}

export interface InferFileOptions {
  readonly dataset: string;
  readonly version: number;
  /** Copy the observed numeric min/max into the draft (off: TFDV does not infer ranges). */
  readonly numericRanges?: boolean;
  /** Keep whole-number JSON fields as INT (off: a JSON number is a FLOAT, as in JavaScript). */
  readonly jsonIntegers?: boolean;
  /** The version the draft starts from, as `tfdv.update_schema` does. */
  readonly previous?: DatasetSchema;
}

/** Read a file and draft its schema (version `version`); see `inferSchema` for the rules. */
export async function inferSchemaFromFile(
  file: string,
  options: InferFileOptions,
): Promise<{ schema: DatasetSchema; statistics: FileInferenceStatistics }> {
  const statistics = await inferenceStatistics(file).catch((err: unknown) => {
    if (err instanceof LakelineError) throw err;
    // The engine's text names DuckDB internals; the person needs the file and the problem.
    throw new UsageError(
      `cannot infer a schema from ${file}: ${engineMessage(errorMessage(err), {
        memoryLimit: "80% of RAM",
        memoryVariable: ENV.duckdbMemory,
        debugVariable: ENV.debug,
      })}`,
      {
        file,
        engine: errorMessage(err),
      },
    );
  });
  if (statistics.rowsRead === 0)
    throw new UsageError(`cannot infer a schema from ${file}: it holds no records`, { file });
  const schema = inferSchema(statistics, {
    dataset: options.dataset,
    version: options.version,
    numericRanges: options.numericRanges === true,
    integersAsFloat: statistics.format === "json" && options.jsonIntegers !== true,
    ...(statistics.csv ? { csv: statistics.csv } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    description: `Inferred by \`lakeline schema infer\` from ${path.basename(file)} (${statistics.rowsRead} rows); review before release.`,
  });
  return { schema, statistics };
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}
