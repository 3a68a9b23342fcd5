/**
 * Top values of categorical features come from one of three plans — a ranked branch per feature
 * (narrow tables), one UNPIVOT of every feature, or that UNPIVOT split into statements of bounded
 * cells (wide tables) — and every plan must report the same values, counts, distinct counts and
 * average lengths, on a table with free text, categorical and BOOL columns, missing values and ties.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { type WideSpec, wideSchema, writeWideCsv } from "../../../scripts/bench/wide-input.js";
import { Database } from "../../../src/adapters/duckdb/database.js";
import { drainTopValues, topValuesOf, wideStatements } from "../../../src/adapters/duckdb/top-values.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { plainPlans } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

const SPEC: WideSpec = { columns: 20, rows: 3_000, seed: 3, badEvery: 0 };

describe("top values", () => {
  it("are the same per feature, in one statement and split into statements of bounded cells", async () => {
    // Prepare
    const dir = await tempDir("top-values");
    const file = path.join(dir, "wide.csv");
    await writeWideCsv(file, SPEC);
    const base = wideSchema(SPEC.columns) as { features: object[] };
    const bool = { name: "flag", type: "BOOL" };
    const schema = parseSchema(
      JSON.stringify({ ...base, features: [...base.features, bool] }),
      "wide20/v1.json",
    );
    const plans = plainPlans(schema);
    const db = await Database.open();
    try {
      await db.exec(
        `CREATE TABLE staged AS SELECT *, hash(c006_text) % 3 = 0 AS flag, true AS __ok FROM read_csv('${file}', all_varchar = true)`,
      );

      // Act
      const perFeature = await topValuesOf(db, "staged", plans, false);
      const oneStatement = await topValuesOf(db, "staged", plans, true);
      const split = await topValuesOf(db, "staged", plans, true, "__ok", 1_000_000);
      const queue = wideStatements(plans, 1_000_000);
      const statements = queue.length;
      const side = await db.fork();
      const shared = await Promise.all([
        drainTopValues(db, "staged", queue),
        drainTopValues(side, "staged", queue),
      ]).finally(() => side.close());

      // Assess
      expect(perFeature.size).toBe(9);
      expect(oneStatement).toEqual(perFeature);
      expect(split).toEqual(perFeature);
      // Two connections draining one queue of statements (free text first) share it and miss nothing.
      expect(statements).toBe(5);
      expect(queue).toHaveLength(0);
      expect(shared.every((m) => m.size > 0)).toBe(true);
      expect(new Map([...shared[0], ...shared[1]])).toEqual(perFeature);
      const text = perFeature.get(6)!;
      expect(text.distinct).toBeGreaterThan(2_000);
      expect(text.values).toHaveLength(50);
      expect(
        perFeature
          .get(SPEC.columns)!
          .values.map((v) => v.value)
          .sort(),
      ).toEqual(["false", "true"]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
