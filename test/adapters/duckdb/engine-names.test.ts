/**
 * Columns named like DuckDB's row numbers (`rowid`, `file_row_number`) or like the staging query's
 * own names (`b`, `c0`, `r1`, `e0`, `j`) stage as any other, in memory, on disk and in two parts:
 * every warehouse row carries its record's number, every quarantined row its own, and the
 * statistics are the same wherever the rows were staged.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import type { Staging } from "../../../src/adapters/duckdb/split-staging.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { stageFile, writeOutputs } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

const schema = parseSchema(
  JSON.stringify({
    dataset: "engine_names",
    version: 1,
    features: [
      { name: "rowid", type: "INT" },
      { name: "file_row_number", type: "INT" },
      { name: "b", type: "INT", domain: { min: 0, max: 100 } },
      { name: "c0", type: "INT" },
      { name: "r1", type: "STRING", domain: { values: ["x", "y"] } },
      { name: "e0", type: "FLOAT" },
      { name: "j", type: "STRING" },
      { name: "line", type: "INT" },
    ],
  }),
  "engine_names/v1.json",
);

/** Record i of 30 (1-based): `line` is i; record 5 has b out of range, record 9 an unknown r1. */
const record = (i: number) => ({
  rowid: 1000 - i,
  file_row_number: 7 * i,
  b: i === 5 ? 500 : i,
  c0: i * 2,
  r1: i === 9 ? "z" : "xy"[i % 2],
  e0: i / 4,
  j: `J${i % 3}`,
  line: i,
});
const records = Array.from({ length: 30 }, (_, k) => record(k + 1));
const BAD = [5, 9];

async function stagedOutputs(file: string, staging: Staging) {
  const scratch = await tempDir("engine-names");
  const batch = await stageFile(file, schema, scratch, staging);
  const db = await Database.open();
  try {
    const { valid, quarantine, written, statistics } = await writeOutputs(batch, scratch);
    const [numbered] = await db.all(
      `SELECT count(*) AS n, count_if(_source_row = line) AS numbered, sum(rowid) AS rowids FROM '${valid}'`,
    );
    const bad = await db.all(`SELECT _source_row AS row FROM '${quarantine}' ORDER BY 1`);
    return {
      staged: batch.staging,
      written,
      numbered,
      bad: bad.map((r) => Number(r.row)),
      statistics,
    };
  } finally {
    db.close();
    batch.close();
  }
}

describe("columns named like the engine's own", () => {
  it("keep their record numbers and statistics in memory, on disk and in two parts (CSV)", async () => {
    // Prepare
    const dir = await tempDir("engine-names");
    const file = path.join(dir, "engine_names.csv");
    const header = Object.keys(records[0]!);
    await fs.writeFile(
      file,
      `${[header.join(","), ...records.map((r) => header.map((h) => r[h as keyof typeof r]).join(","))].join("\n")}\n`,
    );
    const rowids = records.filter((r) => !BAD.includes(r.line)).reduce((s, r) => s + r.rowid, 0);

    // Act
    const outs = [];
    for (const staging of ["memory", "disk", "split"] as const) outs.push(await stagedOutputs(file, staging));

    // Assess
    expect(outs.map((o) => o.staged)).toEqual(["memory", "disk", "split"]);
    for (const o of outs) {
      expect(o.written, o.staged).toBe(28);
      expect(o.numbered, o.staged).toEqual({ n: 28n, numbered: 28n, rowids: BigInt(rowids) });
      expect(o.bad, o.staged).toEqual(BAD);
      expect(o.statistics, o.staged).toEqual(outs[0]!.statistics);
    }
    const b = outs[0]!.statistics.features.find((f) => f.name === "b");
    // Statistics describe every record read, the quarantined ones included.
    expect(b?.numeric?.max).toBe(500);
  });

  it("keep their record numbers as JSON lines fields", async () => {
    // Prepare
    const dir = await tempDir("engine-names");
    const file = path.join(dir, "engine_names.jsonl");
    await fs.writeFile(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);

    // Act
    const out = await stagedOutputs(file, "memory");

    // Assess
    expect(out.written).toBe(28);
    expect(out.numbered).toMatchObject({ n: 28n, numbered: 28n });
    expect(out.bad).toEqual(BAD);
  });
});
