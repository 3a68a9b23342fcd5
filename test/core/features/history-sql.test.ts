/**
 * The training-set query on Athena (the window form) as golden files: test/core/features/golden/
 * athena/*.sql hold exactly what the Athena executor sends (before its split columns). Each view
 * reads its dataset's committed runs from the `<dataset>_runs` relation by the export's rule.
 * After an intended change, regenerate them and review the diff:
 *   LAKELINE_UPDATE_GOLDEN=1 npx vitest run test/core/features/history-sql.test.ts
 */
import { describe, expect, it } from "vitest";
import { committedRunIdsSelect } from "../../../src/core/export/snapshot-sql.js";
import { type HistoryPlan, type HistoryView, historySql } from "../../../src/core/features/history-sql.js";
import { renderSelect } from "../../../src/core/sql-builder.js";

const STOCKS: HistoryView = {
  name: "stock_prices",
  table: "stocks",
  entities: ["symbol"],
  eventTime: "price_date",
  ttlSeconds: 92 * 86_400,
  environment: "TRAINING",
  features: [{ column: "price", as: "stock_prices__price" }],
  runsTable: "stocks_runs",
};
const WEATHER: HistoryView = {
  name: "daily_weather",
  table: "weather",
  entities: ["location"],
  eventTime: "date",
  environment: "TRAINING",
  features: [
    { column: "temp_max", as: "daily_weather__temp_max" },
    { column: "precipitation", as: "daily_weather__precipitation" },
  ],
  runsTable: "weather_runs",
};
const PLAN: HistoryPlan = {
  entities: `"_lakeline_entities_run_attempt"`,
  timestamp: "event_timestamp",
  carry: ["symbol", "location", "event_timestamp", "label"],
  views: [STOCKS, WEATHER],
  asOf: new Date("2024-05-02T00:00:00Z"),
  knowledge: "row",
};
const golden = (name: string) => `./golden/athena/${name}.sql`;
/** One clause per line, for a reviewable diff. */
const lines = (sql: string) => `${sql.replace(/ (WITH|SELECT|FROM|WHERE|LEFT JOIN|JOIN) /g, "\n$1 ")}\n`;

describe("training-set SQL, Athena (Trino) dialect", () => {
  it("the window form over two views matches its golden files, in both knowledge modes", async () => {
    await expect(lines(historySql(PLAN, "athena"))).toMatchFileSnapshot(golden("history-window"));
    await expect(lines(historySql({ ...PLAN, knowledge: "as-of" }, "athena"))).toMatchFileSnapshot(
      golden("history-window-as-of"),
    );
  });

  it("reads each view's committed runs by the export's rule, as of the plan's instant", () => {
    // Act
    const sql = historySql(PLAN, "athena");
    // Assess: the export's own selection of runs, once per view over its dataset's runs relation
    for (const v of [STOCKS, WEATHER]) {
      const runs = committedRunIdsSelect(
        { table: v.table, runsTable: v.runsTable!, asOf: PLAN.asOf },
        "athena",
      );
      expect(sql).toContain(`"_run_id" IN (${renderSelect(runs, { compact: true })})`);
    }
    expect(sql).not.toMatch(/"_run_id" IN \('/);
  });

  it("does not restrict the runs of a table that holds only committed ones (DuckDB's views)", () => {
    // Act
    const sql = historySql({ ...PLAN, views: [{ ...STOCKS, runsTable: undefined }] }, "duckdb", "window");
    // Assess
    expect(sql).not.toContain(`"_run_id" IN`);
  });
});
