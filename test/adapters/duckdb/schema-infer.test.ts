import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  it("infers penguins like tfdv.infer_schema: categorical strings, JSON numbers FLOAT, no ranges, presence required only where always present", async () => {
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
    // 342 of 344 rows carry beak length: optional (min_count 1), and no range copied from the sample.
    expect(byName(schema.features, "Beak Length (mm)")).toEqual({
      name: "Beak Length (mm)",
      column: "beak_length_mm",
      type: "FLOAT",
      presence: { minCount: 1 },
    });
    // Whole numbers in JSON are still JSON numbers: FLOAT unless --json-integers.
    expect(byName(schema.features, "Flipper Length (mm)").type).toBe("FLOAT");
    expect(byName(schema.features, "Sex")).toMatchObject({
      presence: { minCount: 1 },
      domain: { values: [".", "FEMALE", "MALE"] },
    });
    const opted = await inferSchemaFromFile(`${DATA}/penguins.json`, {
      dataset: "penguins",
      version: 2,
      numericRanges: true,
      jsonIntegers: true,
    });
    expect(byName(opted.schema.features, "Flipper Length (mm)")).toMatchObject({
      type: "INT",
      domain: { min: 172, max: 231 },
    });
  });

  it("infers seattle-weather.csv: DATE as TIMESTAMP with its format, weather categorical, the dialect recorded", async () => {
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
    expect(byName(schema.features, "temp_max")).toEqual({
      name: "temp_max",
      column: "temp_max",
      type: "FLOAT",
      presence: { minFraction: 1 },
    });
    expect(schema.csv).toEqual({ delimiter: ",", quote: '"', header: true });
  });

  it("records a ;-separated dialect, reads a JSON array saved as .csv as JSON, and refuses 0 rows and Latin-1", async () => {
    const dir = await tempDir("infer");
    const semi = path.join(dir, "weather.csv");
    writeFileSync(semi, readFileSync(`${DATA}/seattle-weather.csv`, "utf8").replaceAll(",", ";"));
    expect((await inferSchemaFromFile(semi, { dataset: "w", version: 1 })).schema.csv?.delimiter).toBe(";");
    const array = path.join(dir, "penguins.csv");
    writeFileSync(array, readFileSync(`${DATA}/penguins.json`));
    const fromArray = await inferSchemaFromFile(array, { dataset: "p", version: 1 });
    expect(fromArray.statistics.rowsRead).toBe(344);
    expect(fromArray.schema.csv).toBeUndefined();
    const empty = path.join(dir, "empty.csv");
    writeFileSync(empty, "a,b\n");
    await expect(inferSchemaFromFile(empty, { dataset: "e", version: 1 })).rejects.toThrow(
      /holds no records/,
    );
    const latin1 = path.join(dir, "cities.csv");
    writeFileSync(latin1, Buffer.from("city,n\nZ\xfcrich,1\nS\xe3o Paulo,2\n", "latin1"));
    await expect(inferSchemaFromFile(latin1, { dataset: "c", version: 1 })).rejects.toThrow(
      "iconv -f LATIN1 -t UTF-8 cities.csv > cities.utf8.csv",
    );
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

describe("inferSchemaFromFile, values beyond the sniffer's sample", () => {
  it("types each column as a whole-file sniff does when later values do not fit the sampled type", async () => {
    // Prepare: 30,000 rows (the sniffer samples about 20,000); in the last rows, a decimal in an
    // integer column, a word in another, an empty value in a third; a text column with 3 values in
    // the first 25,000 rows and a new one in every row after.
    const dir = await tempDir("infer-late");
    const file = path.join(dir, "late.csv");
    const n = 30_000;
    const lines = ["id,late_float,late_text,late_missing,day,kind,grows"];
    for (let i = 0; i < n; i++) {
      const last = i >= n - 3;
      lines.push(
        [
          i,
          last ? `${i}.5` : i % 100,
          last && i === n - 1 ? "n/a" : i % 7,
          last ? "" : i % 3,
          `2024-01-${String((i % 28) + 1).padStart(2, "0")}`,
          ["a", "b", "c"][i % 3],
          i < 25_000 ? `g${i % 3}` : `g${i}`,
        ].join(","),
      );
    }
    writeFileSync(file, `${lines.join("\n")}\n`);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const whole = (
      await conn.runAndReadAll(`SELECT Columns FROM sniff_csv('${file}', sample_size = -1)`)
    ).getRowObjectsJson()[0]!.Columns as { name: string; type: string }[];
    conn.closeSync();
    db.closeSync();

    // Act
    const { schema, statistics } = await inferSchemaFromFile(file, { dataset: "late", version: 1 });

    // Assess
    expect(whole.map((c) => c.type)).toEqual([
      "BIGINT",
      "DOUBLE",
      "VARCHAR",
      "BIGINT",
      "DATE",
      "VARCHAR",
      "VARCHAR",
    ]);
    expect(schema.features.map((f) => f.type)).toEqual([
      "INT",
      "FLOAT",
      "STRING",
      "INT",
      "TIMESTAMP",
      "STRING",
      "STRING",
    ]);
    expect(statistics.rowsRead).toBe(n);
    const late = statistics.features.find((f) => f.name === "late_float")!;
    expect(late.numeric).toMatchObject({ min: 0, max: n - 1 + 0.5 });
    expect(statistics.features.find((f) => f.name === "late_missing")).toMatchObject({
      present: n - 3,
      missing: 3,
    });
    // Widened to text: its values counted as text; the columns that kept their type, aggregated as it.
    const text = statistics.features.find((f) => f.name === "late_text")!;
    expect(text.distinctApprox).toBe(8);
    expect(text.string?.topValues.find((v) => v.value === "n/a")?.count).toBe(1);
    expect(statistics.features.find((f) => f.name === "day")?.numeric).toMatchObject({
      min: Date.UTC(2024, 0, 1) / 1000,
      max: Date.UTC(2024, 0, 28) / 1000,
    });
    expect(statistics.features.find((f) => f.name === "id")?.numeric).toMatchObject({ min: 0, max: n - 1 });
    expect(schema.features.find((f) => f.name === "kind")?.domain).toEqual({ values: ["a", "b", "c"] });
    // Few values on the first rows, thousands in the file: not categorical, its values not listed.
    const grows = statistics.features.find((f) => f.name === "grows")!;
    expect(grows.distinctApprox).toBeGreaterThan(4_000);
    expect(grows.string?.topValues).toEqual([]);
    expect(schema.features.find((f) => f.name === "grows")?.domain).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
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
        rowsRead: 4,
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
  it("drafts from the latest release (label and environments kept), releases it once, never overwriting", async () => {
    // Prepare: a schemas dir that already holds penguins v1 (label Species, not in SERVING).
    const dir = await tempDir("schemas");
    mkdirSync(path.join(dir, "penguins"));
    writeFileSync(path.join(dir, "penguins", "v1.json"), readFileSync("schemas/penguins/v1.json"));
    const v1 = parseSchema(readFileSync("schemas/penguins/v1.json", "utf8"), "v1");
    // Act: infer a draft
    const first = await cli(
      "schema",
      "infer",
      `${DATA}/penguins.json`,
      "--dataset",
      "penguins",
      "--schemas",
      dir,
    );
    // Assess: a draft, not live; it keeps v1's decisions and only relaxes
    const draftFile = path.join(dir, "penguins", "drafts", "v2.json");
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(draftFile);
    expect(first.stderr).toContain("not live until `lakeline schema release penguins`");
    expect(existsSync(path.join(dir, "penguins", "v2.json"))).toBe(false);
    const draft = parseSchema(readFileSync(draftFile, "utf8"), draftFile);
    expect(draft).toMatchObject({ dataset: "penguins", version: 2, label: v1.label });
    expect(byName(draft.features, "Species")).toEqual(byName(v1.features, "Species"));
    expect(draft.defaultEnvironments).toEqual(v1.defaultEnvironments);
    // Act: release it, then try again
    const released = await cli("schema", "release", "penguins", "--schemas", dir);
    const again = await cli("schema", "release", "penguins", "v2", "--schemas", dir);
    // Assess
    expect(released.code).toBe(0);
    expect(released.stdout).toContain(`released penguins v2: ${path.join(dir, "penguins", "v2.json")}`);
    expect(existsSync(draftFile)).toBe(false);
    expect(again.code).toBe(64);
    expect(again.stderr).toContain("penguins v2 is already released");
    expect((await cli("schema", "check", "penguins", "--schemas", dir)).code).toBe(0);
    const next = await cli(
      "schema",
      "infer",
      `${DATA}/penguins.json`,
      "--dataset",
      "penguins",
      "--schemas",
      dir,
    );
    expect(next.stdout.trim()).toBe(path.join(dir, "penguins", "drafts", "v3.json"));
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to release a draft that breaks compatibility with the latest release", async () => {
    const dir = await tempDir("schemas");
    mkdirSync(path.join(dir, "penguins", "drafts"), { recursive: true });
    writeFileSync(path.join(dir, "penguins", "v1.json"), readFileSync("schemas/penguins/v1.json"));
    const v1 = JSON.parse(readFileSync("schemas/penguins/v1.json", "utf8"));
    const breaking = {
      ...v1,
      version: 2,
      features: [...v1.features, { name: "Ring", type: "STRING", presence: { minFraction: 1 } }],
    };
    writeFileSync(path.join(dir, "penguins", "drafts", "v2.json"), JSON.stringify(breaking));
    const refused = await cli("schema", "release", "penguins", "--schemas", dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('added feature "Ring" is required');
    expect(existsSync(path.join(dir, "penguins", "v2.json"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
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
