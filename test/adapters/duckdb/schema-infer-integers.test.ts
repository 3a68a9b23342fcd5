import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inferSchemaFromFile } from "../../../src/adapters/duckdb/infer-file.js";
import { tempDir } from "../../support/temp.js";

/** Rows past the sniffer's sample (about 20,000 rows): the late values sit after all of them. */
const N = 30_010;
const LATE = 30_005;

/**
 * A file whose `price` and `round` hold whole numbers on the first 30,000 rows and `4.5` and `7.0`
 * on one late row (DuckDB's readers take both into an integer column without an error), `id` and
 * `big` whole numbers throughout — `big` beyond 2^53, with INT64's minimum and 2^62 + 1024 late.
 */
function records(): Record<string, string>[] {
  return Array.from({ length: N }, (_, i) => ({
    id: String(i),
    price: i === LATE ? "4.5" : String(i % 50),
    round: i === LATE ? "7.0" : String(i % 9),
    big:
      i === N - 2
        ? "-9223372036854775808"
        : i === N - 1
          ? "4611686018427388928"
          : String(9007199254740993n + BigInt(2 * i)),
  }));
}

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  dir ??= await tempDir("infer-integers");
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("inferSchemaFromFile, integer columns with other numbers past the sniffer's sample", () => {
  it("CSV: widens a column integral for 30,000 rows then holding 4.5 (or 7.0) to FLOAT, keeps the others INT", async () => {
    // Prepare
    const rows = records();
    const file = await write(
      "late.csv",
      `id,price,round,big\n${rows.map((r) => `${r.id},${r.price},${r.round},${r.big}`).join("\n")}\n`,
    );
    // Act
    const { schema, statistics } = await inferSchemaFromFile(file, {
      dataset: "late",
      version: 1,
      numericRanges: true,
    });
    // Assess
    expect(schema.features.map((f) => [f.name, f.type])).toEqual([
      ["id", "INT"],
      ["price", "FLOAT"],
      ["round", "FLOAT"],
      ["big", "INT"],
    ]);
    const price = statistics.features.find((f) => f.name === "price")!;
    expect(price).toMatchObject({ type: "FLOAT", present: N, missing: 0 });
    expect(price.numeric).toEqual({ min: 0, max: 49, nonFinite: 0 });
    expect(schema.features.find((f) => f.name === "round")?.domain).toEqual({ min: 0, max: 8 });
    expect(statistics.features.find((f) => f.name === "id")?.numeric).toEqual({
      min: 0,
      max: N - 1,
      nonFinite: 0,
    });
  });

  it("CSV: keeps a column of integers beyond 2^53 INT, its min and max exact", async () => {
    // Prepare
    const rows = records();
    const file = await write("big.csv", `id,big\n${rows.map((r) => `${r.id},${r.big}`).join("\n")}\n`);
    // Act
    const { schema, statistics } = await inferSchemaFromFile(file, {
      dataset: "big",
      version: 1,
      numericRanges: true,
    });
    // Assess: both ends are doubles exactly, so nothing rounds them
    const big = statistics.features.find((f) => f.name === "big")!;
    expect(big.type).toBe("INT");
    expect(BigInt(big.numeric!.min)).toBe(-(2n ** 63n));
    expect(BigInt(big.numeric!.max)).toBe(2n ** 62n + 1024n);
    expect(schema.features.find((f) => f.name === "big")).toMatchObject({
      type: "INT",
      domain: { min: Number(-(2n ** 63n)), max: Number(2n ** 62n + 1024n) },
    });
  });

  it("JSON lines: widens a field integral for 30,000 records then holding 4.5 to FLOAT, even with --json-integers", async () => {
    // Prepare: numbers as JSON numbers (read_json takes 4.5 into a BIGINT column as 4)
    const rows = records();
    const file = await write(
      "late.jsonl",
      `${rows.map((r) => `{"id":${r.id},"price":${r.price},"round":${r.round},"big":${r.big}}`).join("\n")}\n`,
    );
    // Act
    const { schema, statistics } = await inferSchemaFromFile(file, {
      dataset: "late",
      version: 1,
      jsonIntegers: true,
      numericRanges: true,
    });
    // Assess
    expect(schema.features.map((f) => [f.name, f.type])).toEqual([
      ["id", "INT"],
      ["price", "FLOAT"],
      ["round", "FLOAT"],
      ["big", "INT"],
    ]);
    expect(statistics.rowsRead).toBe(N);
    expect(statistics.features.find((f) => f.name === "price")?.numeric).toEqual({
      min: 0,
      max: 49,
      nonFinite: 0,
    });
    const big = statistics.features.find((f) => f.name === "big")!;
    expect(BigInt(big.numeric!.min)).toBe(-(2n ** 63n));
    expect(BigInt(big.numeric!.max)).toBe(2n ** 62n + 1024n);
  });
});
