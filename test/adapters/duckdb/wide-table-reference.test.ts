/**
 * A wide table (100 columns of INT, FLOAT, free text and categorical values) with bad cells in known
 * places, staged in memory and on disk: the quarantine — which rows, with which reasons and which
 * record — and the per-feature error counts and presence equal a row-by-row recomputation in
 * TypeScript from the generator's own cell function, and every other row reaches the warehouse.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BadCell,
  badCells,
  CATEGORIES,
  INT_MAX,
  type WideSpec,
  wideColumn,
  wideHeader,
  wideRecord,
  wideSchema,
  writeWideCsv,
} from "../../../scripts/bench/wide-input.js";
import { Database } from "../../../src/adapters/duckdb/database.js";
import type { Staging } from "../../../src/adapters/duckdb/split-staging.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { stageFile, writeOutputs } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

const SPEC: WideSpec = { columns: 100, rows: 3_000, seed: 5, badEvery: 97 };

/** The reason lakeline gives for a bad cell, as the schema's checks word it. */
function reasonOf(b: BadCell): { code: string; reason: string } {
  const name = wideColumn(b.col);
  const as = (code: string, detail: string) => ({ code, reason: `${code} ${name}: ${detail}` });
  switch (b.kind) {
    case "not-int":
      return as("INT_TYPE_NOT_INT_STRING", `${JSON.stringify(b.text)} is not INT`);
    case "int-too-big":
      return as("INT_TYPE_BIG_INT", `${b.text} > max ${INT_MAX}`);
    case "not-float":
      return as("FLOAT_TYPE_NOT_FLOAT_STRING", `${JSON.stringify(b.text)} is not FLOAT`);
    case "nan":
      return as("FLOAT_TYPE_HAS_NAN", "NaN or infinite value");
    case "not-in-domain":
      return as(
        "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
        `${JSON.stringify(b.text)} not in [${CATEGORIES.join(", ")}]`,
      );
  }
}

async function ingestOutputs(file: string, staging: Staging) {
  const scratch = await tempDir("wide-table");
  try {
    const schema = parseSchema(JSON.stringify(wideSchema(SPEC.columns)), "wide100/v1.json");
    const batch = await stageFile(file, schema, scratch, staging);
    try {
      const { valid, quarantine, written, statistics, quarantined } = await writeOutputs(batch, scratch);
      const db = await Database.open();
      try {
        const bad = await db.all(
          `SELECT _source_row AS row, _reasons AS reasons, _record AS record FROM read_parquet('${quarantine}') ORDER BY 1`,
        );
        const validRows = await db.all(
          `SELECT _source_row AS row, * EXCLUDE (_source_row) FROM read_parquet('${valid}') ORDER BY 1`,
        );
        return { written, quarantined, statistics, bad, validRows, staged: batch.staging };
      } finally {
        db.close();
      }
    } finally {
      batch.close();
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

describe("a 100-column table with bad cells in known places", () => {
  it("quarantines exactly the rows a row-by-row recomputation rejects, with the same reasons, in memory, on disk and on disk in two parts", async () => {
    // Prepare
    const dir = await tempDir("wide-table");
    const file = path.join(dir, "wide.csv");
    await writeWideCsv(file, SPEC);
    const cells = badCells(SPEC);
    const byRow = new Map<number, BadCell[]>();
    for (const b of cells) byRow.set(b.row, [...(byRow.get(b.row) ?? []), b]);
    const header = wideHeader(SPEC.columns);
    const records = Array.from({ length: SPEC.rows }, (_, row) => wideRecord(SPEC, row));
    const expectedBad = [...byRow].map(([row, bad]) => ({
      row: row + 1,
      reasons: bad.sort((a, b) => a.col - b.col).map((b) => reasonOf(b).reason),
      record: Object.fromEntries(records[row]!.map((v, i) => [header[i]!, v === "" ? null : v])),
    }));
    expect(cells.some((b) => byRow.get(b.row)!.length === 2)).toBe(true);
    expect(new Set(cells.map((b) => b.kind)).size).toBe(5);
    // Staged in two parts (columns 0–49 and 50–99), rows fail in the first part, the second, or both.
    const parts = [...byRow.values()].map((bad) => new Set(bad.map((b) => (b.col < 50 ? "a" : "b"))));
    expect(parts.some((p) => p.size === 2)).toBe(true);
    expect(parts.some((p) => p.size === 1 && p.has("b"))).toBe(true);
    expect(parts.some((p) => p.size === 1 && p.has("a"))).toBe(true);

    const statistics: unknown[] = [];
    const written: unknown[] = [];
    for (const staging of ["memory", "disk", "split"] as const) {
      // Act
      const out = await ingestOutputs(file, staging);
      statistics.push(out.statistics);
      written.push(out.validRows);

      // Assess: staged where asked.
      expect(out.staged).toBe(staging);

      // Assess: the quarantine, row for row.
      expect(out.quarantined, staging).toBe(byRow.size);
      expect(
        out.bad.map((b) => ({
          row: Number(b.row),
          reasons: b.reasons,
          record: JSON.parse(String(b.record)),
        })),
        staging,
      ).toEqual(expectedBad);
      // Every other row is in the warehouse, typed as written.
      expect(out.written + out.quarantined).toBe(SPEC.rows);
      const firstGood = out.validRows[0]!;
      const goodRow = Number(firstGood.row) - 1;
      expect(byRow.has(goodRow)).toBe(false);
      records[goodRow]!.forEach((text, col) => {
        const value = firstGood[wideColumn(col)];
        expect(value === null ? "" : String(value), wideColumn(col)).toBe(
          text === "" ? "" : String(Number.isNaN(Number(text)) ? text : Number(text)),
        );
      });
      // Per-feature error counts and presence over all rows read.
      const counts = new Map<string, number>();
      for (const b of cells) {
        const key = `${wideColumn(b.col)} ${reasonOf(b).code}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(
        new Map(out.statistics.codeCounts.map((c) => [`${c.feature} ${c.code}`, c.rows])),
        staging,
      ).toEqual(counts);
      expect(
        out.statistics.features.map((f) => f.present),
        staging,
      ).toEqual(header.map((_, col) => records.filter((r) => r[col] !== "").length));
      // Distributions of every record read, quarantined ones included (the one-scan path of wide
      // tables): an INT histogram, exact integer buckets, and the top values of a categorical and a
      // free-text feature. A cell that does not parse as the type has no value to count.
      const untyped = new Set(
        cells.filter((c) => c.kind === "not-int" || c.kind === "not-float").map((c) => `${c.row}:${c.col}`),
      );
      const ints = records.filter((_, row) => !untyped.has(`${row}:10`)).map((r) => Number(r[10]));
      const [lo, hi] = [Math.min(...ints), Math.max(...ints)];
      const histogram = Array.from({ length: 10 }, () => 0);
      for (const x of ints) histogram[Math.min(Math.floor((10 * (x - lo)) / (hi - lo)), 9)]! += 1;
      const stats = new Map(out.statistics.features.map((f) => [f.name, f]));
      expect(
        stats.get(wideColumn(10))!.numeric!.histogram.map((b) => b.count),
        staging,
      ).toEqual(histogram);
      for (const col of [6, 7]) {
        const counts = new Map<string, number>();
        for (const r of records) if (r[col] !== "") counts.set(r[col]!, (counts.get(r[col]!) ?? 0) + 1);
        const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 50);
        const f = stats.get(wideColumn(col))!;
        expect({ distinct: f.distinctApprox, top: f.string!.topValues }, wideColumn(col)).toEqual({
          distinct: counts.size,
          top: top.map(([value, count]) => ({ value, count })),
        });
      }
    }
    // Staged on disk (distributions in one scan for all features), in one file or two parts: every
    // statistic as in memory, and the same warehouse rows.
    expect(statistics[1]).toEqual(statistics[0]);
    expect(statistics[2]).toEqual(statistics[0]);
    expect(written[1]).toEqual(written[0]);
    expect(written[2]).toEqual(written[0]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
