/**
 * Batch statistics checked against a plain re-computation from the raw file: every figure the report
 * and drift detection use (presence, min/max, mean, stddev, sums, zeros, equal-width histograms, top
 * values, distinct counts, average lengths) on real vega-datasets data — penguins (INT, FLOAT and
 * STRING, with missing values and one bad row) and Seattle/New York weather (TIMESTAMP, FLOAT).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { duckdbIngestEngine } from "../../../src/adapters/duckdb/batch.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import type { FeatureStatistics } from "../../../src/core/stats/types.js";
import { validateFile } from "../../../src/pipeline/ingest/validate.js";
import { VEGA } from "../../support/cli.js";
import { tempDir } from "../../support/temp.js";

const registry = new SchemaRegistry(path.resolve("schemas"));

type Value = number | string | null | undefined;

interface StringReference {
  present: number;
  distinct: number;
  topValues: { value: string; count: number }[];
  avgLength: number;
}

/** What lakeline should report for one categorical feature, computed row by row in JavaScript. */
function stringReference(values: Value[]): StringReference {
  const present = values.filter((v) => v !== null && v !== undefined).map(String);
  const counts = new Map<string, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    present: present.length,
    distinct: counts.size,
    topValues: top.map(([value, count]) => ({ value, count })),
    avgLength: present.join("").length / present.length,
  };
}

/** What lakeline should report for one numeric feature, computed row by row in JavaScript. */
function reference(values: Value[], kind: "INT" | "FLOAT" | "TIMESTAMP") {
  const xs = values.filter((v) => v !== null && v !== undefined).map(Number);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const sum = xs.reduce((s, x) => s + x, 0);
  const mean = sum / xs.length;
  const stddev = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  const width = (max - min) / 10;
  const histogram = Array.from({ length: 10 }, () => 0);
  for (const x of xs) {
    // INT and TIMESTAMP buckets are exact: floor(10 (x − min) / (max − min)); FLOAT uses the width.
    const b = kind === "FLOAT" ? Math.floor((x - min) / width) : Math.floor((10 * (x - min)) / (max - min));
    histogram[Math.min(b, 9)]! += 1;
  }
  return {
    present: xs.length,
    min,
    max,
    mean,
    stddev,
    sum,
    sumSquares: xs.reduce((s, x) => s + x * x, 0),
    zeros: xs.filter((x) => x === 0).length,
    histogram,
  };
}

function expectFeature(f: FeatureStatistics, ref: ReturnType<typeof reference> | StringReference) {
  expect(f.present, f.name).toBe(ref.present);
  if ("topValues" in ref) {
    expect(f.distinctApprox, f.name).toBe(ref.distinct);
    expect(f.string!.topValues, f.name).toEqual(ref.topValues.slice(0, 50));
    expect(f.string!.avgLength, f.name).toBeCloseTo(ref.avgLength, 9);
    return;
  }
  const n = f.numeric!;
  expect({ min: n.min, max: n.max, zeros: n.zeros }, f.name).toEqual({
    min: ref.min,
    max: ref.max,
    zeros: ref.zeros,
  });
  expect(n.mean, f.name).toBeCloseTo(ref.mean, 6);
  expect(n.stddev, f.name).toBeCloseTo(ref.stddev, 6);
  expect(n.sum / ref.sum, f.name).toBeCloseTo(1, 12);
  expect(n.sumSquares / ref.sumSquares, f.name).toBeCloseTo(1, 12);
  expect(
    n.histogram.map((b) => b.count),
    f.name,
  ).toEqual(ref.histogram);
  expect(n.histogram[0]!.low).toBe(ref.min);
  expect(n.histogram[9]!.high).toBe(ref.max);
  expect(n.quantiles[0]).toBe(ref.min);
  expect(n.quantiles[10]).toBe(ref.max);
  for (let q = 1; q < n.quantiles.length; q++)
    expect(n.quantiles[q]!).toBeGreaterThanOrEqual(n.quantiles[q - 1]!);
}

const validateTraining = (file: string, dataset: string, schemas = registry) =>
  validateFile({ engine: duckdbIngestEngine, file, dataset, environment: "TRAINING", schemas });

describe("batch statistics equal a row-by-row re-computation", () => {
  it("penguins (JSON): INT, FLOAT and STRING features, with missing values; the quarantined row included", async () => {
    const file = path.join(VEGA, "penguins.json");
    const report = await validateTraining(file, "penguins");
    const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Value>[];
    const valid = raw.filter((r) => r.Sex !== ".");
    expect({ read: report.rowsRead, valid: report.rowsValid }).toEqual({
      read: raw.length,
      valid: valid.length,
    });
    const features = report.statistics!.features;
    expect(features.map((f) => f.name)).toEqual([
      "Species",
      "Island",
      "Beak Length (mm)",
      "Beak Depth (mm)",
      "Flipper Length (mm)",
      "Body Mass (g)",
      "Sex",
    ]);
    for (const f of features) {
      // Statistics describe every row read: the quarantined row's Sex "." shows among the values.
      const values = raw.map((r) => r[f.name]);
      const ref =
        f.type === "STRING" ? stringReference(values) : reference(values, f.type as "INT" | "FLOAT");
      // Presence counts every row read, valid or not.
      expectFeature(f, {
        ...ref,
        present: raw.filter((r) => r[f.name] !== null && r[f.name] !== undefined).length,
      });
    }
  });

  it("weather (CSV): a TIMESTAMP feature as epoch seconds, FLOAT features with zeros", async () => {
    const file = path.join(VEGA, "weather.csv");
    const report = await validateTraining(file, "weather");
    const [header, ...lines] = fs.readFileSync(file, "utf8").trim().split("\n");
    const names = header!.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i]!, v])));
    expect(report.rowsValid).toBe(rows.length);
    const byName = new Map(report.statistics!.features.map((f) => [f.name, f]));
    expectFeature(
      byName.get("date")!,
      reference(
        rows.map((r) => Date.parse(`${r.date}T00:00:00Z`) / 1000),
        "TIMESTAMP",
      ),
    );
    for (const name of ["precipitation", "temp_max", "temp_min", "wind"]) {
      expectFeature(
        byName.get(name)!,
        reference(
          rows.map((r) => Number(r[name])),
          "FLOAT",
        ),
      );
    }
    expect(byName.get("precipitation")!.numeric!.zeros).toBeGreaterThan(0);
    for (const name of ["location", "weather"]) {
      expectFeature(byName.get(name)!, stringReference(rows.map((r) => r[name])));
    }
  });

  it("keeps a batch with an absurd value: statistics are computed, the unstable spread is left unknown", async () => {
    const dir = await tempDir("statistics-reference");
    const file = path.join(dir, "wide.csv");
    const header = "location,date,precipitation,temp_max,temp_min,wind,weather";
    fs.writeFileSync(
      file,
      `${header}\nSeattle,2012-01-01,1e200,12.8,5.0,4.7,drizzle\nSeattle,2012-01-02,10.9,10.6,2.8,4.5,rain\n`,
    );
    const schemas = path.join(dir, "schemas");
    fs.mkdirSync(path.join(schemas, "weather"), { recursive: true });
    const schema = JSON.parse(fs.readFileSync("schemas/weather/v1.json", "utf8"));
    schema.features.find((f: { name: string }) => f.name === "precipitation").domain = {};
    fs.writeFileSync(path.join(schemas, "weather", "v1.json"), JSON.stringify(schema));
    const report = await validateTraining(file, "weather", new SchemaRegistry(schemas));
    expect(report.rowsValid).toBe(2);
    const p = report.statistics!.features.find((f) => f.name === "precipitation")!.numeric!;
    expect({ min: p.min, max: p.max, stddev: p.stddev }).toEqual({ min: 10.9, max: 1e200, stddev: 0 });
    expect(p.histogram.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
