/**
 * Presence among valid rows is read from the valid-row Parquet file's column statistics when the
 * batch writes one, and counted over the staged table otherwise (statistics alone, a write that
 * failed, a file without a column's null counts). Every path must give the same statistics: a
 * wide table with optional columns and bad cells, and penguins (JSON lines) with a list-free schema
 * and missing values, in memory and staged on disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { type WideSpec, wideSchema, writeWideCsv } from "../../../scripts/bench/wide-input.js";
import { Database } from "../../../src/adapters/duckdb/database.js";
import { filePresence } from "../../../src/adapters/duckdb/valid-presence.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import type { DatasetSchema } from "../../../src/core/schema/types.js";
import { VEGA } from "../../support/cli.js";
import { plainPlans, stageFile, TEST_LINEAGE } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

const SPEC: WideSpec = { columns: 30, rows: 2_000, seed: 11, badEvery: 53 };

type Way = "file" | "sql" | "failed write";

async function statisticsBy(file: string, schema: DatasetSchema, staging: "memory" | "disk", way: Way) {
  const scratch = await tempDir("valid-presence");
  const batch = await stageFile(file, schema, scratch, staging);
  // Which way presence went: the SQL count of valid rows having a feature, or the file's metadata.
  const all = vi.spyOn(Database.prototype, "all");
  const counted = () => all.mock.calls.some(([sql]) => /count_if\(__ok AND __t\d/.test(sql));
  const read = () => all.mock.calls.some(([sql]) => sql.includes("parquet_metadata("));
  try {
    if (way === "sql") return { statistics: await batch.statistics(), counted: counted(), read: read() };
    const target = path.join(scratch, way === "file" ? "valid.parquet" : "no/such/folder/valid.parquet");
    const [written, statistics] = await Promise.allSettled([
      batch.writeValid(target, TEST_LINEAGE),
      batch.statistics(),
    ]);
    if (statistics.status === "rejected") throw statistics.reason;
    return { statistics: statistics.value, written: written.status, counted: counted(), read: read() };
  } finally {
    all.mockRestore();
    batch.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

describe("presence among valid rows", () => {
  it("is the same read from the valid file's statistics as counted in SQL, in memory and on disk", async () => {
    // Prepare
    const dir = await tempDir("valid-presence");
    const wide = path.join(dir, "wide.csv");
    await writeWideCsv(wide, SPEC);
    const cases = [
      { file: wide, schema: parseSchema(JSON.stringify(wideSchema(SPEC.columns)), "wide30/v1.json") },
      {
        file: path.join(VEGA, "penguins.json"),
        schema: new SchemaRegistry(path.resolve("schemas")).load("penguins").schema,
      },
    ];
    for (const { file, schema } of cases)
      for (const staging of ["memory", "disk"] as const) {
        // Act
        const byFile = await statisticsBy(file, schema, staging, "file");
        const bySql = await statisticsBy(file, schema, staging, "sql");
        const afterFailure = await statisticsBy(file, schema, staging, "failed write");

        // Assess
        const label = `${schema.dataset} ${staging}`;
        expect(byFile, label).toMatchObject({ written: "fulfilled", counted: false, read: true });
        expect(bySql, label).toMatchObject({ counted: true, read: false });
        expect(afterFailure, label).toMatchObject({ written: "rejected", counted: true, read: false });
        expect(byFile.statistics, label).toEqual(bySql.statistics);
        expect(afterFailure.statistics, label).toEqual(bySql.statistics);
        // Not vacuous: some features are missing from some valid rows, and rows were quarantined.
        const { features, rows, rowsValid } = bySql.statistics;
        expect(rowsValid, label).toBeLessThan(rows);
        expect(
          features.some((f) => f.present > 0 && f.present < rows),
          label,
        ).toBe(true);
      }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is read for any subset of the features, by column name, but not from a file holding another number of rows, nor from columns it does not name", async () => {
    // Prepare
    const dir = await tempDir("valid-presence");
    const file = path.join(dir, "v.parquet");
    const db = await Database.open();
    const schema = new SchemaRegistry(path.resolve("schemas")).load("penguins").schema;
    const plans = plainPlans(schema);
    try {
      const columns = plans.map(
        (p, i) => `CASE WHEN range % 3 = 0 THEN NULL ELSE ${i} END AS "${p.feature.column}"`,
      );
      await db.exec(`COPY (SELECT ${columns.join(", ")} FROM range(10)) TO '${file}' (FORMAT parquet)`);

      // Act
      const right = await filePresence(db, file, plans, 10);
      // A subset, as statistics passes the features the file can answer for (lists are left out).
      const subset = await filePresence(db, file, plans.slice(1), 10);
      const otherRows = await filePresence(db, file, plans, 11);
      const renamed = await filePresence(
        db,
        file,
        plans.map((p) => ({ ...p, feature: { ...p.feature, column: `${p.feature.column}_x` } })),
        10,
      );

      // Assess
      expect([...right!.values()]).toEqual(plans.map(() => 6));
      expect(subset).toEqual(new Map(plans.slice(1).map((p) => [p.index, 6])));
      expect(otherRows).toBeUndefined();
      expect(renamed!.size).toBe(0);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
