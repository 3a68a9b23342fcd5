/**
 * The batch report as a data team reads it after real runs: vega-datasets' cars, a v1 inferred from
 * the 1970–75 rows with the sample's ranges, then the later rows — accepted with rows quarantined,
 * or rejected whole under a strict policy. Through the CLI: `lakeline ingest`, then `lakeline report`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatasetStatistics } from "../../src/core/stats/types.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { EARLY, jsonLines, LATE, releaseDraft, writeLines } from "./cars-support.js";

let dir: string;
let lake: string;
let schemas: string;
const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);

/** The report of a run, found as a user finds it: its HTML and the statistics beside it. */
async function reportOf(runId: string): Promise<{ html: string; statistics: DatasetStatistics }> {
  const r = await runCli("report", runId, "--lake", lake, "--json");
  expect(r.code, r.stderr).toBe(0);
  const paths = JSON.parse(r.stdout) as { report: string; statistics: string };
  return {
    html: fs.readFileSync(paths.report, "utf8"),
    statistics: JSON.parse(fs.readFileSync(paths.statistics, "utf8")),
  };
}

/**
 * The later rows' miles per gallon that v1 (whole numbers as INT) can type: 46.6 is not an INT, so it
 * has no value to measure (its row is quarantined with the text); 44 is, and is above v1's range.
 */
const LATE_MPG = LATE.map(
  (c) => (c as unknown as { Miles_per_Gallon: number | null }).Miles_per_Gallon,
).filter((v): v is number => v !== null && Number.isInteger(v));

beforeEach(async () => {
  dir = await tempDir("report-lifecycle");
  lake = path.join(dir, "lake");
  schemas = path.join(dir, "schemas");
});

describe("the report of a run describes every row it read", () => {
  it("shows the quarantined rows' values beside the anomalies that sent them there", async () => {
    // Prepare
    await releaseDraft(writeLines(dir, "cars-early.json", EARLY), schemas);
    const v1 = JSON.parse(fs.readFileSync(path.join(schemas, "cars", "v1.json"), "utf8"));
    const mpgMax = v1.features.find((f: { name: string }) => f.name === "Miles_per_Gallon").domain.max;
    // Act
    const [late] = jsonLines(
      await cli("ingest", writeLines(dir, "cars-late.json", LATE), "--dataset", "cars", "--json"),
    );
    const { html, statistics } = await reportOf(late!.runId);
    // Assess: 154 of 217 rows quarantined, yet the statistics are over all 217, the values above
    // v1's range (which quarantined them) included.
    expect([late!.status, late!.rowsWritten, late!.rowsQuarantined]).toEqual(["ok", 63, 154]);
    expect([statistics.rowsRead, statistics.rowsValid, statistics.rowsQuarantined]).toEqual([217, 63, 154]);
    const mpg = statistics.features.find((f) => f.name === "Miles_per_Gallon")!;
    expect(mpg.numeric!.max).toBe(Math.max(...LATE_MPG));
    expect(mpg.numeric!.max).toBeGreaterThan(mpgMax);
    expect(mpg.numeric!.histogram.reduce((n, b) => n + b.count, 0)).toBe(LATE_MPG.length);
    expect(html).toContain("statistics over all 217 rows read, the 154 quarantined included");
    expect(html).toContain("FLOAT_TYPE_BIG_FLOAT");
    expect(html).not.toContain("Rejected whole");
  });

  it("gives a warehouse file's lineage the batch's data-quality metrics only when they are the file's", async () => {
    // Prepare
    const early = writeLines(dir, "cars-early.json", EARLY);
    await releaseDraft(early, schemas);
    // Act: the early half lands whole; the late half has 154 rows quarantined.
    const [clean] = jsonLines(await cli("ingest", early, "--dataset", "cars", "--json"));
    const [mixed] = jsonLines(
      await cli("ingest", writeLines(dir, "cars-late.json", LATE), "--dataset", "cars", "--json"),
    );
    const events = (await runCli("lineage", "--events", "--lake", lake)).stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            eventType: string;
            run: { runId: string };
            outputs: { name: string; facets: Record<string, unknown> }[];
          },
      );
    const warehouseFacets = (runId: string) =>
      events
        .find((e) => e.eventType === "COMPLETE" && e.run.runId === runId)!
        .outputs.find((o) => o.name.endsWith(".parquet") && o.name.startsWith("cars/"))!.facets;
    // Assess
    expect([clean!.rowsQuarantined, mixed!.rowsQuarantined]).toEqual([0, 154]);
    expect(warehouseFacets(clean!.runId).dataQualityMetrics).toMatchObject({ rowCount: EARLY.length });
    expect(warehouseFacets(mixed!.runId).dataQualityMetrics).toBeUndefined();
  });
});

describe("a blob rejected whole has a report too", () => {
  it("gives the reason and what was measured, and is no drift baseline", async () => {
    // Prepare: a strict policy rejects the later half whole; an empty file is rejected unread.
    await releaseDraft(writeLines(dir, "cars-early.json", EARLY), schemas, { maxBadRowFraction: 0.05 });
    const empty = path.join(dir, "empty.json");
    fs.writeFileSync(empty, "");
    // Act
    const ingested = await cli(
      "ingest",
      writeLines(dir, "cars-late.json", LATE),
      empty,
      "--dataset",
      "cars",
      "--json",
    );
    const [late, nothing] = jsonLines(ingested);
    const rejected = await reportOf(late!.runId);
    const unread = await reportOf(nothing!.runId);
    // Assess
    expect(ingested.code).toBe(2);
    expect([late!.status, nothing!.status]).toEqual(["rejected", "rejected"]);
    expect(late!.outputs.report).toContain(late!.runId);
    expect(rejected.html).toContain("Rejected whole");
    expect(rejected.html).toContain(
      "154 of 217 rows (71.0%) failed validation, above the policy limit of 5.0%; the blob is rejected whole",
    );
    expect(rejected.html).toMatch(/<b>0<\/b>rows written/);
    expect(rejected.html).toMatch(/<b>217<\/b>rows quarantined \(100%\)/);
    expect(rejected.statistics.rowsRead).toBe(217);
    expect(rejected.statistics.features.find((f) => f.name === "Miles_per_Gallon")!.numeric!.max).toBe(
      Math.max(...LATE_MPG),
    );
    expect(unread.html).toContain("empty blob");
    expect(unread.statistics.rowsRead).toBe(0);
    // The next accepted batch is compared with accepted batches only.
    expect(fs.existsSync(path.join(lake, "warehouse", "_stats"))).toBe(false);
  });
});
