/**
 * The local query engine creates a relation only when a statement names it: an export reads the
 * current table, so neither the history views (a file list each) nor the lineage views are bound.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { type CommittedRuns, DuckDbQueryEngine } from "../../../src/adapters/duckdb/query-engine.js";
import { tempDir } from "../../support/temp.js";

const NO_FILES: CommittedRuns = { warehouse: [], quarantine: [], history: { warehouse: [], quarantine: [] } };

describe("the local query engine's relations", () => {
  it("are created for the statement that names them: current and history views apart", async () => {
    // Prepare
    const lineageDir = await tempDir("lazy-relations");
    const engine = await DuckDbQueryEngine.open(
      {
        schemasDir: path.resolve(import.meta.dirname, "../../../schemas"),
        lineageDir,
        committedRuns: async () => NO_FILES,
        runs: async () => [],
      },
      { datasets: ["penguins"] },
    );
    const views = async () =>
      (await engine.db.all("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")).map(
        (r) => r.view_name,
      );
    try {
      // Act
      const current = await engine.query("SELECT count(*) AS n FROM penguins");
      const afterCurrent = await views();
      await engine.query("SELECT count(*) AS n FROM penguins_history");
      const afterHistory = await views();
      // Assess
      expect(current.rows).toEqual([{ n: 0 }]);
      expect(afterCurrent).toEqual(["penguins", "penguins_quarantine"]);
      expect(afterHistory).toEqual([
        "penguins",
        "penguins_history",
        "penguins_quarantine",
        "penguins_quarantine_history",
      ]);
    } finally {
      await engine.close();
      await fs.rm(lineageDir, { recursive: true, force: true });
    }
  });
});
