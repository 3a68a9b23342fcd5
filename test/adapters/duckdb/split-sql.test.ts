/**
 * The repeatable split: TypeScript and DuckDB assign every row of real data to the same split,
 * split sizes follow the ratios, and the Athena SQL is the documented text.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import {
  canonicalKey,
  doubleText,
  type KeyValue,
  keyValuesOf,
  type SplitKeyColumn,
} from "../../../src/core/split/canonical.js";
import { parseSplitArg, splitRanges, splitSpec } from "../../../src/core/split/spec.js";
import { splitBucket, splitOf } from "../../../src/core/split/split.js";
import { splitBucketSql, splitSqlAthena, splitSqlDuckdb } from "../../../src/core/split/sql.js";

const VEGA = path.resolve("node_modules/vega-datasets/data");
const SPEC = parseSplitArg("train=80,eval=10,test=10");

const FLIGHT_KEY: SplitKeyColumn[] = [
  { name: "flight_time", type: { kind: "timestamp" } },
  { name: "delay_min", type: { kind: "bigint" } },
  { name: "distance_mi", type: { kind: "bigint" } },
  { name: "origin", type: { kind: "string" } },
  { name: "destination", type: { kind: "string" } },
];

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  // Same column types the warehouse view gives: TIMESTAMPTZ, BIGINT, DOUBLE, VARCHAR.
  await db.exec(
    `CREATE TABLE flights AS SELECT CAST("date" AS TIMESTAMPTZ) AS flight_time, delay AS delay_min, distance AS distance_mi, origin, destination
     FROM read_parquet('${VEGA}/flights-3m.parquet') LIMIT 200000`,
  );
  await db.exec(
    `CREATE TABLE penguins AS SELECT "Species" AS species, "Island" AS island, CAST("Beak Length (mm)" AS DOUBLE) AS beak_length_mm,
       CAST("Beak Depth (mm)" AS DOUBLE) AS beak_depth_mm, CAST("Flipper Length (mm)" AS BIGINT) AS flipper_length_mm,
       CAST("Body Mass (g)" AS BIGINT) AS body_mass_g, "Sex" AS sex
     FROM read_json('${VEGA}/penguins.json')`,
  );
});
afterAll(() => db.close());

async function assignments(table: string, key: SplitKeyColumn[]) {
  const cols = key.map((c) => `"${c.name}"`).join(", ");
  return db.all(
    `SELECT ${cols}, ${splitBucketSql(key, SPEC.seed, "duckdb")} AS _bucket, ${splitSqlDuckdb(key, SPEC)} AS _split FROM ${table}`,
  );
}

describe("splitOf and splitSqlDuckdb agree", () => {
  it("on 200 000 flights rows (timestamps, integers, strings), with sizes within 1 pp of 80/10/10", async () => {
    // Prepare
    const rows = await assignments("flights", FLIGHT_KEY);
    // Act
    const mismatches = rows.filter(
      (r) =>
        splitBucket(keyValuesOf(r, FLIGHT_KEY), SPEC) !== Number(r._bucket) ||
        splitOf(keyValuesOf(r, FLIGHT_KEY), SPEC) !== r._split,
    );
    // Assess
    expect(rows).toHaveLength(200_000);
    expect(mismatches).toEqual([]);
    const share = (name: string) => rows.filter((r) => r._split === name).length / rows.length;
    expect(Math.abs(share("train") - 0.8)).toBeLessThan(0.01);
    expect(Math.abs(share("eval") - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(share("test") - 0.1)).toBeLessThan(0.01);
  });

  it("on every penguin (doubles and NULLs included)", async () => {
    // Prepare
    const key: SplitKeyColumn[] = [
      { name: "species", type: { kind: "string" } },
      { name: "island", type: { kind: "string" } },
      { name: "beak_length_mm", type: { kind: "double" } },
      { name: "beak_depth_mm", type: { kind: "double" } },
      { name: "flipper_length_mm", type: { kind: "bigint" } },
      { name: "body_mass_g", type: { kind: "bigint" } },
      { name: "sex", type: { kind: "string" } },
    ];
    // Act
    const rows = await assignments("penguins", key);
    // Assess
    expect(rows.length).toBe(344);
    expect(rows.some((r) => r.beak_length_mm === null)).toBe(true);
    for (const r of rows)
      expect([r.species, splitOf(keyValuesOf(r, key), SPEC)]).toEqual([r.species, r._split]);
  });

  it("on edge values: NaN, ±Infinity, -0, huge and tiny doubles, separators in strings, unicode, booleans, dates, binary", async () => {
    // Prepare
    const key: SplitKeyColumn[] = [
      { name: "d", type: { kind: "double" } },
      { name: "s", type: { kind: "string" } },
      { name: "b", type: { kind: "boolean" } },
      { name: "t", type: { kind: "timestamp" } },
      { name: "dt", type: { kind: "date" } },
      { name: "bin", type: { kind: "binary" } },
      { name: "i", type: { kind: "int" } },
    ];
    await db.exec(
      `CREATE OR REPLACE TABLE edges (d DOUBLE, s VARCHAR, b BOOLEAN, t TIMESTAMPTZ, dt DATE, bin BLOB, i INTEGER)`,
    );
    await db.exec(`INSERT INTO edges VALUES
      ('nan'::DOUBLE, 'a|b', true, '2024-02-29 23:59:59.999+00', '2024-02-29', '\\x00\\xFF'::BLOB, -7),
      ('inf'::DOUBLE, 'a\\|b', false, '1969-12-31 23:59:59.5+00', '1969-12-31', ''::BLOB, 0),
      ('-inf'::DOUBLE, '\\N', NULL, NULL, NULL, NULL, NULL),
      (-0.0, 'ünïcødé ✓ 𝄞', true, '2001-01-01 06:05:00+00', '2001-01-01', 'abc'::BLOB, 2147483647),
      (1e13, '', false, '2030-01-01 00:00:00+00', '2030-01-01', NULL, -2147483648),
      (1e19, NULL, true, '2001-01-01 00:00:00.123456+00', NULL, NULL, 1),
      (-1e19, 'x', true, NULL, NULL, NULL, 1),
      (0.1234565, 'y', true, NULL, NULL, NULL, 1),
      (-2.5e-7, 'z', true, NULL, NULL, NULL, 1),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    // Act
    const rows = await db.all(`SELECT *, ${splitBucketSql(key, SPEC.seed, "duckdb")} AS _bucket FROM edges`);
    // Assess
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      const kv = keyValuesOf({ ...r, bin: r.bin == null ? null : Buffer.from(r.bin as Uint8Array) }, key);
      expect({ row: String(r.s), bucket: splitBucket(kv, SPEC) }).toEqual({
        row: String(r.s),
        bucket: Number(r._bucket),
      });
    }
    // Distinct rows land in distinct buckets here: the separators and NULL token are not ambiguous.
    expect(new Set(rows.map((r) => Number(r._bucket))).size).toBe(10);
  });
});

describe("canonical key text", () => {
  it("prints doubles as integer micro-units and escapes separators", () => {
    const kv: KeyValue[] = [
      { type: "double", value: 39.1 },
      { type: "bigint", value: 39n },
      { type: "string", value: "a|b\\c" },
      { type: "string", value: null },
      { type: "timestamp", value: new Date("2001-01-01T06:05:00Z") },
    ];
    expect(canonicalKey(kv, "lakeline")).toBe("lakeline|39100000|39|a\\|b\\\\c|\\N|2001-01-01T06:05:00.000Z");
    expect([doubleText(-0), doubleText(1e13), doubleText(-1e19), doubleText(Number.NaN)]).toEqual([
      "0",
      "E10000000000000",
      "-Big",
      "NaN",
    ]);
  });

  it("keeps integers and integral doubles apart, and the seed reshuffles", () => {
    const asInt = splitBucket([{ type: "bigint", value: 3 }], SPEC);
    const asDouble = splitBucket([{ type: "double", value: 3 }], SPEC);
    expect(asInt).not.toBe(asDouble);
    const reseeded = splitSpec({ train: 80, eval: 10, test: 10 }, "other");
    const keys = Array.from({ length: 200 }, (_, i) => [{ type: "bigint" as const, value: i }]);
    const moved = keys.filter((k) => splitBucket(k, SPEC) !== splitBucket(k, reseeded)).length;
    expect(moved).toBeGreaterThan(190);
  });
});

describe("split spec", () => {
  it("turns percentages into cumulative bucket ranges and rejects bad specs", () => {
    expect(
      splitRanges(parseSplitArg("train=70.5,eval=19.5,test=10")).map((r) => [r.name, r.from, r.to]),
    ).toEqual([
      ["train", 0, 7050],
      ["eval", 7050, 9000],
      ["test", 9000, 10000],
    ]);
    expect(() => parseSplitArg("train=80,eval=10")).toThrow(/sum to 90, not 100/);
    expect(() => parseSplitArg("train=80,train=20")).toThrow(/appears twice/);
    expect(() => parseSplitArg("train=99.995,test=0.005")).toThrow(/two decimals/);
    expect(() => parseSplitArg("Train=100")).toThrow(/lowercase identifier/);
  });
});

describe("splitSqlAthena", () => {
  it("is the documented Trino expression", () => {
    // Prepare
    const key: SplitKeyColumn[] = [
      { name: "species", type: { kind: "string" } },
      { name: "beak_length_mm", type: { kind: "double" } },
      { name: "flight_time", type: { kind: "timestamp" } },
      { name: "body_mass_g", type: { kind: "bigint" } },
    ];
    // Act
    const sql = splitSqlAthena(key, SPEC);
    // Assess: every function here is documented Trino (string, math, binary, date-time functions).
    const canonical =
      `'lakeline'` +
      ` || '|' || (CASE WHEN "species" IS NULL THEN '\\N' ELSE replace(replace("species", '\\', '\\\\'), '|', '\\|') END)` +
      ` || '|' || (CASE WHEN "beak_length_mm" IS NULL THEN '\\N' ELSE CASE WHEN is_nan("beak_length_mm") THEN 'NaN'` +
      ` WHEN is_infinite("beak_length_mm") THEN (CASE WHEN "beak_length_mm" > 0 THEN 'Infinity' ELSE '-Infinity' END)` +
      ` WHEN abs("beak_length_mm") < 1e12 THEN CAST(CAST(floor("beak_length_mm" * 1e6 + 0.5e0) AS BIGINT) AS VARCHAR)` +
      ` WHEN abs("beak_length_mm") < 9e18 THEN 'E' || CAST(CAST(floor("beak_length_mm" + 0.5e0) AS BIGINT) AS VARCHAR)` +
      ` WHEN "beak_length_mm" > 0 THEN 'Big' ELSE '-Big' END END)` +
      ` || '|' || (CASE WHEN "flight_time" IS NULL THEN '\\N' ELSE format_datetime(with_timezone("flight_time", 'UTC'), 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') END)` +
      ` || '|' || (CASE WHEN "body_mass_g" IS NULL THEN '\\N' ELSE CAST("body_mass_g" AS VARCHAR) END)`;
    const bucket = `(from_base(substr(to_hex(md5(to_utf8(${canonical}))), 1, 8), 16) % 10000)`;
    expect(sql).toBe(
      `CASE WHEN ${bucket} < 8000 THEN 'train' WHEN ${bucket} < 9000 THEN 'eval' ELSE 'test' END`,
    );
  });
});
