/**
 * `schema infer`'s reading of a local data file (CSV, TSV, JSON lines or a JSON array; gzip or not;
 * Parquet): just what inference needs (see InferenceFeatureStatistics), in two scans whatever the
 * width — one wide aggregate over every column, then the values of the few-valued string columns.
 * A CSV file is scanned as text (infer-text-scan.ts): the scan types each column as a sniff of the
 * whole file does and aggregates it, and only the columns a late value widened are read again. JSON
 * and Parquet are scanned as the sniffer typed them; a JSON value beyond the sniffer's sample that
 * an integer column's read would round (4.5, 4.0: integer columns are read as text and tested as
 * ingest tests them) costs the typed scan again, retyped.
 */
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ENV } from "../../contract/env.js";
import { engineMessage } from "../../core/engine-errors.js";
import { errorMessage, LakelineError, UsageError } from "../../core/errors.js";
import {
  type InferenceFeatureStatistics,
  type InferenceStatistics,
  inferSchema,
} from "../../core/schema/infer.js";
import type { CsvOptions, DatasetSchema } from "../../core/schema/types.js";
import {
  featureTypeOf,
  histogramCounts,
  ident,
  type Loaded,
  load as loadSource,
  rows,
  type SkippedLines,
  textOf,
} from "./file-source.js";
import type { FileStatistics } from "./file-statistics.js";
import {
  type ColumnAggregates,
  distinctFromCounts,
  listElements,
  NotIntegralError,
  retype,
  typedAggregates,
} from "./infer-aggregates.js";
import { textAggregates } from "./infer-text-scan.js";

const TOP_K = 50;

export interface FileInferenceStatistics extends InferenceStatistics {
  readonly format: FileStatistics["format"];
  readonly csv?: CsvOptions;
  /** Malformed CSV lines left out of the statistics (the draft describes the other rows). */
  readonly skipped?: SkippedLines;
}

/** Strings with at most this many distinct values (approximately) get their values counted. */
const FEW_VALUES = 64;

/**
 * Just what inference reads, in one scan whatever the width: one wide aggregate over every column,
 * counting the values of the string columns that look few-valued on the first rows (a second scan
 * counts those of any other few-valued column). `textScan: false` (tests) reads CSV typed, as JSON.
 */
export async function inferenceStatistics(
  file: string,
  { textScan = true }: { textScan?: boolean } = {},
): Promise<FileInferenceStatistics> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  let skipped: SkippedLines | undefined;
  const load = async (...args: Parameters<typeof loadSource>) => {
    const loaded = await loadSource(...args);
    skipped = loaded.skipped;
    return loaded;
  };
  const result = await (async () => {
    // The sniff reads its sample on one thread; a second one only spins beside it.
    await conn.run("SET threads = 1");
    const loaded = await load(conn, file, "VIEW");
    const guess = await fewValuedOnFirstRows(conn);
    await conn.run("RESET threads");
    if (textScan && loaded.format === "csv" && loaded.sniffed) {
      try {
        const scanned = await textAggregates(conn, loaded, guess);
        if (scanned) return await inferenceResult(conn, loaded, scanned);
      } catch {
        // The text does not read, or the widened types did not fit after all (the reader disagrees
        // with the casts): the typed scans decide, and the whole-file sniff after them.
        await conn.run(`CREATE OR REPLACE TEMP VIEW src AS SELECT * ${loaded.sniffed.prompt}`);
      }
    }
    try {
      return await inferenceScans(conn, loaded, guess);
    } catch (err) {
      if (loaded.format === "parquet") throw err;
      // Every value read as its type but integer columns that hold other values: the same scan
      // with those columns retyped as a whole-file sniff types them (nothing else can fail).
      if (err instanceof NotIntegralError) {
        const retyped = await retype(conn, loaded, err.levels).catch(() => undefined);
        // The retyped read may fail after all: the whole-file sniff then decides.
        const scanned = retyped && (await inferenceScans(conn, retyped, guess).catch(() => undefined));
        if (scanned) return scanned;
      }
      await conn.run("DROP VIEW IF EXISTS src");
      return await inferenceScans(conn, await load(conn, file, "VIEW", true), guess);
    }
  })().finally(() => {
    conn.closeSync();
    instance.closeSync();
  });
  return skipped ? { ...result, skipped } : result;
}

/** Rows the few-valued guess reads: about the sniffer's sample. */
const FIRST_ROWS = 20_480;

async function describeSrc(conn: DuckDBConnection) {
  return (await rows(conn, "DESCRIBE src")).map((r) => ({
    name: String(r.column_name),
    ...featureTypeOf(String(r.column_type)),
  }));
}

/**
 * String columns with few values on the first rows: the wide aggregate counts their values in the
 * same scan (a column with few values in the file has at most as many in its first rows; one the
 * guess misses is counted by a second scan). Histograms of every string column would be costly for
 * free text; a scan per step, on a wide file, costs more than this look at its head.
 */
async function fewValuedOnFirstRows(conn: DuckDBConnection): Promise<ReadonlySet<string>> {
  try {
    const strings = (await describeSrc(conn)).filter(
      (c) => !c.list && (c.type === "STRING" || c.type === "BOOL"),
    );
    if (strings.length === 0) return new Set();
    const counts =
      (
        await rows(
          conn,
          `SELECT ${strings.map((c, i) => `approx_count_distinct(${ident(c.name)})::DOUBLE AS d${i}`).join(", ")} FROM (SELECT * FROM src LIMIT ${FIRST_ROWS})`,
        )
      )[0] ?? {};
    return new Set(strings.filter((_, i) => Number(counts[`d${i}`] ?? 0) <= FEW_VALUES).map((c) => c.name));
  } catch {
    // The head does not read as typed either: no guess, the second scan counts them all.
    return new Set();
  }
}

async function inferenceScans(
  conn: DuckDBConnection,
  loaded: Loaded,
  guess: ReadonlySet<string>,
): Promise<FileInferenceStatistics> {
  const columns = await describeSrc(conn);
  const agg = await typedAggregates(conn, loaded, columns, guess);
  return inferenceResult(conn, loaded, { columns, agg });
}

/**
 * The statistics from the wide aggregate (`agg`: n, and per column i p·i presence, d·i distinct,
 * mn·i / mx·i / nf·i numeric range and non-finite count, lmn·i / lmx·i / la·i list lengths), with
 * the values of the few-valued string columns counted in a second scan of `src`.
 */
async function inferenceResult(
  conn: DuckDBConnection,
  loaded: Loaded,
  { columns, agg }: ColumnAggregates,
): Promise<FileInferenceStatistics> {
  const rowsRead = Number(agg.n ?? 0);
  distinctFromCounts(agg);
  const few = columns
    .map((c, i) => ({ c, i }))
    .filter(
      ({ c, i }) =>
        !c.list &&
        (c.type === "STRING" || c.type === "BOOL") &&
        Number(agg[`d${i}`] ?? 0) <= FEW_VALUES &&
        Number(agg[`p${i}`] ?? 0) > 0,
    );
  const uncounted = few.filter(({ i }) => agg[`h${i}`] === undefined);
  const values =
    uncounted.length > 0
      ? ((
          await rows(
            conn,
            `SELECT ${uncounted.map(({ c, i }) => `histogram(${textOf(c, ident(c.name))}) AS h${i}`).join(", ")} FROM src`,
          )
        )[0] ?? {})
      : {};
  for (const { i } of few) if (agg[`h${i}`] !== undefined) values[`h${i}`] = agg[`h${i}`];
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
        ...(await listElements(conn, c, FEW_VALUES)),
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
