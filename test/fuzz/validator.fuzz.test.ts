/**
 * The generated row-validation SQL against a model of the checks (TFDV semantics): random schemas
 * (types, required, domains) and random records, staged through DuckDB. For every row the set of
 * "<code> <feature>" reasons must be exactly what the model predicts, and only clean rows are valid.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSchema } from "../../src/core/schema/format.js";
import type { AnomalyType } from "../../src/core/validate/anomaly.js";
import { RUNS, SEED, stage } from "./support.js";

type Kind = "INT" | "FLOAT" | "STRING" | "BOOL";

interface FeatureSpec {
  readonly name: string;
  readonly type: Kind;
  readonly required: boolean;
  readonly domain?: { min?: number; max?: number; disallowNaN?: boolean; values?: string[] };
}

const ABSENT = Symbol("absent");
type Value = unknown;

const orderedPair = fc
  .tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 }))
  .map(([a, b]) => (a <= b ? [a, b] : [b, a]));

const numericDomain = fc.record(
  {
    bounds: orderedPair,
    useMin: fc.boolean(),
    useMax: fc.boolean(),
    disallowNaN: fc.option(fc.boolean(), { nil: undefined }),
  },
  { requiredKeys: ["bounds", "useMin", "useMax"] },
);

function featureSpec(i: number): fc.Arbitrary<FeatureSpec> {
  const name = `f${i}`;
  return fc.oneof(
    fc.tuple(fc.boolean(), fc.option(numericDomain, { nil: undefined })).map(([required, d]) => ({
      name,
      type: "INT" as const,
      required,
      ...(d
        ? { domain: { ...(d.useMin ? { min: d.bounds[0] } : {}), ...(d.useMax ? { max: d.bounds[1] } : {}) } }
        : {}),
    })),
    fc.tuple(fc.boolean(), fc.option(numericDomain, { nil: undefined })).map(([required, d]) => ({
      name,
      type: "FLOAT" as const,
      required,
      ...(d
        ? {
            domain: {
              ...(d.useMin ? { min: d.bounds[0] } : {}),
              ...(d.useMax ? { max: d.bounds[1] } : {}),
              ...(d.disallowNaN !== undefined ? { disallowNaN: d.disallowNaN } : {}),
            },
          }
        : {}),
    })),
    fc
      .tuple(
        fc.boolean(),
        fc.option(fc.uniqueArray(fc.constantFrom("a", "b", "c", "Ω"), { minLength: 1, maxLength: 3 }), {
          nil: undefined,
        }),
      )
      .map(([required, values]) => ({
        name,
        type: "STRING" as const,
        required,
        ...(values ? { domain: { values } } : {}),
      })),
    fc.boolean().map((required) => ({ name, type: "BOOL" as const, required })),
  );
}

const valueFor: Record<Kind, fc.Arbitrary<Value>> = {
  INT: fc.oneof(
    fc.integer({ min: -150, max: 150 }),
    fc.integer({ min: -150, max: 150 }).map(String),
    fc.constantFrom<Value>(
      2.5,
      "abc",
      true,
      null,
      ABSENT,
      "35e-1",
      "1e3",
      "0x10",
      "1_000",
      " 7 ",
      "-0",
      "+5",
      "007",
    ),
  ),
  FLOAT: fc.oneof(
    fc.double({ min: -150, max: 150, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
    fc.constantFrom<Value>("NaN", "Infinity", "-Infinity", "abc", "1.5", null, ABSENT),
  ),
  STRING: fc.constantFrom<Value>("a", "b", "c", "Ω", "", "zz", 5, null, ABSENT),
  BOOL: fc.constantFrom<Value>(true, false, "true", "false", "maybe", null, ABSENT),
};

/** The code the model expects for one value, or undefined when it passes. */
function expectedCode(f: FeatureSpec, v: Value): AnomalyType | undefined {
  if (v === null || v === ABSENT) return f.required ? "FEATURE_TYPE_NOT_PRESENT" : undefined;
  const d = f.domain;
  switch (f.type) {
    case "INT": {
      const text = typeof v === "number" || typeof v === "string" ? String(v) : JSON.stringify(v);
      if (!/^ *[+-]?[0-9]+ *$/.test(text)) return "INT_TYPE_NOT_INT_STRING";
      const n = Number(text);
      if (d?.min !== undefined && n < d.min) return "INT_TYPE_SMALL_INT";
      if (d?.max !== undefined && n > d.max) return "INT_TYPE_BIG_INT";
      return undefined;
    }
    case "FLOAT": {
      const n =
        typeof v === "number" ? v : typeof v === "string" ? (v === "abc" ? undefined : Number(v)) : undefined;
      if (n === undefined) return "FLOAT_TYPE_NOT_FLOAT_STRING";
      if (!Number.isFinite(n) && (d === undefined || d.disallowNaN !== false)) return "FLOAT_TYPE_HAS_NAN";
      // IEEE comparisons: NaN is neither below a minimum nor above a maximum.
      if (d?.min !== undefined && n < d.min) return "FLOAT_TYPE_SMALL_FLOAT";
      if (d?.max !== undefined && n > d.max) return "FLOAT_TYPE_BIG_FLOAT";
      return undefined;
    }
    case "STRING":
      return d?.values && !d.values.includes(String(v)) ? "ENUM_TYPE_UNEXPECTED_STRING_VALUES" : undefined;
    case "BOOL":
      return [true, false, "true", "false"].includes(v as never) ? undefined : "BOOL_TYPE_UNEXPECTED_STRING";
  }
}

const scenario = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => featureSpec(i))))
  .chain((features) =>
    fc.tuple(
      fc.constant(features),
      fc.array(fc.tuple(...features.map((f) => valueFor[f.type])), { minLength: 1, maxLength: 10 }),
    ),
  );

function schemaFile(features: readonly FeatureSpec[]) {
  return {
    dataset: "fuzz",
    version: 1,
    features: features.map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.required ? { presence: { minFraction: 1 } } : {}),
      ...(f.domain && Object.keys(f.domain).length > 0 ? { domain: f.domain } : {}),
    })),
  };
}

describe("row validation on random schemas and records", () => {
  it("gives every row exactly the reasons the model predicts", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([features, rows]) => {
        // Prepare
        const schema = parseSchema(JSON.stringify(schemaFile(features)), "fuzz/v1.json");
        const lines = rows.map((values) =>
          JSON.stringify(
            Object.fromEntries(
              features.flatMap((f, i) => (values[i] === ABSENT ? [] : [[f.name, values[i]]])),
            ),
          ),
        );

        // Act
        const staged = await stage("blob.jsonl", `${lines.join("\n")}\n`, schema);

        // Assess
        const expected = rows.map((values) =>
          features
            .map((f, i) => {
              const code = expectedCode(f, values[i]);
              return code ? `${code} ${f.name}` : undefined;
            })
            .filter((x): x is string => x !== undefined)
            .sort(),
        );
        expect(staged.rowsRead).toBe(rows.length);
        expect(staged.valid.map((r) => r._source_row)).toEqual(
          expected.flatMap((codes, i) => (codes.length === 0 ? [i + 1] : [])),
        );
        const actual = new Map(
          staged.quarantined.map((q) => [q.row, q.reasons.map((r) => r.slice(0, r.indexOf(":"))).sort()]),
        );
        expected.forEach((codes, i) => {
          if (codes.length > 0) expect(actual.get(i + 1), `row ${i + 1}: ${lines[i]}`).toEqual(codes);
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
