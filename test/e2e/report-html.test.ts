import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { renderReport } from "../../src/core/report/html.js";
import type { DatasetStatistics } from "../../src/core/stats/types.js";
import type { Anomaly } from "../../src/core/validate/anomaly.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const EVIL = `<script>alert("x")</script>&'`;

function statistics(topValue: string, values: number[]): DatasetStatistics {
  return {
    dataset: "evil",
    schemaVersion: 3,
    environment: "TRAINING",
    rowsRead: 10,
    rowsValid: 8,
    rowsQuarantined: 2,
    sourceFields: ["name", "n"],
    features: [
      {
        name: EVIL,
        column: "name",
        type: "STRING",
        present: 10,
        missing: 0,
        distinctApprox: 2,
        string: {
          topValues: [
            { value: topValue, count: 7 },
            { value: "b", count: 3 },
          ],
          avgLength: 3,
        },
      },
      {
        name: "n",
        column: "n",
        type: "INT",
        present: 8,
        missing: 2,
        distinctApprox: 4,
        numeric: {
          min: Math.min(...values),
          max: Math.max(...values),
          mean: 2,
          stddev: 1,
          sum: 16,
          sumSquares: 40,
          quantiles: [],
          histogram: [
            { low: values[0]!, high: values[1]!, count: 5 },
            { low: values[1]!, high: values[2]!, count: 3 },
          ],
          zeros: 0,
          nonFinite: 0,
        },
      },
    ],
  };
}

const anomalies: Anomaly[] = [
  {
    type: "SCHEMA_NEW_COLUMN",
    severity: "WARNING",
    feature: EVIL,
    shortDescription: "New column",
    description: `field ${EVIL}`,
  },
  {
    type: "SCHEMA_MISSING_COLUMN",
    severity: "ERROR",
    feature: "n",
    shortDescription: "Column dropped",
    description: "gone",
  },
];

describe("renderReport", () => {
  it("escapes every piece of data and loads nothing from outside the page", () => {
    // Act
    const html = renderReport({
      dataset: "evil",
      runId: `run-${EVIL}`,
      environment: "TRAINING",
      schemaVersion: 3,
      sourceKey: `evil/${EVIL}.csv`,
      statistics: statistics(EVIL, [0, 1, 4]),
      previous: statistics("b", [0, 2, 4]),
      anomalies,
      lineageMermaid: `graph LR; a-->${EVIL}`,
      generatedAt: "2024-05-01T00:00:00Z",
    });
    // Assess: the only <script would be the injected one; no external URL of any kind.
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    // Errors are listed before warnings, each row carrying its severity class.
    const rows = [...html.matchAll(/<tr class="anomaly sev-(\w+)" data-type="(\w+)"/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual([
      ["error", "SCHEMA_MISSING_COLUMN"],
      ["warning", "SCHEMA_NEW_COLUMN"],
    ]);
    // Counts, drift vs previous (top value share 0.7 → 0 for the injected value: L∞ = 0.7) and charts.
    expect(html).toMatch(/<b>10<\/b>rows read/);
    expect(html).toMatch(/<b>8<\/b>rows written/);
    expect(html).toMatch(/<b>2<\/b>rows quarantined/);
    expect(html).toMatch(/L-infinity distance<\/td><td class="n">0\.7<\/td>/);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
  });

  it("renders the same bytes for the same input", () => {
    const input = {
      dataset: "d",
      runId: "r",
      environment: "SERVING",
      schemaVersion: 1,
      sourceKey: "k",
      statistics: statistics("a", [0, 1, 2]),
      anomalies: [],
      generatedAt: "t",
    };
    expect(renderReport(input)).toBe(renderReport(input));
    expect(renderReport(input)).toContain("No anomalies.");
  });
});

describe("lakeline report", () => {
  const cli = runCli;

  it("prints the latest report of a dataset, a run's report, and fails when there is none", async () => {
    // Prepare: two penguins batches and one weather batch in the warehouse zone.
    const lake = await tempDir("lake");
    const store = localLakeStores(lake).warehouse;
    const runs = [
      "20240501T100000Z-1b4e28ba-2fa1-51d2-883f-0016d3cca427",
      "20240502T090000Z-6fa459ea-ee8a-5ca4-894e-db77e160355e",
    ];
    for (const batch of runs) {
      for (const f of ["statistics.json", "anomalies.json", "report.html"])
        await store.put(`_reports/penguins/${batch}/${f}`, "{}");
    }
    await store.put(
      "_reports/weather/20240503T000000Z-0a0b0c0d-0000-5000-8000-000000000000/report.html",
      "<html>",
    );
    // Act + Assess
    const latest = await cli("report", "penguins", "--lake", lake);
    expect(latest).toEqual({
      code: 0,
      stdout: `${path.join(lake, "warehouse", "_reports/penguins", runs[1]!, "report.html")}\n`,
      stderr: "",
    });
    const byRun = await cli("report", "1b4e28ba-2fa1-51d2-883f-0016d3cca427", "--lake", lake, "--json");
    expect(JSON.parse(byRun.stdout)).toEqual({
      dataset: "penguins",
      batch: runs[0],
      report: path.join(lake, "warehouse", "_reports/penguins", runs[0]!, "report.html"),
      statistics: path.join(lake, "warehouse", "_reports/penguins", runs[0]!, "statistics.json"),
      anomalies: path.join(lake, "warehouse", "_reports/penguins", runs[0]!, "anomalies.json"),
      reports: 1,
    });
    const none = await cli("report", "flights", "--lake", lake);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^lakeline: /);
  });
});
