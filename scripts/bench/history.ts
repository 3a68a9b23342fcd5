/**
 * The history axis: one dataset with N committed runs (50 and 1,000 by default) holding the same
 * rows at every N — the first 100k flights cut into N uploads — built once through the real ingest
 * path (one `lakeline ingest` of the N files, one export, the lineage index) and kept in
 * .bench/history/. Measured on it as whole processes, each against the same operation at the
 * smallest N: ingest of one more file (the same 1,000 rows at every N), a query over every row, an
 * export of every row, and the lineage of the first upload (the same subgraph at every N).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { expectRows, type Job, LAKELINE } from "./contenders.js";
import { compactJob, type HistoryLake, job, restoreKept } from "./history-job.js";

export type { HistoryLake };

import { type BenchInput, SOURCE_PARQUET } from "./inputs.js";
import { QUERY_SQL } from "./lake-jobs.js";
import type { ResultRow, Target } from "./report.js";

/**
 * Bump when the way a history lake is built changes: cached lakes of another build are rebuilt.
 * 2: `lakeline ingest` compacts the warehouse after its runs commit.
 */
const BUILD = 2;
const EXTRA_ROWS = 1_000;
const COST_LIMIT = 1.5;
const EXPORT_RSS_MB = 512;

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The first `rows + EXTRA_ROWS` flights as CSV lines (header first), the same every time. */
async function sourceLines(dir: string, rows: number): Promise<string[]> {
  const csv = path.join(dir, `flights-${rows + EXTRA_ROWS}.csv`);
  if (!existsSync(csv)) {
    await fs.mkdir(dir, { recursive: true });
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * FROM read_parquet(${sql(SOURCE_PARQUET)}) LIMIT ${rows + EXTRA_ROWS}) TO ${sql(`${csv}.partial`)} (HEADER)`,
    );
    c.closeSync();
    db.closeSync();
    await fs.rename(`${csv}.partial`, csv);
  }
  return (await fs.readFile(csv, "utf8")).trimEnd().split("\n");
}

function cli(args: string[], root: string): string {
  return execFileSync(process.execPath, [...LAKELINE, ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The lake with `runs` committed uploads of `rows` rows in all, built unless .bench holds it. */
export async function ensureHistoryLake(args: {
  dir: string;
  root: string;
  runs: number;
  rows: number;
  log: (msg: string) => void;
}): Promise<HistoryLake> {
  const { dir, root, runs, rows } = args;
  const base = path.join(dir, `runs-${runs}-rows-${rows}`);
  const lake = path.join(base, "lake");
  const stamp = path.join(base, "built.json");
  const [header, ...lines] = await sourceLines(dir, rows);
  const extraFile = path.join(dir, `extra-${EXTRA_ROWS}.csv`);
  await fs.writeFile(extraFile, `${[header, ...lines.slice(rows)].join("\n")}\n`);
  const extra: BenchInput = {
    name: `flights 1k rows onto ${runs} runs`,
    path: extraFile,
    format: "csv",
    rows: EXTRA_ROWS,
    bytes: (await fs.stat(extraFile)).size,
  };
  const table: BenchInput = {
    name: `flights 100k rows in ${runs} runs`,
    path: lake,
    format: "csv",
    rows,
    bytes: 0,
  };
  await restoreKept(lake);
  const built = existsSync(stamp)
    ? (JSON.parse(await fs.readFile(stamp, "utf8")) as { build: number; firstRaw: string })
    : undefined;
  if (built?.build === BUILD) return { runs, lake, extra, table, firstRaw: built.firstRaw };

  const started = performance.now();
  await fs.rm(base, { recursive: true, force: true });
  const files = path.join(base, "files");
  await fs.mkdir(files, { recursive: true });
  const per = rows / runs;
  const names: string[] = [];
  for (let i = 0; i < runs; i++) {
    const name = path.join(files, `history-${String(i).padStart(5, "0")}.csv`);
    await fs.writeFile(name, `${[header, ...lines.slice(i * per, (i + 1) * per)].join("\n")}\n`);
    names.push(name);
  }
  args.log(`history: ingesting ${runs} uploads of ${per} rows into ${lake}`);
  const results = cli(["ingest", ...names, "--dataset", "flights", "--lake", lake, "--json"], root)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { status: string; rawKey: string; rowsWritten: number });
  const landed = results.filter((r) => r.status === "ok");
  if (landed.length !== runs || landed.reduce((n, r) => n + r.rowsWritten, 0) !== rows)
    throw new Error(`bench: history lake of ${runs} runs: ${landed.length} runs landed`);
  cli(["export", "flights", "--lake", lake, "--seed", "history", "--json"], root);
  cli(["lineage", "--reindex", "--lake", lake], root);
  const firstRaw = results[0]!.rawKey;
  await fs.writeFile(stamp, JSON.stringify({ build: BUILD, runs, rows, firstRaw }));
  args.log(`history: ${runs} runs built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { runs, lake, extra, table, firstRaw };
}

/** Each operation at each N, N alternating within an operation (the first lake is the baseline). */
export function historyJobs(lakes: readonly HistoryLake[]): Job[] {
  const base = lakes[0]!;
  const lineageNodes = new Map<string, number>();
  let seed = 0;
  const byLake = lakes.map((h) => [
    job({
      op: "ingest",
      operation: "history: ingest one more file (1k rows)",
      h,
      base,
      input: h.extra,
      writes: true,
      argv: (lake) => ["ingest", h.extra.path, "--dataset", "flights", "--lake", lake, "--json"],
      check: (out) => {
        const r = JSON.parse(out.trim().split("\n")[0]!) as { status: string; rowsWritten: number };
        if (r.status !== "ok") throw new Error(`bench: history ingest: ${out.slice(0, 300)}`);
        expectRows("history ingest", EXTRA_ROWS, r.rowsWritten);
      },
    }),
    job({
      op: "query",
      operation: "history: query, group by origin over every row",
      h,
      base,
      input: h.table,
      writes: false,
      argv: (lake) => ["query", QUERY_SQL, "--lake", lake, "--format", "json"],
      check: (out, code) => {
        if (code !== 0) throw new Error(`bench: history query exit ${code}: ${out.slice(0, 300)}`);
        const rows = JSON.parse(out) as { flights: number | string }[];
        expectRows(
          "history query",
          h.table.rows,
          rows.reduce((n, r) => n + Number(r.flights), 0),
        );
      },
    }),
    job({
      op: "export",
      operation: "history: export every row → train/eval/test",
      h,
      base,
      input: h.table,
      writes: true,
      argv: (lake) => ["export", "flights", "--lake", lake, "--seed", `history-${++seed}`, "--json"],
      check: (out, code) => {
        const r = JSON.parse(out) as { status?: string; totalRows?: number; sources?: number };
        if (code !== 0 || r.status !== "exported")
          throw new Error(`bench: history export: ${out.slice(0, 300)}`);
        expectRows("history export", h.table.rows, r.totalRows);
        if (r.sources !== h.runs)
          throw new Error(`bench: history export read ${r.sources} runs, not ${h.runs}`);
      },
    }),
    job({
      op: "lineage",
      operation: "history: lineage of the first upload (both directions)",
      h,
      base,
      input: h.table,
      writes: false,
      argv: (lake) => ["lineage", h.firstRaw, "--json", "--lake", lake],
      check: (out, code) => {
        if (code !== 0) throw new Error(`bench: history lineage exit ${code}: ${out.slice(0, 300)}`);
        // The same subgraph at every N: the first upload, its run and outputs, the export that read it.
        const nodes = (JSON.parse(out) as { nodes: unknown[] }).nodes.length;
        const seen = lineageNodes.get("nodes") ?? nodes;
        if (nodes !== seen)
          throw new Error(`bench: history lineage: ${nodes} nodes, ${seen} at ${base.runs} runs`);
        lineageNodes.set("nodes", nodes);
      },
    }),
  ]);
  for (const [i, h] of lakes.entries()) byLake[i]!.push(compactJob(h, base));
  // Operation by operation, every N in turn: each pair sees the same machine conditions.
  return (byLake[0] ?? []).flatMap((_, op) => byLake.map((jobs) => jobs[op]!));
}

/** Each operation at every N within 1.5× of its cost at the smallest N; export peak ≤ 512 MB. */
export function historyTargets(rows: readonly ResultRow[], lakes: readonly HistoryLake[]): Target[] {
  const targets: Target[] = [];
  const base = lakes[0];
  if (!base) return targets;
  for (const op of ["ingest", "query", "export", "lineage"])
    for (const h of lakes.slice(1)) {
      const r = rows.find((x) => x.id === `history-${op}:${h.runs}`);
      const b = rows.find((x) => x.id === `history-${op}:${base.runs}`);
      if (!r || !b) {
        targets.push({ target: `${op} at ${h.runs} runs measured`, measured: "not measured", met: false });
        continue;
      }
      const cost = r.wallS / b.wallS;
      const cpu = r.cpuS !== null && b.cpuS ? ` (cpu ${(r.cpuS / b.cpuS).toFixed(2)}×)` : "";
      targets.push({
        target: `${op} at ${h.runs} runs ≤ ${COST_LIMIT}× its cost at ${base.runs}`,
        measured: `${cost.toFixed(2)}×${cpu}`,
        met: cost <= COST_LIMIT,
      });
    }
  for (const h of lakes) {
    const r = rows.find((x) => x.id === `history-export:${h.runs}`);
    if (r)
      targets.push({
        target: `export peak RSS ≤ ${EXPORT_RSS_MB} MB at ${h.runs} runs`,
        measured: `${r.peakRssMb.toFixed(0)} MB`,
        met: r.peakRssMb <= EXPORT_RSS_MB,
      });
  }
  return targets;
}
