/**
 * Bench inputs, built once from vega-datasets' flights-3m.parquet into .bench/ and reused while the
 * recorded byte size still matches (a manifest beside them says what each file should be).
 */
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance } from "@duckdb/node-api";

export const SOURCE_PARQUET = "node_modules/vega-datasets/data/flights-3m.parquet";
export const SOURCE_ROWS = 3_000_000;

export type InputFormat = "csv" | "jsonl" | "csv.gz";

export interface BenchInput {
  readonly name: string;
  readonly path: string;
  readonly format: InputFormat;
  readonly rows: number;
  readonly bytes: number;
  /** Dataset and schemas folder to ingest it with (default: flights, ./schemas). */
  readonly dataset?: string;
  readonly schemasDir?: string;
  /** Columns, when the input is one of the width axis. */
  readonly columns?: number;
  /**
   * Rows with a bad cell: lakeline quarantines them, the anchor skips them (`ignore_errors`, as a
   * DuckDB user loading a file with a few bad values would); undefined: the file has none.
   */
  readonly badRows?: number;
}

interface Manifest {
  readonly source: { readonly bytes: number };
  readonly files: Record<string, { rows: number; bytes: number }>;
}

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function inputName(rows: number, format: InputFormat): string {
  return `flights-${rows / 1_000_000}m.${format}`;
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** 9M = the 3M CSV's records three times over, byte for byte: larger, otherwise identical. */
async function repeatCsv(src: string, dest: string, times: number): Promise<void> {
  const text = await fs.open(src, "r");
  const head = Buffer.alloc(4096);
  const { bytesRead } = await text.read(head, 0, head.length, 0);
  await text.close();
  const headerEnd = head.subarray(0, bytesRead).indexOf(0x0a) + 1;
  if (headerEnd <= 0) throw new Error(`bench: no header line in ${src}`);
  const out = createWriteStream(dest);
  for (let i = 0; i < times; i++) {
    await pipeline(createReadStream(src, { start: i === 0 ? 0 : headerEnd, highWaterMark: 1 << 20 }), out, {
      end: false,
    });
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

/**
 * Make sure every requested input exists; `wanted` lists (rows, format) pairs. Returns them with
 * their sizes. Rows above SOURCE_ROWS must be whole multiples of it (repetition, CSV only).
 */
export async function ensureInputs(
  dir: string,
  wanted: readonly { rows: number; format: InputFormat }[],
  log: (msg: string) => void,
): Promise<BenchInput[]> {
  await fs.mkdir(dir, { recursive: true });
  const manifestFile = path.join(dir, "inputs.json");
  const sourceBytes = statSync(SOURCE_PARQUET).size;
  const previous = await readManifest(manifestFile);
  const files: Record<string, { rows: number; bytes: number }> =
    previous?.source.bytes === sourceBytes ? { ...previous.files } : {};
  const fresh = (name: string) => {
    const rec = files[name];
    const file = path.join(dir, name);
    return rec !== undefined && existsSync(file) && statSync(file).size === rec.bytes;
  };
  // Repetitions are built from the 3M CSV, so it comes first when needed.
  const order = [...wanted].sort((a, b) => a.rows - b.rows);
  const needs3m = order.some((w) => w.rows > SOURCE_ROWS);
  if (needs3m && !order.some((w) => w.rows === SOURCE_ROWS && w.format === "csv"))
    order.unshift({ rows: SOURCE_ROWS, format: "csv" });
  let instance: DuckDBInstance | undefined;
  for (const w of order) {
    const name = inputName(w.rows, w.format);
    const file = path.join(dir, name);
    if (fresh(name)) continue;
    const started = performance.now();
    if (w.rows > SOURCE_ROWS) {
      if (w.rows % SOURCE_ROWS !== 0 || w.format !== "csv")
        throw new Error(`bench: ${w.rows} rows: sizes above 3m must be CSV multiples of 3m`);
      await repeatCsv(path.join(dir, inputName(SOURCE_ROWS, "csv")), file, w.rows / SOURCE_ROWS);
    } else {
      // One thread: LIMIT then takes the first n rows in file order, the same rows every time.
      instance ??= await DuckDBInstance.create(":memory:", { threads: "1" });
      const conn = await instance.connect();
      const options = { csv: "HEADER", jsonl: "FORMAT json", "csv.gz": "HEADER, COMPRESSION gzip" }[w.format];
      const tmp = `${file}.partial`;
      await conn.run(
        `COPY (SELECT * FROM read_parquet(${sql(SOURCE_PARQUET)}) LIMIT ${w.rows}) TO ${sql(tmp)} (${options})`,
      );
      conn.closeSync();
      await fs.rename(tmp, file);
    }
    files[name] = { rows: w.rows, bytes: statSync(file).size };
    await fs.writeFile(manifestFile, JSON.stringify({ source: { bytes: sourceBytes }, files }, null, 2));
    log(
      `built ${name} (${(files[name].bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  instance?.closeSync();
  return wanted.map((w) => {
    const name = inputName(w.rows, w.format);
    return { name, path: path.join(dir, name), format: w.format, rows: w.rows, bytes: files[name]!.bytes };
  });
}

/**
 * The 3M CSV with a blank line and one malformed record at its end: the worst case for locating
 * rejected records (csv-lines.ts reads the file up to the last one), which only files with
 * malformed records pay for.
 */
export async function malformedCsvInput(
  dir: string,
  src: BenchInput,
  log: (msg: string) => void,
): Promise<BenchInput> {
  const dest = path.join(dir, src.name.replace(/\.csv$/, "-malformed.csv"));
  const tail = "\n2001-06-30 23:59:00,5\n";
  const bytes = src.bytes + Buffer.byteLength(tail);
  if (!existsSync(dest) || statSync(dest).size !== bytes) {
    log(`building ${path.basename(dest)}`);
    await fs.copyFile(src.path, dest);
    await fs.appendFile(dest, tail);
  }
  return { name: path.basename(dest), path: dest, format: "csv", rows: src.rows + 1, bytes, badRows: 1 };
}
