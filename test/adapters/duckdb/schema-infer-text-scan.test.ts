import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wideColumn, wideHeader, wideKind, wideRecord } from "../../../scripts/bench/wide-input.js";
import { load } from "../../../src/adapters/duckdb/file-source.js";
import { inferenceStatistics, inferSchemaFromFile } from "../../../src/adapters/duckdb/infer-file.js";
import { textAggregates } from "../../../src/adapters/duckdb/infer-text-scan.js";
import { tempDir } from "../../support/temp.js";

const DATA = "node_modules/vega-datasets/data";

/** 25 columns × 26,000 rows; after the sniffer's sample (rows 25,000 and 25,500), a value of each kind that does not fit. */
const COLUMNS = 25;
const ROWS = 26_000;
const LATE: Record<number, Record<number, string>> = {
  25000: { 0: "4.5", 3: "n/a", 7: "purple", 10: "100000", 13: "NaN" },
  25500: { 20: "x", 24: "1e400", 6: "", 11: "7.0" },
};

/** What a sniff of the whole file types each column (the generator puts "4.5" in c001_int in the sample). */
const WIDENED: Record<string, string> = {
  c000_int: "FLOAT",
  c001_int: "FLOAT",
  c011_int: "FLOAT",
  c003_float: "STRING",
  c020_int: "STRING",
};
const KIND_TYPE = { int: "INT", float: "FLOAT", text: "STRING", category: "STRING" } as const;

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Whether the text scan reads the file itself (rather than leaving it to the typed reads). */
async function textScanReads(file: string): Promise<boolean> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    return (await textAggregates(conn, await load(conn, file, "VIEW"))) !== undefined;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function wideLateFile(): Promise<string> {
  dir ??= await tempDir("infer-text-scan");
  const spec = { columns: COLUMNS, rows: ROWS, seed: 5, badEvery: 1_000_000_000 };
  const lines = [wideHeader(COLUMNS).join(",")];
  for (let row = 0; row < ROWS; row++) {
    const cells = wideRecord(spec, row);
    for (const [col, text] of Object.entries(LATE[row] ?? {})) cells[Number(col)] = text;
    lines.push(cells.join(","));
  }
  const file = path.join(dir, "wide25-late.csv");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

describe("schema infer's text scan of a CSV file", () => {
  it("types a wide file's late values as a whole-file sniff does, in the same statistics as the typed reads", async () => {
    // Prepare
    const file = await wideLateFile();
    // Act
    const { schema, statistics } = await inferSchemaFromFile(file, {
      dataset: "wide",
      version: 1,
      numericRanges: true,
    });
    const typed = await inferenceStatistics(file, { textScan: false });
    // Assess
    expect(statistics.rowsRead).toBe(ROWS);
    expect(schema.features.map((f) => [f.name, f.type])).toEqual(
      Array.from({ length: COLUMNS }, (_, c) => [
        wideColumn(c),
        WIDENED[wideColumn(c)] ?? KIND_TYPE[wideKind(c)],
      ]),
    );
    const byName = (name: string) => statistics.features.find((f) => f.name === name)!;
    // The late decimal widens the integer column; its range is over every value, the decimal included.
    expect(byName("c000_int")).toMatchObject({ type: "FLOAT", present: ROWS, missing: 0 });
    expect(byName("c000_int").numeric).toEqual({ min: 0, max: 99998, nonFinite: 0 });
    expect(byName("c011_int").numeric).toEqual({ min: 1, max: 99993, nonFinite: 0 });
    // An integer too big for the domain is still an integer.
    expect(byName("c010_int")).toMatchObject({ type: "INT", numeric: { min: 2, max: 100000, nonFinite: 0 } });
    // NaN and an overflowing 1e400 are numbers, counted as non-finite, outside the range.
    expect(byName("c013_float").numeric).toEqual({ min: -9998.8, max: 9999.8, nonFinite: 1 });
    expect(byName("c024_float").numeric).toEqual({ min: -9999.7, max: 9999.5, nonFinite: 1 });
    // A word in a float column makes it text: its values estimated, not listed.
    expect(byName("c003_float")).toMatchObject({ type: "STRING", present: ROWS, string: { topValues: [] } });
    expect(byName("c003_float").distinctApprox).toBeGreaterThan(20_000);
    expect(schema.features.find((f) => f.name === "c007_category")?.domain).toEqual({
      values: ["black", "blue", "cyan", "green", "magenta", "purple", "red", "white", "yellow"],
    });
    expect(byName("c006_text").missing).toBeGreaterThan(0);
    expect(await textScanReads(file)).toBe(true);
    expect(typed).toEqual(statistics);
  });

  it.each([
    "birdstrikes.csv",
    "github.csv",
    "la-riots.csv",
    "seattle-weather-hourly-normals.csv",
    "sp500-2000.csv",
    "unemployment.tsv",
    "zipcodes.csv",
  ])("agrees with the typed read on vega-datasets %s", async (name) => {
    // Act
    const text = await inferenceStatistics(path.join(DATA, name));
    const typed = await inferenceStatistics(path.join(DATA, name), { textScan: false });
    // Assess
    expect(await textScanReads(path.join(DATA, name))).toBe(true);
    expect(text.rowsRead).toBeGreaterThan(0);
    expect(text).toEqual(typed);
  });

  it("agrees with the typed read on booleans, times, zoned timestamps, quoted empties and padded numbers", async () => {
    // Prepare
    dir ??= await tempDir("infer-text-scan");
    const file = path.join(dir, "kinds.csv");
    const rows = Array.from({ length: 400 }, (_, i) =>
      [
        ` ${i} `,
        i % 3 ? `+${i}` : `00${i}`,
        i % 7 === 0 ? '""' : `${i}.25`,
        i % 4 ? "1e5" : "-Infinity",
        i % 2 ? "T" : "F",
        i % 2 ? "true" : "false",
        `${i % 24}:30`,
        `2024-01-01T0${i % 10}:00:00Z`,
        i % 11 === 0 ? '""' : `"2024-03-${String((i % 28) + 1).padStart(2, "0")}"`,
      ].join(","),
    );
    writeFileSync(file, `a,b,c,d,e,f,g,h,i\n${rows.join("\n")}\n`);
    // Act
    const text = await inferenceStatistics(file);
    const typed = await inferenceStatistics(file, { textScan: false });
    // Assess
    expect(await textScanReads(file)).toBe(true);
    expect(text.features.map((f) => f.type)).toEqual([
      "INT",
      "STRING",
      "FLOAT",
      "STRING",
      "BOOL",
      "BOOL",
      "STRING",
      "TIMESTAMP",
      "TIMESTAMP",
    ]);
    expect(text).toEqual(typed);
  });
});
