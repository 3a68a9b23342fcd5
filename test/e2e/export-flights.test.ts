/**
 * Exports at scale on real data: 200 000 + 50 000 flights rows. Split sizes follow the ratios,
 * the TypeScript split function agrees with every exported row, multi-part splits are
 * deterministic, rows keep their split as data grows, and --as-of reproduces an old version.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localExportDeps } from "../../cli/deps/export.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { localConfig } from "../../src/contract/env.js";
import { keyValuesOf, type SplitKeyColumn } from "../../src/core/split/canonical.js";
import { parseSplitArg } from "../../src/core/split/spec.js";
import { splitOf } from "../../src/core/split/split.js";
import { type ExportResult, exportDataset } from "../../src/pipeline/export/export.js";
import { VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { exportJson, ingest } from "./export-support.js";

const KEY: SplitKeyColumn[] = [
  { name: "flight_time", type: { kind: "timestamp" } },
  { name: "delay_min", type: { kind: "bigint" } },
  { name: "distance_mi", type: { kind: "bigint" } },
  { name: "origin", type: { kind: "string" } },
  { name: "destination", type: { kind: "string" } },
];
const COLUMNS = KEY.map((k) => k.name).join(", ");

let dir: string;
let lake: string;
let db: Database;
let first: ExportResult;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = (r: ExportResult) => path.join(lake, "exports", r.keys!.data);
const splitRows = (r: ExportResult) =>
  `SELECT regexp_extract(filename, '/data/([a-z]+)/part-', 1) AS split, ${COLUMNS} FROM read_parquet('${dataDir(r)}/*/*.parquet', filename = true)`;

beforeAll(async () => {
  dir = await tempDir("export-flights");
  lake = path.join(dir, "lake");
  db = await Database.open();
  const source = `read_parquet('${VEGA}/flights-3m.parquet')`;
  await db.exec(`COPY (SELECT * FROM ${source} LIMIT 200000) TO '${dir}/first.csv'`);
  await db.exec(`COPY (SELECT * FROM ${source} LIMIT 50000 OFFSET 200000) TO '${dir}/second.csv'`);
  await ingest(lake, path.join(dir, "first.csv"), "flights");
  first = await exportJson("flights", "--lake", lake);
});
afterAll(() => db.close());

describe("lakeline export (flights)", () => {
  it("splits 200 000 rows within 1 percentage point of 80/10/10, as the TypeScript split function says", async () => {
    // Act
    const rows = await db.all(splitRows(first));
    // Assess
    expect(first.totalRows).toBe(200_000);
    expect(rows).toHaveLength(200_000);
    for (const [name, ratio] of [
      ["train", 0.8],
      ["eval", 0.1],
      ["test", 0.1],
    ] as const) {
      expect(Math.abs(first.rows[name]! / 200_000 - ratio)).toBeLessThan(0.01);
    }
    const spec = parseSplitArg("train=80,eval=10,test=10");
    const disagreeing = rows.filter((r) => splitOf(keyValuesOf(r, KEY), spec) !== r.split);
    expect(disagreeing).toEqual([]);
  });

  it("keeps every old row's split after 50 000 more rows, writes deterministic multi-part splits, and --as-of reproduces the first version", async () => {
    // Prepare
    await sleep(25);
    await ingest(lake, path.join(dir, "second.csv"), "flights");
    const deps = localExportDeps(localConfig({ lake }), { rowsPerPart: 60_000 });
    // Act
    const grown = await exportDataset(deps, { dataset: "flights" });
    const repeated = await exportDataset(deps, { dataset: "flights" });
    const replayed = await exportJson("flights", "--lake", lake, "--as-of", first.asOf!);
    const moved = await db.all(
      `SELECT count(*) AS n FROM (${splitRows(first)} EXCEPT ALL ${splitRows(grown)})`,
    );
    const parts = await db.all(
      `SELECT regexp_extract(filename, '/data/(.+)$', 1) AS part, count(*) AS n FROM read_parquet('${dataDir(grown)}/*/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`,
    );
    // Assess
    expect(grown).toMatchObject({ status: "exported", totalRows: 250_000, sources: 2 });
    expect(repeated).toMatchObject({ status: "unchanged", version: grown.version });
    expect(replayed).toMatchObject({ status: "unchanged", version: first.version, rows: first.rows });
    expect(moved).toEqual([{ n: 0n }]);
    // train ≈ 200 000 rows → 4 parts of ≤ 60 000; eval and test fit in one part each.
    expect(parts.map((p) => p.part)).toEqual([
      "eval/part-0.parquet",
      "test/part-0.parquet",
      "train/part-0.parquet",
      "train/part-1.parquet",
      "train/part-2.parquet",
      "train/part-3.parquet",
    ]);
    expect(parts.slice(2, 5).map((p) => Number(p.n))).toEqual([60_000, 60_000, 60_000]);
    expect(grown.nfiles).toBe(6);
  });
});
