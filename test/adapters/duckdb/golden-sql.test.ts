/**
 * The SQL the engine generates, as a person reads it: the staging query (every check of the schema)
 * and the statistics queries, for penguins' schema and for a wide table with categorical features,
 * compared with the formatted files in ./golden. A change to the generated SQL shows up here as a
 * readable diff; the reference tests beside this one prove what the SQL does.
 *
 * After an intended change, regenerate the files and review the diff:
 *   LAKELINE_UPDATE_GOLDEN=1 npx vitest run test/adapters/duckdb/golden-sql.test.ts
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { wideSchema } from "../../../scripts/bench/wide-input.js";
import { histogramQuery, histogramSpecs, isCategorical } from "../../../src/adapters/duckdb/distributions.js";
import { DEFAULT_LIMITS, type PreparedBlob } from "../../../src/adapters/duckdb/reader.js";
import { sourceRelation } from "../../../src/adapters/duckdb/source-relation.js";
import type { ValidAggregates } from "../../../src/adapters/duckdb/statistic-columns.js";
import {
  aggregatesQuery,
  failedCodesSql,
  failedTotalsSql,
} from "../../../src/adapters/duckdb/statistics-sql.js";
import { topValuesQuery } from "../../../src/adapters/duckdb/top-values.js";
import { presenceFromFile } from "../../../src/adapters/duckdb/valid-presence.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import type { DatasetSchema } from "../../../src/core/schema/types.js";
import { rowValidationPlan } from "../../../src/core/validate/row-sql.js";

const GOLDEN = path.join(import.meta.dirname, "golden");
const UPDATE = process.env.LAKELINE_UPDATE_GOLDEN === "1";

/** Every numeric feature ranging over [0, 100], as if the aggregates had found those bounds. */
const BOUNDS: ValidAggregates["row"] = new Proxy(
  {},
  {
    get: (_t, name: string) =>
      name.endsWith(".min") ? 0 : name.endsWith(".max") ? 100 : name.endsWith(".intMin") ? 0n : 100n,
  },
);

function generated(
  schema: DatasetSchema,
  format: "csv" | "jsonl",
  oneScan: boolean,
): { staging: string; statistics: string } {
  const blob: PreparedBlob = {
    path: `/data/${schema.dataset}.${format}`,
    format,
    gzip: false,
    delimiter: format === "csv" ? "," : "",
    ...(format === "csv" ? { quote: '"', hasHeader: true, header: schema.features.map((f) => f.name) } : {}),
    duplicateFields: [],
    estimatedRecords: 1,
  };
  const source = sourceRelation(
    blob,
    schema.features.map((f) => f.name),
    "golden",
    DEFAULT_LIMITS,
  );
  const plan = rowValidationPlan({
    schema,
    environment: "TRAINING",
    rawExpr: (f) => source.rawExpr(f.name),
    source: source.sql,
    json: format !== "csv",
    recordExpr: source.recordExpr,
    ...(source.malformed ? { malformed: source.malformed } : {}),
    ...(source.skip ? { skip: source.skip } : {}),
  });
  // As statistics.ts scopes them: every record, quarantined ones included.
  const records = `(__ok IS NOT NULL AND NOT ${format === "csv" ? "false" : "__bad_record"})`;
  // As an ingest runs them: presence among valid rows comes from the valid file's statistics.
  const aggregates = aggregatesQuery("staged", plan.features, false, records, (p) => !presenceFromFile(p));
  const valid: ValidAggregates = { row: BOUNDS, columns: aggregates.columns };
  const badRecord = format === "csv" ? "false" : "__bad_record";
  const statements = [
    ["aggregates of every record (valid rows counted apart)", aggregates.sql],
    ["rejected rows", failedTotalsSql("staged", badRecord)],
    ["error codes of rejected rows", failedCodesSql("staged", badRecord)],
    [
      "histograms",
      histogramQuery("staged", histogramSpecs(plan.features, valid), valid, oneScan, records).sql,
    ],
    ["top values", topValuesQuery("staged", plan.features.filter(isCategorical), oneScan, records)],
  ];
  return {
    staging: `-- Staging: every row typed and checked in one pass\n${plan.sql};\n`,
    statistics: statements.map(([title, sql]) => `-- ${title}\n${sql};\n`).join("\n"),
  };
}

function compare(name: string, sql: string): void {
  const file = path.join(GOLDEN, `${name}.sql`);
  if (UPDATE) fs.writeFileSync(file, sql);
  expect(sql).toBe(fs.readFileSync(file, "utf8"));
}

const penguins = parseSchema(fs.readFileSync("schemas/penguins/v1.json", "utf8"), "penguins/v1.json");
const wide = parseSchema(JSON.stringify(wideSchema(12)), "wide12/v1.json");

describe("generated SQL, formatted", () => {
  it("penguins (JSON lines): staging and statistics as in golden/penguins.*.sql", () => {
    // Prepare / Act
    const sql = generated(penguins, "jsonl", false);

    // Assess
    compare("penguins.staging", sql.staging);
    compare("penguins.statistics", sql.statistics);
  });

  it("a wide table with categorical features (CSV, one scan for distributions) as in golden/wide12.*.sql", () => {
    // Prepare / Act
    const sql = generated(wide, "csv", true);

    // Assess
    compare("wide12.staging", sql.staging);
    compare("wide12.statistics", sql.statistics);
  });

  it("names every statistic column by feature and statistic, and puts one column on a line", () => {
    // Prepare
    const plan = rowValidationPlan({
      schema: penguins,
      environment: "TRAINING",
      rawExpr: (f) => `raw."${f.name}"`,
      source: "raw",
      json: true,
      recordExpr: "'{}'",
    });

    // Act
    const { sql, columns } = aggregatesQuery("staged", plan.features, false);
    const mass = plan.features.find((p) => p.feature.name === "Body Mass (g)")!;

    // Assess
    expect(columns.alias(mass, "min")).toBe(`"${mass.feature.column}.min"`);
    // The staged column is the feature's by position; the result column is named by its own column.
    expect(sql).toContain(`min(${mass.staged})::DOUBLE AS "${mass.feature.column}.min"`);
    expect(() => columns.alias(mass, "listMin")).toThrow(/listMin of Body Mass \(g\) is not computed/);
    const lines = sql.split("\n");
    expect(lines.filter((l) => l.includes(" AS ")).length).toBeGreaterThan(plan.features.length);
    expect(lines.every((l) => (l.match(/ AS "/g) ?? []).length <= 1)).toBe(true);
  });
});
