import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inferSchemaFromFile } from "../../../src/adapters/duckdb/infer-file.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { inferSchema } from "../../../src/core/schema/infer.js";
import type { Feature } from "../../../src/core/schema/types.js";
import { runCli } from "../../support/cli.js";
import { tempDir } from "../../support/temp.js";

const DATA = "node_modules/vega-datasets/data";
const byName = (features: readonly Feature[], name: string) => features.find((f) => f.name === name)!;

const cli = runCli;

afterEach(() => vi.restoreAllMocks());

describe("inferSchemaFromFile", () => {
  it("infers penguins: categorical Species/Island/Sex, FLOAT beaks, INT flippers, observed presence and ranges", async () => {
    const { schema, statistics } = await inferSchemaFromFile(`${DATA}/penguins.json`, {
      dataset: "penguins",
      version: 2,
    });
    expect(statistics.rowsRead).toBe(344);
    expect(schema.features.map((f) => f.column)).toEqual([
      "species",
      "island",
      "beak_length_mm",
      "beak_depth_mm",
      "flipper_length_mm",
      "body_mass_g",
      "sex",
    ]);
    expect(byName(schema.features, "Species")).toMatchObject({
      type: "STRING",
      presence: { minFraction: 1 },
      domain: { values: ["Adelie", "Chinstrap", "Gentoo"] },
    });
    expect(byName(schema.features, "Island").domain).toEqual({ values: ["Biscoe", "Dream", "Torgersen"] });
    // 342 of 344 rows carry beak length: 0.9942 floored to 0.99. Range as observed.
    expect(byName(schema.features, "Beak Length (mm)")).toMatchObject({
      type: "FLOAT",
      presence: { minFraction: 0.99 },
      domain: { min: 32.1, max: 59.6 },
    });
    expect(byName(schema.features, "Flipper Length (mm)")).toMatchObject({
      type: "INT",
      domain: { min: 172, max: 231 },
    });
    // Sex: 334 of 344 present (0.9709 → 0.97), and the observed "." is part of the domain.
    expect(byName(schema.features, "Sex")).toMatchObject({
      presence: { minFraction: 0.97 },
      domain: { values: [".", "FEMALE", "MALE"] },
    });
  });

  it("infers seattle-weather.csv: DATE as TIMESTAMP with its format, weather categorical, temperatures FLOAT", async () => {
    const { schema, statistics } = await inferSchemaFromFile(`${DATA}/seattle-weather.csv`, {
      dataset: "seattle",
      version: 1,
    });
    expect(statistics.rowsRead).toBe(1461);
    expect(byName(schema.features, "date")).toEqual({
      name: "date",
      column: "date",
      type: "TIMESTAMP",
      presence: { minFraction: 1 },
      domain: { format: "%Y-%m-%d" },
    });
    expect(byName(schema.features, "weather").domain).toEqual({
      values: ["drizzle", "fog", "rain", "snow", "sun"],
    });
    expect(byName(schema.features, "temp_max")).toMatchObject({
      type: "FLOAT",
      domain: { min: -1.6, max: 35.6 },
    });
    expect(byName(schema.features, "precipitation").domain).toEqual({ min: 0, max: 55.9 });
  });

  it("reads gzip-compressed JSON lines the same as plain JSON", async () => {
    const rows = JSON.parse(readFileSync(`${DATA}/penguins.json`, "utf8")) as object[];
    const dir = await tempDir("infer");
    const file = path.join(dir, "penguins.jsonl.gz");
    writeFileSync(file, gzipSync(rows.map((r) => JSON.stringify(r)).join("\n")));
    const plain = await inferSchemaFromFile(`${DATA}/penguins.json`, { dataset: "p", version: 1 });
    const gz = await inferSchemaFromFile(file, { dataset: "p", version: 1 });
    expect(gz.schema.features).toEqual(plain.schema.features);
  });
});

describe("inferSchema (pure)", () => {
  it("does not call an id-like or high-cardinality string categorical, and de-duplicates columns", () => {
    const s = (name: string, present: number, distinct: number) => ({
      name,
      column: name,
      type: "STRING",
      present,
      missing: 0,
      distinctApprox: distinct,
      string: {
        topValues: Array.from({ length: Math.min(distinct, 50) }, (_, i) => ({ value: `v${i}`, count: 1 })),
        avgLength: 2,
      },
    });
    const schema = inferSchema(
      {
        dataset: "d",
        schemaVersion: 0,
        environment: "TRAINING",
        rowsRead: 4,
        rowsValid: 4,
        rowsQuarantined: 0,
        sourceFields: [],
        features: [s("Code A", 4, 3), s("code_a", 100, 21), s("ok", 100, 20)],
      },
      { dataset: "d", version: 1 },
    );
    // 3 distinct of 4 present: ratio .75 > .5 → not categorical; 21 distinct > 20 → not categorical.
    expect(schema.features.map((f) => [f.column, f.domain === undefined])).toEqual([
      ["code_a", true],
      ["code_a_2", true],
      ["ok", false],
    ]);
  });
});

describe("lakeline schema infer", () => {
  it("writes the next version as a new file, never overwriting, and the draft parses", async () => {
    // Prepare: a schemas dir that already holds penguins v1.
    const dir = await tempDir("schemas");
    mkdirSync(path.join(dir, "penguins"));
    writeFileSync(path.join(dir, "penguins", "v1.json"), readFileSync("schemas/penguins/v1.json"));
    // Act
    const first = await cli(
      "schema",
      "infer",
      `${DATA}/penguins.json`,
      "--dataset",
      "penguins",
      "--schemas",
      dir,
    );
    // Assess
    const file = path.join(dir, "penguins", "v2.json");
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(file);
    const draft = parseSchema(readFileSync(file, "utf8"), file);
    expect(draft).toMatchObject({ dataset: "penguins", version: 2 });
    // The observed ranges are narrower than v1's: reported, not hidden.
    expect(first.stderr).toContain('"Body Mass (g)" domain narrowed: min 2000 → 2700');
    const second = await cli(
      "schema",
      "infer",
      `${DATA}/penguins.json`,
      "--dataset",
      "penguins",
      "--schemas",
      dir,
    );
    expect(second.stdout.trim()).toBe(path.join(dir, "penguins", "v3.json"));
    expect(readFileSync(file, "utf8")).toBe(
      readFileSync(path.join(dir, "penguins", "v3.json"), "utf8").replace('"version": 3', '"version": 2'),
    );
  });

  it("--stdout prints the draft and writes nothing; --json describes it", async () => {
    const dir = await tempDir("schemas");
    const printed = await cli(
      "schema",
      "infer",
      `${DATA}/seattle-weather.csv`,
      "--dataset",
      "seattle",
      "--schemas",
      dir,
      "--stdout",
    );
    expect(printed.code).toBe(0);
    expect(parseSchema(printed.stdout, "stdout")).toMatchObject({ dataset: "seattle", version: 1 });
    expect(existsSync(path.join(dir, "seattle"))).toBe(false);
    const json = await cli(
      "schema",
      "infer",
      `${DATA}/seattle-weather.csv`,
      "--dataset",
      "seattle",
      "--schemas",
      dir,
      "--stdout",
      "--json",
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      file: null,
      dataset: "seattle",
      version: 1,
      rows: 1461,
      compatibility: [],
    });
  });

  it("rejects an unknown file type and a bad dataset name with usage errors", async () => {
    expect((await cli("schema", "infer", "README.md", "--dataset", "x", "--stdout")).code).toBe(64);
    expect(
      (await cli("schema", "infer", `${DATA}/penguins.json`, "--dataset", "Bad-Name", "--stdout")).code,
    ).toBe(64);
  });
});
