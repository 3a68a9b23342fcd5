/**
 * Re-processing and content claims by outcome, as a data team meets them: vega-datasets' cars,
 * a draft inferred from its 1970–75 rows, both halves ingested under it (many later rows
 * quarantined), a fixed v2, then `lakeline reprocess` — through the CLI, across several runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/contract/records.js";
import { latestRunIdsSql } from "../../src/core/warehouse/latest.js";
import { type CliRun, runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { CARS, EARLY, jsonLines, LATE, releaseDraft, releaseFix, writeLines } from "./cars-support.js";

describe("re-processing cars under a fixed schema", () => {
  let dir: string;
  let lake: string;
  let schemas: string;
  let late: IngestResult;
  let before: { n: number; runs: number }[];
  let again: CliRun;
  let reprocessed: CliRun;
  const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);
  const query = async (sql: string) => {
    const r = await cli("query", sql, "--format", "json");
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as Record<string, number>[];
  };

  beforeAll(async () => {
    // Prepare: a draft from the early rows, both halves ingested under it, the late half twice.
    dir = await tempDir("reprocess");
    lake = path.join(dir, "lake");
    schemas = path.join(dir, "schemas");
    const early = writeLines(dir, "cars-early.json", EARLY);
    const lateFile = writeLines(dir, "cars-late.json", LATE);
    await releaseDraft(early, schemas);
    await cli("ingest", early, "--dataset", "cars", "--json");
    late = jsonLines(await cli("ingest", lateFile, "--dataset", "cars", "--json"))[0]!;
    again = await cli("ingest", lateFile, "--dataset", "cars");
    before = (await query("SELECT count(*) AS n, count(DISTINCT _run_id) AS runs FROM cars")) as never;
    releaseFix(schemas);
    // Act
    reprocessed = await cli("reprocess", "cars", "--key", "cars/training/cars-late.json", "--json");
  });

  it("quarantines many later rows under the draft", () => {
    expect([late.status, late.rowsRead, late.rowsWritten, late.rowsQuarantined]).toEqual([
      "ok",
      217,
      63,
      154,
    ]);
    expect(before).toEqual([{ n: EARLY.length + 63, runs: 2 }]);
  });

  it("says a second ingest of the same file is the committed run, not a new result, and exits 0", () => {
    // The first ingest quarantined 154 rows (exit 1); this one wrote nothing, so it reports nothing.
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("committed then: ok, read 217, written 63, quarantined 154");
    expect(again.stdout).toMatch(
      /\[already committed\] run [0-9a-f-]{36} at \d{4}-\d\d-\d\dT[0-9:.]+Z; nothing written/,
    );
    expect(again.stdout).not.toContain("[ok]");
  });

  it("lands every later row once, as a new run with keys of its own", async () => {
    const [result] = jsonLines(reprocessed);
    expect(reprocessed.code).toBe(0);
    expect(result).toMatchObject({ status: "ok", schemaVersion: 2, rowsRead: 217, rowsWritten: 217 });
    expect(result!.runId).not.toBe(late.runId);
    expect(result!.outputs.warehouse).toContain(result!.runId);
    expect(result!.outputs.warehouse).not.toBe(late.outputs.warehouse);
    const rows = await query(
      "SELECT count(*) AS n, count(DISTINCT (_source_md5, _source_row)) AS distinct_rows, count(DISTINCT _run_id) AS runs FROM cars",
    );
    expect(rows).toEqual([{ n: CARS.length, distinct_rows: CARS.length, runs: 2 }]);
    expect(await query("SELECT count(*) AS n FROM cars_quarantine")).toEqual([{ n: 0 }]);
  });

  it("reads the earlier processing as of a time before the re-processing", async () => {
    const [result] = jsonLines(reprocessed);
    const asOf = new Date(Date.parse(result!.ingestedAt) - 1).toISOString();
    const r = await cli(
      "query",
      "SELECT count(*) AS n, max(_schema_version) AS v FROM cars",
      "--as-of",
      asOf,
    );
    const q = await cli(
      "query",
      "SELECT count(*) AS n FROM cars_quarantine",
      "--as-of",
      asOf,
      "--format",
      "json",
    );
    expect(r.stdout).toMatch(new RegExp(`\\b${EARLY.length + 63}\\s+1\\b`));
    expect(JSON.parse(q.stdout)).toEqual([{ n: 154 }]);
  });

  it("chooses the same runs in SQL (the form for Athena's views) as the views do from the markers", async () => {
    const runs = `(SELECT * FROM lakeline_runs WHERE dataset = 'cars')`;
    const bySql = await query(
      `SELECT count(*) AS n FROM cars_history WHERE _run_id IN (${latestRunIdsSql(runs)})`,
    );
    expect(bySql).toEqual([{ n: CARS.length }]);
  });

  it("keeps the earlier processing queryable in the history views", async () => {
    const history = await query(
      "SELECT _schema_version AS v, count(*) AS n FROM cars_history GROUP BY 1 ORDER BY 1",
    );
    expect(history).toEqual([
      { v: 1, n: EARLY.length + 63 },
      { v: 2, n: 217 },
    ]);
    expect(await query("SELECT count(*) AS n FROM cars_quarantine_history")).toEqual([{ n: 154 }]);
  });

  it("exports each source blob once, from its latest processing", async () => {
    const r = await cli("export", "cars", "--json");
    const result = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    expect([result.totalRows, result.sources]).toEqual([CARS.length, 2]);
  });

  it("treats the same re-processing delivered again as the committed run", async () => {
    const markers = await query("SELECT count(*) AS n FROM lakeline_runs");
    const second = await cli("reprocess", "cars", "--key", "raw/cars/training/cars-late.json");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("[already committed] run ");
    expect(second.stdout).toContain("1 blob(s): 0 re-processed (0 ok, 0 rejected), 1 already committed");
    expect(await query("SELECT count(*) AS n FROM lakeline_runs")).toEqual(markers);
    expect(await query("SELECT count(*) AS n FROM cars")).toEqual([{ n: CARS.length }]);
  });

  it("refuses a request that names no blob or two kinds of them", async () => {
    expect((await cli("reprocess", "cars")).code).toBe(64);
    expect((await cli("reprocess", "cars", "--all", "--run", "x")).code).toBe(64);
    expect((await cli("reprocess", "cars", "--key", "cars/training/nope.json")).code).toBe(64);
  });
});

describe("content claimed by outcome", () => {
  it("lands a blob rejected whole once the schema is fixed, by re-processing its run", async () => {
    // Prepare: a strict policy rejects the later half whole under the draft.
    const dir = await tempDir("reprocess");
    const lake = path.join(dir, "lake");
    const schemas = path.join(dir, "schemas");
    const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);
    const early = writeLines(dir, "cars-early.json", EARLY);
    const lateFile = writeLines(dir, "cars-late.json", LATE);
    await releaseDraft(early, schemas, { maxBadRowFraction: 0.05 });
    const rejected = await cli("ingest", lateFile, "--dataset", "cars", "--json");
    releaseFix(schemas);
    // Act
    const fixed = await cli("reprocess", "cars", "--run", jsonLines(rejected)[0]!.runId, "--json");
    const upload = await cli("ingest", lateFile, "--dataset", "cars");
    // Assess
    expect([rejected.code, jsonLines(rejected)[0]!.status]).toEqual([2, "rejected"]);
    expect(jsonLines(fixed)[0]).toMatchObject({ status: "ok", rowsWritten: 217, schemaVersion: 2 });
    expect(upload.stdout).toContain("[duplicate of raw/cars/training/cars-late.json]");
    const count = await cli("query", "SELECT count(*) AS n FROM cars", "--format", "json");
    expect(JSON.parse(count.stdout)).toEqual([{ n: 217 }]);
  });

  it("lands the same bytes uploaded again after a rejection, and a plain file renamed from .gz", async () => {
    // Prepare
    const dir = await tempDir("reprocess");
    const lake = path.join(dir, "lake");
    const schemas = path.join(dir, "schemas");
    const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);
    const early = writeLines(dir, "cars-early.json", EARLY);
    await releaseDraft(early, schemas, { maxBadRowFraction: 0.05 });
    const lateFile = writeLines(dir, "cars-late.json", LATE);
    const misnamed = path.join(dir, "cars-early-copy.json.gz");
    fs.copyFileSync(early, misnamed);
    const first = await cli("ingest", lateFile, misnamed, "--dataset", "cars", "--json");
    releaseFix(schemas, { maxBadRowFraction: 0.05 });
    const renamed = path.join(dir, "cars-early-copy.json");
    fs.renameSync(misnamed, renamed);
    // Act
    const second = await cli("ingest", lateFile, renamed, "--dataset", "cars", "--json");
    // Assess
    expect(jsonLines(first).map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(jsonLines(second).map((r) => [r.status, r.rowsWritten])).toEqual([
      ["ok", 217],
      ["ok", EARLY.length],
    ]);
    const count = await cli("query", "SELECT count(*) AS n FROM cars", "--format", "json");
    expect(JSON.parse(count.stdout)).toEqual([{ n: CARS.length }]);
  });
});
