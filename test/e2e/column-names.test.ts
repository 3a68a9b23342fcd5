/**
 * A dataset whose columns are named like the names the engine makes up for itself — `rowid` and
 * `file_row_number` (DuckDB's row numbers), `b`, `c0`, `r1`, `e0`, `j`, `f`, `v` (aliases of the
 * staging and statistics queries) — goes through ingest, query, export and a training set as any
 * other: before, `b` failed ingest with a binder error, `c0` with a type error, and `rowid` put the
 * column's own values where the record numbers belong (`_source_row`, the quarantine's rows), broke
 * the export's split ranges and named a damaged entity-file row by its rowid instead of its line.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempLake } from "../support/temp.js";
import { exportRows } from "./export-support.js";

const SCHEMA = {
  dataset: "engine_names",
  version: 1,
  eventTime: "at",
  features: [
    { name: "rowid", type: "INT" },
    { name: "at", type: "TIMESTAMP" },
    { name: "b", type: "INT", domain: { min: 0, max: 100 } },
    { name: "c0", type: "INT", domain: { min: 0, max: 1000 } },
    { name: "r1", type: "FLOAT" },
    { name: "e0", type: "STRING" },
    { name: "v", type: "STRING", domain: { values: ["x", "y"] } },
    { name: "j", type: "STRING" },
    { name: "f", type: "FLOAT" },
    { name: "file_row_number", type: "INT" },
    { name: "line", type: "INT" },
  ],
};

const VIEW = {
  view: "engine_names_latest",
  version: 1,
  dataset: "engine_names",
  description: "latest b and v per rowid",
  entities: ["rowid"],
  eventTime: "at",
  ttl: "30d",
  owner: "tests",
  features: [
    { name: "b", description: "b", owner: "tests" },
    { name: "v", description: "v", owner: "tests" },
  ],
};

/** Record i (1-based, its line is i + 1): rowid 100 + (i - 1) % 10, a day per ten records; two are bad. */
function csv(records: number): string {
  const lines = ["rowid,at,b,c0,r1,e0,v,j,f,file_row_number,line"];
  for (let i = 1; i <= records; i++) {
    const b = i === 8 ? 500 : i - 1;
    const v = i === 12 ? "z" : "xy"[i % 2];
    const day = String(1 + Math.floor((i - 1) / 10)).padStart(2, "0");
    lines.push(
      `${100 + ((i - 1) % 10)},2026-01-${day} 00:00:00,${b},${i * 2},${i / 4},E${i % 4},${v},J${i % 3},${i / 8},${1000 - i},${i}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

let lake: string[];
let root: string;
let exportsDir: string;

beforeAll(async () => {
  const t = await tempLake("column-names");
  root = t.root;
  exportsDir = path.join(t.lakeDir, "exports");
  lake = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
  const dir = path.join(t.schemasDir, "engine_names");
  await fs.mkdir(path.join(dir, "views"), { recursive: true });
  await fs.writeFile(path.join(dir, "v1.json"), JSON.stringify(SCHEMA));
  await fs.writeFile(path.join(dir, "views", "engine_names_latest.v1.json"), JSON.stringify(VIEW));
  await fs.writeFile(path.join(root, "engine_names.csv"), csv(40));
});

describe("columns named like the engine's own", () => {
  it("are ingested with the file's record numbers, queried and exported like any other", async () => {
    // Act
    const ingest = await runCli(
      "ingest",
      path.join(root, "engine_names.csv"),
      "--dataset",
      "engine_names",
      ...lake,
    );
    const query = await runCli(
      "query",
      "SELECT count(*) AS n, count_if(_source_row = line) AS numbered, sum(rowid) AS rowids, sum(b) AS bs FROM engine_names",
      "--json",
      ...lake,
    );
    const exported = await runCli("export", "engine_names", "--json", ...lake);

    // Assess
    expect(ingest.code, ingest.stderr).toBe(1); // two rows quarantined
    expect(ingest.stdout).toContain("read 40, written 38, quarantined 2");
    expect(ingest.stdout).toContain("row 8: INT_TYPE_BIG_INT b: 500 > max 100");
    expect(ingest.stdout).toContain('row 12: ENUM_TYPE_UNEXPECTED_STRING_VALUES v: "z" not in [x, y]');
    expect(query.code, query.stderr).toBe(0);
    // 40 rowids sum to 4180 and b 0..39 to 780; rows 8 (rowid 107, b 500) and 12 (rowid 101, b 11) are out.
    expect(JSON.parse(query.stdout)).toEqual([
      { n: 38, numbered: 38, rowids: 4180 - 107 - 101, bs: 780 - 7 - 11 },
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const out = JSON.parse(exported.stdout);
    expect(out.totalRows).toBe(38);
    const rows = await exportRows(path.join(exportsDir, out.keys.data));
    expect(rows).toHaveLength(38);
    const lines = rows.map((r) => Number(r.line)).sort((a, b) => a - b);
    expect(lines).toEqual(Array.from({ length: 40 }, (_, k) => k + 1).filter((n) => n !== 8 && n !== 12));
    expect(rows.reduce((s, r) => s + Number(r.rowid), 0)).toBe(4180 - 107 - 101);
  });

  it("key a point-in-time training set by a column named rowid", async () => {
    // Prepare: ingested by the test above (vitest runs a file's tests in order)
    const entities = path.join(root, "entities.csv");
    await fs.writeFile(entities, "rowid,event_timestamp\n101,2026-01-02 12:00:00\n105,2026-01-05 00:00:00\n");

    const damaged = path.join(root, "entities-damaged.csv");
    await fs.writeFile(damaged, "rowid,event_timestamp\n101,2026-01-02 12:00:00\n105,yesterday\n");
    const features = (file: string) => [
      "features",
      "history",
      "--entities",
      file,
      "--features",
      "engine_names_latest:b,v",
    ];

    // Act
    const refused = await runCli(...features(damaged), ...lake);
    const history = await runCli(
      "features",
      "history",
      "--entities",
      entities,
      "--features",
      "engine_names_latest:b,v",
      "--knowledge",
      "as-of",
      "--split",
      "all=100",
      "--json",
      ...lake,
    );

    // Assess: rowid 101's record 12 (2 January, v "z") was quarantined, so record 2 (1 January) is its latest;
    // rowid 105's latest by 5 January is record 36 (4 January).
    // The damaged row is named by its line, not by its rowid.
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("entity file entities-damaged.csv line 3: yesterday in event_timestamp");
    expect(history.code, history.stderr).toBe(0);
    const out = JSON.parse(history.stdout);
    const rows = await exportRows(path.join(exportsDir, out.keys.data));
    expect(
      rows.map((r) => [Number(r.rowid), Number(r.engine_names_latest__b), r.engine_names_latest__v]),
    ).toEqual([
      [101, 1, "x"],
      [105, 35, "x"],
    ]);
  });
});
