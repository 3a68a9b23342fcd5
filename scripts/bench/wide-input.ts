/**
 * Wide tables, built deterministically: `columns` features (INT, FLOAT, free STRING and categorical
 * STRING in a fixed rotation) × `rows` records, every cell a pure function of (seed, row, column), so
 * a test can recompute any cell, and any row's verdict, without reading the file. A few cells are bad
 * in known places (`badCells`): not an integer, above a maximum, not a number, NaN, outside the
 * categorical domain; some rows have two. Optional columns have missing cells.
 *
 * Shared by the bench (ingest and `schema infer` on 20/100/300 columns) and by tests (small sizes).
 */
import { createWriteStream, existsSync, statSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { BenchInput } from "./inputs.js";

export type WideKind = "int" | "float" | "text" | "category";

export interface WideSpec {
  readonly columns: number;
  readonly rows: number;
  readonly seed: number;
  /** One record in this many has a bad cell (default 9,973: about 20 in 200k rows). */
  readonly badEvery?: number;
}

export const DEFAULT_SEED = 17;

/** Bumped whenever the cells generated change, so files built by an older generator are rebuilt. */
const GENERATOR_VERSION = 2;

/** The rotation of kinds over columns: three INT, three FLOAT, one free text, three categorical. */
const ROTATION: readonly WideKind[] = [
  "int",
  "int",
  "int",
  "float",
  "float",
  "float",
  "text",
  "category",
  "category",
  "category",
];

export const CATEGORIES = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"] as const;
export const INT_MAX = 99_999;
export const FLOAT_BOUND = 10_000;

export function wideKind(col: number): WideKind {
  return ROTATION[col % ROTATION.length]!;
}

/** Column (and field) name: `c007_float`. */
export function wideColumn(col: number): string {
  return `c${String(col).padStart(3, "0")}_${wideKind(col)}`;
}

export function wideDataset(columns: number): string {
  return `wide${columns}`;
}

/** Every sixth FLOAT column and every text column are optional: some of their cells are empty. */
function optional(col: number): boolean {
  return wideKind(col) === "text" || (wideKind(col) === "float" && col % 6 === 5);
}

/** The schema the generated file satisfies, except for its bad cells. */
export function wideSchema(columns: number): Record<string, unknown> {
  const domains: Record<WideKind, [string, Record<string, unknown> | undefined]> = {
    int: ["INT", { min: 0, max: INT_MAX }],
    float: ["FLOAT", { min: -FLOAT_BOUND, max: FLOAT_BOUND }],
    text: ["STRING", undefined],
    category: ["STRING", { values: [...CATEGORIES] }],
  };
  const features = Array.from({ length: columns }, (_, col) => {
    const [type, domain] = domains[wideKind(col)];
    return {
      name: wideColumn(col),
      type,
      ...(optional(col) ? {} : { presence: { minFraction: 1 } }),
      ...(domain ? { domain } : {}),
    };
  });
  return {
    dataset: wideDataset(columns),
    version: 1,
    description: `Synthetic wide table: ${columns} columns of INT, FLOAT, free text and categorical values.`,
    defaultEnvironments: ["TRAINING", "SERVING"],
    features,
    policy: { maxBadRowFraction: 0.05, dedupeByContent: true, minRows: 1 },
  };
}

/** A 32-bit hash of (seed, row, col): murmur3's finaliser over a mixed key. */
function hash(seed: number, row: number, col: number): number {
  let h = (seed * 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b) ^ Math.imul(col + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type BadKind = "not-int" | "int-too-big" | "not-float" | "nan" | "not-in-domain";

export interface BadCell {
  readonly row: number;
  readonly col: number;
  readonly kind: BadKind;
  readonly text: string;
}

const BAD_EVERY = 9_973;
const BAD_PHASE = 4_321;

/** The bad cells of a row (none for most rows); even bad rows have a second one. */
export function badCellsOf(spec: WideSpec, row: number): BadCell[] {
  const every = spec.badEvery ?? BAD_EVERY;
  if (row % every !== BAD_PHASE % every) return [];
  const out: BadCell[] = [];
  const first = badCellAt(spec, row, (row * 31) % spec.columns);
  if (first) out.push(first);
  if (row % 2 === 0) {
    const second = badCellAt(spec, row, (row * 31 + 7) % spec.columns);
    if (second && second.col !== first?.col) out.push(second);
  }
  return out;
}

function badCellAt(spec: WideSpec, row: number, col: number): BadCell | undefined {
  // A free-text column has no check to fail; the bad value goes in the next column instead.
  const c = wideKind(col) === "text" ? (col + 1) % spec.columns : col;
  const flip = hash(spec.seed, row, c + 7919) % 2 === 0;
  switch (wideKind(c)) {
    case "int":
      return flip
        ? { row, col: c, kind: "not-int", text: "4.5" }
        : { row, col: c, kind: "int-too-big", text: String(INT_MAX + 1 + (row % 100)) };
    case "float":
      return flip
        ? { row, col: c, kind: "not-float", text: "n/a" }
        : { row, col: c, kind: "nan", text: "NaN" };
    case "category":
      return { row, col: c, kind: "not-in-domain", text: "purple" };
    case "text":
      return undefined;
  }
}

/** Every bad cell of the file, in row order. */
export function badCells(spec: WideSpec): BadCell[] {
  const out: BadCell[] = [];
  for (let row = 0; row < spec.rows; row++) out.push(...badCellsOf(spec, row));
  return out;
}

/** The text of a good cell ("" = missing, only in optional columns). */
export function goodCell(spec: WideSpec, row: number, col: number): string {
  const h = hash(spec.seed, row, col);
  if (optional(col) && h >>> 26 === 0) return "";
  switch (wideKind(col)) {
    case "int":
      return String(h % (INT_MAX + 1));
    case "float":
      return ((h % (20 * FLOAT_BOUND)) / 10 - FLOAT_BOUND).toFixed(1);
    case "text":
      return `u${(h % 1_000_003).toString(36)}`;
    case "category":
      return CATEGORIES[h % CATEGORIES.length]!;
  }
}

/** The cells of one record as written. */
export function wideRecord(spec: WideSpec, row: number): string[] {
  const cells = Array.from({ length: spec.columns }, (_, col) => goodCell(spec, row, col));
  for (const b of badCellsOf(spec, row)) cells[b.col] = b.text;
  return cells;
}

export function wideHeader(columns: number): string[] {
  return Array.from({ length: columns }, (_, col) => wideColumn(col));
}

/** Writes the CSV (header + rows), streaming with backpressure. */
export async function writeWideCsv(file: string, spec: WideSpec): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", resolve));
  await write(`${wideHeader(spec.columns).join(",")}\n`);
  const chunk: string[] = [];
  for (let row = 0; row < spec.rows; row++) {
    chunk.push(wideRecord(spec, row).join(","));
    if (chunk.length === 1_000 || row === spec.rows - 1) {
      await write(`${chunk.join("\n")}\n`);
      chunk.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

export interface WideInput {
  readonly dataset: string;
  readonly file: string;
  /** Folder with `<dataset>/v1.json`, for `--schemas`. */
  readonly schemasDir: string;
  readonly rows: number;
  readonly columns: number;
  readonly bytes: number;
}

/**
 * The wide CSV and its schema under `dir`, built unless a previous build of the same spec is there
 * (a small manifest beside the file records its spec and size).
 */
export async function ensureWideInput(
  dir: string,
  spec: WideSpec,
  log: (msg: string) => void = () => {},
): Promise<WideInput> {
  const dataset = wideDataset(spec.columns);
  const schemasDir = path.join(dir, "schemas");
  const file = path.join(dir, `${dataset}-${spec.rows / 1000}k.csv`);
  const manifest = `${file}.json`;
  await fs.mkdir(path.join(schemasDir, dataset), { recursive: true });
  await fs.writeFile(
    path.join(schemasDir, dataset, "v1.json"),
    `${JSON.stringify(wideSchema(spec.columns), null, 2)}\n`,
  );
  const want = JSON.stringify({ ...spec, generator: GENERATOR_VERSION });
  const recorded = await fs.readFile(manifest, "utf8").catch(() => "");
  const fresh =
    existsSync(file) &&
    recorded !== "" &&
    (JSON.parse(recorded) as { spec: string; bytes: number }).spec === want &&
    (JSON.parse(recorded) as { bytes: number }).bytes === statSync(file).size;
  if (!fresh) {
    const started = performance.now();
    await writeWideCsv(`${file}.partial`, spec);
    await fs.rename(`${file}.partial`, file);
    await fs.writeFile(manifest, JSON.stringify({ spec: want, bytes: statSync(file).size }));
    log(
      `built ${path.basename(file)} (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return { dataset, file, schemasDir, rows: spec.rows, columns: spec.columns, bytes: statSync(file).size };
}

/** The wide CSV as a bench input (ingested with its own schema; its bad rows counted). */
export async function wideBenchInput(
  dir: string,
  columns: number,
  rows: number,
  log: (msg: string) => void,
): Promise<BenchInput> {
  const spec: WideSpec = { columns, rows, seed: DEFAULT_SEED };
  const w = await ensureWideInput(dir, spec, log);
  const badRows = new Set(badCells(spec).map((b) => b.row)).size;
  return {
    name: path.basename(w.file),
    path: w.file,
    format: "csv",
    rows,
    bytes: w.bytes,
    dataset: w.dataset,
    schemasDir: w.schemasDir,
    columns,
    badRows,
  };
}
