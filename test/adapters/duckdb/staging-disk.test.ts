/**
 * A blob whose staged table would not fit DuckDB's memory limit is staged in a Parquet file instead
 * of in memory. Both places must give the same outputs, row for row: the warehouse rows with their source
 * positions, the quarantined rows with their reasons, the statistics and the sample shown to users.
 * Real data: Seattle/New York weather as CSV with damaged rows, penguins as JSON lines.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import {
  roomForParts,
  stagedRowBytes,
  stagesOnDisk,
  widthMemoryLimit,
} from "../../../src/adapters/duckdb/sizing.js";
import type { Staging } from "../../../src/adapters/duckdb/split-staging.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import { VEGA } from "../../support/cli.js";
import { stageFile, writeOutputs } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

const registry = new SchemaRegistry(path.resolve("schemas"));

async function outputs(file: string, dataset: string, staging: Staging) {
  const scratch = await tempDir("staging-disk");
  const batch = await stageFile(file, registry.load(dataset).schema, scratch, staging);
  try {
    const stagedFiles = ["staged.parquet", "staged-a.parquet", "staged-b.parquet"]
      .map((f) => path.join(scratch, f))
      .filter((f) => fs.existsSync(f));
    const onDisk = stagedFiles.length > 0;
    const { valid, quarantine, written, statistics, quarantined } = await writeOutputs(batch, scratch);
    const sample = await batch.sampleRejected(10);
    const db = await Database.open();
    try {
      const rows = (f: string, order: string) =>
        db.all(`SELECT * FROM read_parquet('${f}') ORDER BY ${order}`);
      // The staged file is scratch read back once: written without compression (see stageInParquet).
      const compressions = onDisk
        ? (
            await db.all(
              `SELECT DISTINCT compression FROM parquet_metadata([${stagedFiles.map((f) => `'${f}'`).join(", ")}])`,
            )
          ).map((r) => String(r.compression))
        : [];
      return {
        staged: batch.staging,
        onDisk,
        compressions,
        written,
        quarantined,
        statistics,
        sample,
        valid: await rows(valid, "_source_row"),
        bad: await rows(quarantine, "_source_row, _record"),
      };
    } finally {
      db.close();
    }
  } finally {
    batch.close();
  }
}

describe("staging on disk", () => {
  it("is chosen by cells: when the staged table would not fit in 90% of DuckDB's memory limit", () => {
    const flights = stagedRowBytes(registry.load("flights").schema);
    expect(flights).toBe(8 + 8 + 8 + 16 + 16 + 1 + 16);
    const table = (records: number, rowBytes: number, columns: number) => ({ records, rowBytes, columns });
    expect(stagesOnDisk(table(3e6, flights, 7))).toBe(false);
    expect(stagesOnDisk(table(9e6, flights, 7))).toBe(true);
    // 100 columns × 200k rows: about 230 MB of values, but every column costs blocks of its own.
    expect(stagesOnDisk(table(200e3, 1100, 102))).toBe(true);
    expect(stagesOnDisk(table(200e3, 1100, 102), { memoryLimit: "1GB" })).toBe(false);
    expect(stagesOnDisk(table(9e6, flights, 7), { memoryLimit: "1GiB" })).toBe(false);
    expect(() => stagesOnDisk(table(1, 1, 1), { memoryLimit: "lots" })).toThrow(/not a memory size: "lots"/);
  });

  it("is in two parts at once only where the memory limit holds both parts' per-column buffers", () => {
    // What the width sizes (300 columns: 551 MB; 100: the default 256 MB) or more; never less.
    expect(roomForParts(302, widthMemoryLimit(302), 2)).toBe(true);
    expect(roomForParts(302, "256MB", 2)).toBe(false);
    expect(roomForParts(102, widthMemoryLimit(102), 2)).toBe(true);
    expect(roomForParts(102, "96MB", 2)).toBe(false);
    expect(roomForParts(102, "1GB", 2)).toBe(true);
  });

  it("is in one file on one core, where a second part would only wait for the first", () => {
    expect(roomForParts(302, widthMemoryLimit(302), 1)).toBe(false);
    expect(roomForParts(302, "4GB", 1)).toBe(false);
  });

  it("gives the same outputs as memory for CSV with damaged rows (weather)", async () => {
    const dir = await tempDir("staging-disk");
    const lines = fs.readFileSync(path.join(VEGA, "weather.csv"), "utf8").trimEnd().split("\n");
    lines[10] = lines[10]!.replace(/,[^,]*$/, ",hail"); // not in the weather domain
    lines[20] = "Seattle,2012-13-40,x,1,2,3,rain"; // bad date, bad number
    lines.splice(30, 0, "Seattle,2012-02-01,0,1,2,3,rain,extra"); // a field too many
    const file = path.join(dir, "weather.csv");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const memory = await outputs(file, "weather", "memory");
    const disk = await outputs(file, "weather", "disk");
    expect({ memory: memory.onDisk, disk: disk.onDisk }).toEqual({ memory: false, disk: true });
    expect(memory.quarantined).toBe(3);
    expect(memory.written + memory.quarantined).toBe(lines.length - 1);
    // _source_row is the record's ordinal (line - 1), the malformed record at 30 included, and rows
    // after it keep theirs on both paths.
    expect(memory.bad.map((r) => Number(r._source_row))).toEqual([10, 20, 30]);
    expect(memory.valid.map((r) => Number(r._source_row)).slice(26, 29)).toEqual([29, 31, 32]);
    expect(disk.compressions).toEqual(["UNCOMPRESSED"]);
    expect(disk).toEqual({ ...memory, staged: "disk", onDisk: true, compressions: ["UNCOMPRESSED"] });
    // Staged in two parts by columns (a wide table's way), the malformed record skipped by both.
    const split = await outputs(file, "weather", "split");
    expect(split).toEqual({ ...memory, staged: "split", onDisk: true, compressions: ["UNCOMPRESSED"] });
  });

  it("gives the same outputs as memory for JSON lines (penguins)", async () => {
    const dir = await tempDir("staging-disk");
    const penguins = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8")) as unknown[];
    const file = path.join(dir, "penguins.jsonl");
    fs.writeFileSync(file, `${penguins.map((p) => JSON.stringify(p)).join("\n")}\n{broken\n`);
    const memory = await outputs(file, "penguins", "memory");
    const disk = await outputs(file, "penguins", "disk");
    expect(memory.written).toBe(343);
    expect(memory.quarantined).toBe(2);
    expect(disk).toEqual({ ...memory, staged: "disk", onDisk: true, compressions: ["UNCOMPRESSED"] });
    // Only CSV is staged in parts: JSON lines asked to stay in one file.
    const split = await outputs(file, "penguins", "split");
    expect(split).toEqual({ ...memory, staged: "disk", onDisk: true, compressions: ["UNCOMPRESSED"] });
  });
});
