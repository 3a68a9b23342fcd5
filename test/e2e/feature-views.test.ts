/** Feature view files: the format, and `lakeline schema check` holding each view to its dataset's schema. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { durationSeconds, parseFeatureRefs, parseView } from "../../src/core/features/view.js";
import { runCli } from "../support/cli.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function schemasWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "lakeline-views-"));
  dirs.push(dir);
  cpSync("schemas", dir, { recursive: true });
  for (const [rel, body] of Object.entries(files))
    writeFileSync(path.join(dir, rel), typeof body === "string" ? body : JSON.stringify(body));
  return dir;
}

const view = (over: Record<string, unknown> = {}) => ({
  view: "stock_extra",
  version: 1,
  dataset: "stocks",
  entities: ["symbol"],
  eventTime: "price_date",
  ttl: "30d",
  features: [{ name: "price", description: "closing price", owner: "markets-data" }],
  ...over,
});

describe("feature view format", () => {
  it("parses durations, defaults and feature references", () => {
    // Act
    const v = parseView(
      JSON.stringify(view({ features: [{ name: "close", column: "price", description: "d", owner: "o" }] })),
      "x",
    );
    // Assess
    expect(v.ttlSeconds).toBe(30 * 86_400);
    expect(v.environment).toBe("TRAINING");
    expect(v.features[0]).toMatchObject({ name: "close", column: "price" });
    expect(durationSeconds("36h")).toBe(129_600);
    expect(parseFeatureRefs("a:x,y, b:z")).toEqual([
      { view: "a", feature: "x" },
      { view: "a", feature: "y" },
      { view: "b", feature: "z" },
    ]);
    expect(() => parseFeatureRefs("x")).toThrow("names no view");
  });

  it("rejects a malformed view with the path of each problem", () => {
    expect(() => parseView(JSON.stringify(view({ ttl: "2 weeks", features: [] })), "f.json")).toThrow(
      /f\.json.*\$\.ttl: ttl is a whole number.*\$\.features/,
    );
  });
});

describe("lakeline schema check on feature views", () => {
  it("counts the repository's views and passes", async () => {
    const r = await runCli("schema", "check", "--schemas", "schemas", "--json");
    const byDataset = Object.fromEntries(
      JSON.parse(r.stdout).datasets.map((d: { dataset: string; views?: number }) => [
        d.dataset,
        d.views ?? 0,
      ]),
    );
    expect(r.code).toBe(0);
    expect(byDataset).toMatchObject({ stocks: 1, weather: 1, flights: 1, penguins: 0 });
  });

  it("reports every column a view names that its dataset lacks or types wrongly, and misnamed or duplicate views", async () => {
    // Prepare
    const dir = schemasWith({
      "stocks/views/stock_extra.v1.json": view({
        entities: ["ticker"],
        eventTime: "price",
        features: [{ name: "volume", description: "d", owner: "o" }],
      }),
      "stocks/views/stock_later.v2.json": view({ view: "stock_later", version: 2 }),
      "weather/views/stock_prices.v1.json": view({ view: "stock_prices", dataset: "weather" }),
    });
    // Act
    const r = await runCli("schema", "check", "--schemas", dir);
    // Assess
    expect(r.code).toBe(1);
    for (const problem of [
      "stocks/views/stock_extra.v1.json: view stock_extra v1: entity column ticker is not a column of stocks",
      "stocks/views/stock_extra.v1.json: view stock_extra v1: event-time column price is FLOAT, not a TIMESTAMP",
      "stocks/views/stock_extra.v1.json: view stock_extra v1: feature volume reads column volume, which stocks does not have",
      "views/stock_later: versions must run 1…N; found v2",
      "views/stock_prices: a view of that name is declared under stocks/ too; view names are unique",
      "weather/views/stock_prices.v1.json: view stock_prices v1: entity column symbol is not a column of weather",
    ])
      expect(r.stdout).toContain(problem);
  });
});
