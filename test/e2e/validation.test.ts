/**
 * Validation on real, messy data through the CLI: movies.json (nulls, mixed types) and penguins with a
 * SERVING file made by dropping the label, under the policies in schemas/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

describe("validate and ingest real data", () => {
  it("validates movies.json: counts add up, the untitled movie is named, exit 1 for ERROR anomalies", async () => {
    const r = await runCli("validate", path.join(VEGA, "movies.json"), "--dataset", "movies", "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.rowsRead).toBe(3201);
    expect(report.rowsValid + report.rowsQuarantined).toBe(report.rowsRead);
    expect(
      report.anomalies.find((a: { type: string }) => a.type === "FEATURE_TYPE_NOT_PRESENT"),
    ).toMatchObject({ feature: "Title", rows: 1 });
    expect(report.sample[0].reasons).toEqual(["FEATURE_TYPE_NOT_PRESENT Title: required value is missing"]);
  });

  it("ingests movies.json and every row is in the warehouse or in quarantine", async () => {
    const lake = path.join(await tempDir("validation"), "lake");
    const r = await runCli(
      "ingest",
      path.join(VEGA, "movies.json"),
      "--dataset",
      "movies",
      "--lake",
      lake,
      "--json",
    );
    const result = JSON.parse(r.stdout);
    const q = await runCli(
      "query",
      "SELECT (SELECT count(*) FROM movies) AS written, (SELECT count(*) FROM movies_quarantine) AS quarantined",
      "--lake",
      lake,
      "--format",
      "json",
    );
    expect(JSON.parse(q.stdout)).toEqual([
      { written: result.rowsWritten, quarantined: result.rowsQuarantined },
    ]);
    expect(result.rowsWritten + result.rowsQuarantined).toBe(3201);
  });

  it("accepts a penguins SERVING file without the label, and flags the same file as TRAINING", async () => {
    const dir = await tempDir("validation");
    const penguins = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    const serving = path.join(dir, "serving.jsonl");
    fs.writeFileSync(
      serving,
      penguins.map(({ Species: _label, ...rest }) => JSON.stringify(rest)).join("\n"),
    );
    const asServing = JSON.parse(
      (await runCli("validate", serving, "--dataset", "penguins", "--env", "serving", "--json")).stdout,
    );
    expect(asServing.anomalies.filter((a: { feature?: string }) => a.feature === "Species")).toEqual([]);
    expect(asServing.rowsRead).toBe(344);
    const asTraining = await runCli(
      "validate",
      serving,
      "--dataset",
      "penguins",
      "--env",
      "training",
      "--json",
    );
    // Every row misses the required label: the whole file would be rejected (exit status 2).
    expect(asTraining.code).toBe(2);
    const missing = JSON.parse(asTraining.stdout).anomalies.find(
      (a: { type: string }) => a.type === "SCHEMA_MISSING_COLUMN",
    );
    expect(missing).toMatchObject({ feature: "Species", severity: "ERROR" });

    const lake = path.join(dir, "lake");
    const ingested = JSON.parse(
      (await runCli("ingest", serving, "--dataset", "penguins", "--env", "serving", "--lake", lake, "--json"))
        .stdout,
    );
    expect(ingested).toMatchObject({
      status: "ok",
      environment: "SERVING",
      rawKey: "penguins/serving/serving.jsonl",
    });
    const rows = JSON.parse(
      (
        await runCli(
          "query",
          "SELECT count(*) AS n, count(species) AS labelled FROM penguins",
          "--lake",
          lake,
          "--format",
          "json",
        )
      ).stdout,
    );
    expect(rows).toEqual([{ n: ingested.rowsWritten, labelled: 0 }]);
  });

  it("rejects a blob whole when bad rows pass the policy threshold, writing nothing", async () => {
    const dir = await tempDir("validation");
    const bad = path.join(dir, "bad.jsonl");
    fs.writeFileSync(
      bad,
      Array.from({ length: 10 }, (_, i) =>
        JSON.stringify({ Species: i < 5 ? "Dodo" : "Adelie", Island: "Dream" }),
      ).join("\n"),
    );
    const lake = path.join(dir, "lake");
    const r = await runCli("ingest", bad, "--dataset", "penguins", "--lake", lake, "--json");
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: "rejected", rowsRead: 10, rowsWritten: 0, rowsQuarantined: 10 });
    expect(result.reason).toMatch(
      /5 of 10 rows \(50\.0%\) failed validation, above the policy limit of 20\.0%/,
    );
    const reason = JSON.parse(
      fs.readFileSync(path.join(lake, "quarantine", result.outputs.rejected, "reason.json"), "utf8"),
    );
    expect(reason.reason).toBe(result.reason);
    expect(fs.readFileSync(path.join(lake, "quarantine", result.outputs.rejected, "bad.jsonl"))).toEqual(
      fs.readFileSync(bad),
    );
    const q = await runCli("query", "SELECT count(*) AS n FROM penguins", "--lake", lake, "--format", "json");
    expect(JSON.parse(q.stdout)).toEqual([{ n: 0 }]);
  });
});
