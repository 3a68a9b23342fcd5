import { describe, expect, expectTypeOf, it } from "vitest";
import { SchemaFormatError } from "../../../src/core/errors.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import type { BatchPolicy, CsvOptions, DatasetSchema, Feature } from "../../../src/core/schema/types.js";

const MINIMAL = { dataset: "trips", version: 1, features: [{ name: "Fare Amount", type: "FLOAT" }] };

describe("parseSchema", () => {
  it("applies the format's defaults and resolves every column", () => {
    // Act
    const schema = parseSchema(JSON.stringify(MINIMAL), "trips/v1.json");

    // Assess
    expect(schema).toEqual({
      dataset: "trips",
      version: 1,
      defaultEnvironments: ["TRAINING", "SERVING"],
      features: [{ name: "Fare Amount", column: "fare_amount", type: "FLOAT" }],
      policy: { maxBadRowFraction: 1, dedupeByContent: true },
    });
  });

  it("yields exactly the fields the format accepts, typed as the format defines them", () => {
    // Prepare
    const text = JSON.stringify({ ...MINIMAL, csv: { delimiter: ";", quote: "'", header: false } });

    // Act
    const schema = parseSchema(text, "trips/v1.json");

    // Assess: the types are the format's output, so these are checked by the compiler too.
    expect(schema.csv).toEqual({ delimiter: ";", quote: "'", header: false });
    expectTypeOf<CsvOptions>().toEqualTypeOf<NonNullable<DatasetSchema["csv"]>>();
    expectTypeOf<Feature["column"]>().toEqualTypeOf<string>();
    expectTypeOf<BatchPolicy["maxBadRowFraction"]>().toEqualTypeOf<number>();
    expectTypeOf<DatasetSchema["label"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf(parseSchema).returns.toEqualTypeOf<DatasetSchema>();
  });

  it("refuses a field the format does not define, naming the file and path", () => {
    // Act
    const parse = () => parseSchema(JSON.stringify({ ...MINIMAL, csv: { escape: "\\" } }), "trips/v1.json");

    // Assess
    expect(parse).toThrow(SchemaFormatError);
    expect(parse).toThrow(/trips\/v1\.json/);
    expect(parse).toThrow(/\$\.csv/);
  });
});
