/**
 * Row-level checks, one anomaly type at a time: a tiny file with one bad value, validated with the
 * same staged batch the ingest uses. Each bad row must be counted under its TFDV-style type and carry
 * a reason naming the feature and the value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { duckdbIngestEngine } from "../../../src/adapters/duckdb/batch.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import { validateFile } from "../../../src/pipeline/ingest/validate.js";
import { tempDir } from "../../support/temp.js";

const SCHEMA = {
  dataset: "checks",
  version: 1,
  label: "label",
  features: [
    { name: "id", type: "INT", presence: { minFraction: 1 } },
    { name: "count", type: "INT", domain: { min: 0, max: 100 } },
    { name: "ratio", type: "FLOAT", domain: { min: 0, max: 1 } },
    { name: "score", type: "FLOAT" },
    { name: "flag", type: "BOOL" },
    { name: "at", type: "TIMESTAMP", domain: { min: "2000-01-01", max: "2030-01-01" } },
    { name: "day", type: "TIMESTAMP", domain: { format: "%d/%m/%Y" } },
    { name: "blob", type: "BYTES" },
    { name: "colour", type: "STRING", domain: { values: ["red", "green"] } },
    { name: "tags", type: "INT", valueCount: { min: 1, max: 2 } },
    { name: "label", type: "STRING", presence: { minFraction: 1 }, notInEnvironment: ["SERVING"] },
  ],
};

const GOOD = {
  id: 1,
  count: 5,
  ratio: 0.5,
  score: 1.25,
  flag: true,
  at: "2024-05-01T10:00:00Z",
  day: "01/05/2024",
  blob: "aGk=",
  colour: "red",
  tags: [1],
  label: "yes",
};

const dir = await tempDir("row-validation");
const schemas = path.join(dir, "schemas");
fs.mkdirSync(path.join(schemas, "checks"), { recursive: true });
fs.writeFileSync(path.join(schemas, "checks", "v1.json"), JSON.stringify(SCHEMA));
const registry = new SchemaRegistry(schemas);
let n = 0;

async function check(rows: unknown[], environment = "TRAINING", ext = "jsonl") {
  const file = path.join(dir, `f${n++}.${ext}`);
  fs.writeFileSync(
    file,
    ext === "jsonl"
      ? rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")
      : String(rows[0]),
  );
  return validateFile({
    engine: duckdbIngestEngine,
    file,
    dataset: "checks",
    environment,
    schemas: registry,
  });
}

const CASES: [string, Record<string, unknown>, string, RegExp][] = [
  [
    "a required value is missing",
    { id: null },
    "FEATURE_TYPE_NOT_PRESENT",
    /^FEATURE_TYPE_NOT_PRESENT id: required value is missing$/,
  ],
  [
    "a decimal in an INT (never rounded)",
    { count: "3.5" },
    "INT_TYPE_NOT_INT_STRING",
    /^INT_TYPE_NOT_INT_STRING count: "3.5" is not INT$/,
  ],
  ["text in an INT", { count: "many" }, "INT_TYPE_NOT_INT_STRING", /"many" is not INT/],
  [
    "text in a FLOAT",
    { score: "high" },
    "FLOAT_TYPE_NOT_FLOAT_STRING",
    /^FLOAT_TYPE_NOT_FLOAT_STRING score: "high" is not FLOAT$/,
  ],
  ["text in a BOOL", { flag: "perhaps" }, "BOOL_TYPE_UNEXPECTED_STRING", /"perhaps" is not BOOL/],
  [
    "a non-timestamp",
    { at: "yesterday" },
    "TIMESTAMP_TYPE_NOT_TIMESTAMP_STRING",
    /"yesterday" is not TIMESTAMP/,
  ],
  [
    "a timestamp in the wrong format",
    { day: "2024-05-01" },
    "TIMESTAMP_TYPE_NOT_TIMESTAMP_STRING",
    /day: "2024-05-01" is not TIMESTAMP/,
  ],
  ["invalid base64", { blob: "!!!" }, "BYTES_TYPE_NOT_BASE64", /blob: "!!!" is not BYTES/],
  ["an INT below its domain", { count: -1 }, "INT_TYPE_SMALL_INT", /^INT_TYPE_SMALL_INT count: -1 < min 0$/],
  ["an INT above its domain", { count: 101 }, "INT_TYPE_BIG_INT", /^INT_TYPE_BIG_INT count: 101 > max 100$/],
  ["a FLOAT below its domain", { ratio: -0.5 }, "FLOAT_TYPE_SMALL_FLOAT", /ratio: -0.5 < min 0/],
  ["a FLOAT above its domain", { ratio: 1.5 }, "FLOAT_TYPE_BIG_FLOAT", /ratio: 1.5 > max 1/],
  ["NaN in a FLOAT", { score: "NaN" }, "FLOAT_TYPE_HAS_NAN", /score: NaN or infinite value/],
  [
    "a timestamp out of range",
    { at: "1999-12-31T23:59:59Z" },
    "TIMESTAMP_TYPE_OUT_OF_RANGE",
    /at: 1999-12-31 23:59:59 before 2000-01-01/,
  ],
  [
    "an unexpected categorical value",
    { colour: "blue" },
    "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
    /^ENUM_TYPE_UNEXPECTED_STRING_VALUES colour: "blue" not in \[red, green\]$/,
  ],
  ["too few list values", { tags: [] }, "FEATURE_TYPE_LOW_NUMBER_VALUES", /tags: 0 values < min 1/],
  ["too many list values", { tags: [1, 2, 3] }, "FEATURE_TYPE_HIGH_NUMBER_VALUES", /tags: 3 values > max 2/],
  [
    "a non-INT in an INT list",
    { tags: [1, "x"] },
    "INT_TYPE_NOT_INT_STRING",
    /tags: .* has a value that is not INT/,
  ],
];

describe("row-level anomalies", () => {
  it("accepts a fully valid record with no anomaly", async () => {
    const r = await check([GOOD]);
    expect(r).toMatchObject({ rowsRead: 1, rowsValid: 1, rowsQuarantined: 0, anomalies: [] });
  });

  it.each(CASES)("quarantines %s as %s", async (_name, change, type, reason) => {
    const r = await check([GOOD, { ...GOOD, ...change }, GOOD]);
    expect({ read: r.rowsRead, valid: r.rowsValid, quarantined: r.rowsQuarantined }).toEqual({
      read: 3,
      valid: 2,
      quarantined: 1,
    });
    // A missing required value also lowers the batch's presence fraction below 1 (a batch-level anomaly).
    const batchLevel = r.anomalies.filter((a) => a.type === "FEATURE_TYPE_LOW_FRACTION_PRESENT");
    expect(batchLevel.map((a) => a.feature)).toEqual(type === "FEATURE_TYPE_NOT_PRESENT" ? ["id"] : []);
    const rowAnomalies = r.anomalies.filter((a) => a.type !== "FEATURE_TYPE_LOW_FRACTION_PRESENT");
    expect(rowAnomalies.map((a) => [a.type, a.rows, a.severity])).toEqual([[type, 1, "ERROR"]]);
    expect(r.sample).toHaveLength(1);
    expect(r.sample[0]!.row).toBe(2);
    expect(r.sample[0]!.reasons).toHaveLength(1);
    expect(r.sample[0]!.reasons[0]).toMatch(reason);
  });

  it("lists every reason of a row that fails several checks", async () => {
    const r = await check([{ ...GOOD, count: 999, colour: "blue", flag: "?" }]);
    expect(r.sample[0]!.reasons.map((x) => x.split(" ")[0])).toEqual([
      "INT_TYPE_BIG_INT",
      "BOOL_TYPE_UNEXPECTED_STRING",
      "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
    ]);
  });

  it("quarantines a JSON line that is not an object as RECORD_MALFORMED, with its line", async () => {
    const r = await check([JSON.stringify(GOOD), "[1, 2]", "{not json"]);
    expect({ read: r.rowsRead, valid: r.rowsValid, quarantined: r.rowsQuarantined }).toEqual({
      read: 3,
      valid: 1,
      quarantined: 2,
    });
    expect(r.anomalies.find((a) => a.type === "RECORD_MALFORMED")?.rows).toBe(2);
    expect(r.sample.map((s) => s.reasons[0])).toEqual([
      'RECORD_MALFORMED line 2: not a JSON object: "[1, 2]"',
      'RECORD_MALFORMED line 3: not a JSON object: "{not json"',
    ]);
  });

  it("treats the label as optional at SERVING and required at TRAINING (environments)", async () => {
    const { label: _drop, ...serving } = GOOD;
    const atServing = await check([serving, serving], "SERVING");
    expect(atServing).toMatchObject({ rowsValid: 2, rowsQuarantined: 0 });
    expect(atServing.anomalies).toEqual([]);
    const atTraining = await check([serving, serving], "TRAINING");
    expect(atTraining.rowsQuarantined).toBe(2);
    expect(atTraining.anomalies.map((a) => a.type).sort()).toEqual([
      "FEATURE_TYPE_NOT_PRESENT",
      "SCHEMA_MISSING_COLUMN",
    ]);
    expect(atTraining.anomalies.find((a) => a.type === "SCHEMA_MISSING_COLUMN")).toMatchObject({
      feature: "label",
      severity: "ERROR",
    });
  });

  it("stores timestamps as UTC, applying offsets written in the data", async () => {
    const r = await check([
      { ...GOOD, at: "2024-05-01T12:00:00+02:00" },
      { ...GOOD, at: "2024-05-01T05:00:00-05:00" },
      { ...GOOD, at: "2024-05-01 10:00:00" },
    ]);
    const at = r.statistics!.features.find((f) => f.name === "at")!.numeric!;
    const utc10 = Date.UTC(2024, 4, 1, 10) / 1000;
    expect({ min: at.min, max: at.max }).toEqual({ min: utc10, max: utc10 });
  });

  it("counts distinct values exactly for categorical features (as TFDV's string statistics), not for numeric ones", async () => {
    const r = await check([
      GOOD,
      { ...GOOD, colour: "green", count: 6 },
      { ...GOOD, colour: "green", count: 7 },
    ]);
    const byName = new Map(r.statistics!.features.map((f) => [f.name, f]));
    expect(byName.get("colour")!.distinctApprox).toBe(2);
    expect(byName.get("colour")!.string!.topValues).toEqual([
      { value: "green", count: 2 },
      { value: "red", count: 1 },
    ]);
    expect(byName.get("count")!.distinctApprox).toBeUndefined();
    expect(byName.get("count")!.numeric).toMatchObject({ min: 5, max: 7, sum: 18 });
  });

  it("reads CSV the same way, list values separated by |", async () => {
    const header = SCHEMA.features.map((f) => f.name).join(",");
    const good = "1,5,0.5,1.25,true,2024-05-01T10:00:00Z,01/05/2024,aGk=,red,1|2,yes";
    const bad = "2,5,0.5,1.25,true,2024-05-01T10:00:00Z,01/05/2024,aGk=,red,1|2|3,yes";
    const r = await check([`${header}\n${good}\n${bad}\n`], "TRAINING", "csv");
    expect({ read: r.rowsRead, valid: r.rowsValid }).toEqual({ read: 2, valid: 1 });
    expect(r.sample[0]!.reasons).toEqual(["FEATURE_TYPE_HIGH_NUMBER_VALUES tags: 3 values > max 2"]);
  });

  it("reads an empty CSV field as missing, quoted or not, and a blank one as text", async () => {
    const header = SCHEMA.features.map((f) => f.name).join(",");
    const rest = "0.5,1.25,true,2024-05-01T10:00:00Z,01/05/2024,aGk=,red,1,yes";
    const rows = [`1,,${rest}`, `2,"",${rest}`, `,5,${rest}`, `"",5,${rest}`, `3," ",${rest}`];
    const r = await check([`${header}\n${rows.join("\n")}\n`], "TRAINING", "csv");
    // The optional count is absent (not a bad value) when empty, quoted or not; the required id is missing.
    expect({ read: r.rowsRead, valid: r.rowsValid }).toEqual({ read: 5, valid: 2 });
    expect(r.sample.map((x) => [x.row, x.reasons])).toEqual([
      [3, ["FEATURE_TYPE_NOT_PRESENT id: required value is missing"]],
      [4, ["FEATURE_TYPE_NOT_PRESENT id: required value is missing"]],
      [5, ['INT_TYPE_NOT_INT_STRING count: " " is not INT']],
    ]);
    const count = r.statistics!.features.find((f) => f.name === "count");
    expect(count?.present).toBe(3);
  });
});
