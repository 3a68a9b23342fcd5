/**
 * Lakes for the compaction tests: vega-datasets' flights cut into small uploads, ingested through
 * the CLI with compaction off (the reference lake); copies of it then compact, so both hold the same
 * runs, ids and files and any difference in a read is compaction's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { ENV } from "../../src/contract/env.js";
import { COMPACTED_PREFIX, compactionRecordPrefix } from "../../src/contract/keys.js";
import type { CompactionRecord, RunFile } from "../../src/core/warehouse/compaction.js";
import { type CompactionDeps, writeCompaction } from "../../src/pipeline/compaction/compact.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempLake } from "../support/temp.js";

export const UPLOADS = 40;
export const ROWS_PER_UPLOAD = 25;

export interface BaseLake {
  readonly root: string;
  readonly schemas: string;
  /** The reference: every upload committed, nothing compacted. */
  readonly lake: string;
  readonly uploads: string[];
  /** One more upload, not yet ingested anywhere. */
  readonly extra: string;
  /** Writes the i-th slice of ROWS_PER_UPLOAD flights as an upload file. */
  piece(i: number): string;
}

/** Runs the CLI with LAKELINE_COMPACT set (restored after). */
export async function withCompact<T>(value: "on" | "off", act: () => Promise<T>): Promise<T> {
  const previous = process.env[ENV.compact];
  process.env[ENV.compact] = value;
  try {
    return await act();
  } finally {
    if (previous === undefined) delete process.env[ENV.compact];
    else process.env[ENV.compact] = previous;
  }
}

export async function buildBaseLake(): Promise<BaseLake> {
  const { root, schemasDir } = await tempLake("compaction");
  // The feature views would add an online write per upload; compaction does not concern them.
  fs.rmSync(path.join(schemasDir, "flights", "views"), { recursive: true, force: true });
  const rows = JSON.parse(fs.readFileSync(path.join(VEGA, "flights-2k.json"), "utf8")) as object[];
  const piece = (i: number) => {
    const file = path.join(root, `flights-${String(i).padStart(2, "0")}.jsonl`);
    const part = rows.slice(i * ROWS_PER_UPLOAD, (i + 1) * ROWS_PER_UPLOAD);
    fs.writeFileSync(file, `${part.map((r) => JSON.stringify(r)).join("\n")}\n`);
    return file;
  };
  const uploads = Array.from({ length: UPLOADS }, (_, i) => piece(i));
  const lake = path.join(root, "reference");
  const r = await withCompact("off", () =>
    runCli("ingest", ...uploads, "--dataset", "flights", "--lake", lake, "--schemas", schemasDir),
  );
  expect(r.code, r.stderr).toBe(0);
  return { root, schemas: schemasDir, lake, uploads, extra: piece(UPLOADS), piece };
}

/** flights v2: v1 and one more feature. */
export function addSchemaVersion(base: BaseLake, feature: object): void {
  const v1 = JSON.parse(fs.readFileSync(path.join(base.schemas, "flights", "v1.json"), "utf8"));
  const v2 = { ...v1, version: 2, features: [...v1.features, feature] };
  fs.writeFileSync(path.join(base.schemas, "flights", "v2.json"), JSON.stringify(v2));
}

/** The CLI on a lake, with the tests' schemas. */
export function onLake(base: BaseLake, lake: string, ...args: string[]) {
  return runCli(...args, "--lake", lake, "--schemas", base.schemas);
}

/** A copy of the reference lake at `name` (same runs, keys and files). */
export function copyLake(base: BaseLake, name: string): string {
  const lake = path.join(base.root, name);
  fs.cpSync(base.lake, lake, { recursive: true });
  return lake;
}

export async function queryRows(
  base: BaseLake,
  lake: string,
  sql: string,
  ...extra: string[]
): Promise<{ rows: Record<string, unknown>[]; stderr: string }> {
  const r = await runCli(
    "query",
    sql,
    "--lake",
    lake,
    "--schemas",
    base.schemas,
    "--format",
    "json",
    ...extra,
  );
  expect(r.code, r.stderr).toBe(0);
  return { rows: JSON.parse(r.stdout) as Record<string, unknown>[], stderr: r.stderr };
}

/** The totals a compaction must not change, over a table or its history. */
export const TOTALS = (table: string) =>
  `SELECT count(*) AS n, sum(delay_min) AS delay, sum(distance_mi) AS distance, count(DISTINCT _run_id) AS runs, count(DISTINCT _source_md5 || _source_row) AS sourced FROM ${table}`;

/** The SQL of a dataset view as the engine bound it (which files it reads, with which filter). */
export async function viewSql(base: BaseLake, lake: string, view: string): Promise<string> {
  const { rows } = await queryRows(base, lake, `SELECT sql FROM duckdb_views() WHERE view_name = '${view}'`);
  return String(rows[0]!.sql);
}

/** The compaction records of flights on a lake. */
export function records(lake: string): CompactionRecord[] {
  const dir = path.join(lake, "warehouse", compactionRecordPrefix("flights"));
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
}

/** The compacted files of flights on a lake (recorded or not). */
export function compactedFiles(lake: string): string[] {
  const dir = path.join(lake, "warehouse", COMPACTED_PREFIX, "flights");
  return fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".parquet"))
    : [];
}

/** A level-1 compaction of exactly these run files, whatever the threshold says. */
export function compactByHand(deps: CompactionDeps, files: readonly RunFile[]): Promise<CompactionRecord> {
  return writeCompaction(deps, {
    dataset: "flights",
    level: 1,
    ingestDate: files[0]!.ingestDate,
    schemaVersion: 1,
    runFiles: files,
    merged: [],
    runs: files.map((f) => ({ runId: f.runId, rows: f.rows })),
  });
}
