import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fileStatistics } from "../../../src/adapters/duckdb/file-statistics.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import type { DatasetSchema } from "../../../src/core/schema/types.js";
import type { DatasetStatistics } from "../../../src/core/stats/types.js";
import { batchAnomalies } from "../../../src/core/validate/batch.js";
import { tempDir } from "../../support/temp.js";

const PENGUINS = "node_modules/vega-datasets/data/penguins.json";
const schema = new SchemaRegistry("schemas").load("penguins").schema;
let full: DatasetStatistics;
let adelie: DatasetStatistics;

beforeAll(async () => {
  // Prepare: real statistics of all 344 penguins, and of the 152 Adelie penguins as a "previous batch".
  const rows = JSON.parse(readFileSync(PENGUINS, "utf8")) as { Species: string }[];
  const dir = await tempDir("batch");
  const adelieFile = path.join(dir, "adelie.json");
  writeFileSync(adelieFile, JSON.stringify(rows.filter((r) => r.Species === "Adelie")));
  full = { ...(await fileStatistics(PENGUINS, { dataset: "penguins" })), schemaVersion: 1 };
  adelie = { ...(await fileStatistics(adelieFile, { dataset: "penguins" })), schemaVersion: 1 };
});

const withoutField = (s: DatasetStatistics, name: string): DatasetStatistics => ({
  ...s,
  sourceFields: s.sourceFields.filter((f) => f !== name),
  features: s.features.filter((f) => f.name !== name),
});

describe("batchAnomalies on penguins", () => {
  it("finds nothing wrong with the full dataset against schema v1", () => {
    expect(
      batchAnomalies({ schema, environment: "TRAINING", statistics: full, sourceFields: full.sourceFields }),
    ).toEqual([]);
  });

  it("accepts a SERVING batch without the label but flags a TRAINING batch without it", () => {
    const noLabel = withoutField(full, "Species");
    expect(
      batchAnomalies({
        schema,
        environment: "SERVING",
        statistics: noLabel,
        sourceFields: noLabel.sourceFields,
      }),
    ).toEqual([]);
    const training = batchAnomalies({
      schema,
      environment: "TRAINING",
      statistics: noLabel,
      sourceFields: noLabel.sourceFields,
    });
    expect(training).toHaveLength(1);
    expect(training[0]).toMatchObject({
      type: "SCHEMA_MISSING_COLUMN",
      severity: "ERROR",
      feature: "Species",
    });
    expect(training[0]!.description).toContain("TRAINING");
  });

  it("reports an optional missing column as a WARNING, new and duplicate columns", () => {
    const noSex = withoutField(full, "Sex");
    const out = batchAnomalies({
      schema,
      environment: "TRAINING",
      statistics: noSex,
      sourceFields: [...noSex.sourceFields, "Comment"],
      duplicateFields: ["Island"],
    });
    expect(out.map((a) => [a.type, a.severity, a.feature])).toEqual([
      ["SCHEMA_MISSING_COLUMN", "WARNING", "Sex"],
      ["SCHEMA_NEW_COLUMN", "WARNING", "Comment"],
      ["SCHEMA_DUPLICATE_COLUMN", "ERROR", "Island"],
    ]);
  });

  it("checks presence fraction and count against the schema", () => {
    // Sex is present in 334 of 344 rows (0.9709…).
    const strict: DatasetSchema = {
      ...schema,
      features: schema.features.map((f) =>
        f.name === "Sex" ? { ...f, presence: { minFraction: 0.99, minCount: 400 } } : f,
      ),
    };
    const out = batchAnomalies({
      schema: strict,
      environment: "TRAINING",
      statistics: full,
      sourceFields: full.sourceFields,
    });
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      type: "FEATURE_TYPE_LOW_FRACTION_PRESENT",
      feature: "Sex",
      threshold: 0.99,
      rows: 10,
    });
    expect(out[0]!.value).toBeCloseTo(334 / 344, 12);
    expect(out[1]).toMatchObject({
      type: "FEATURE_TYPE_LOW_NUMBER_PRESENT",
      feature: "Sex",
      value: 334,
      threshold: 400,
    });
  });

  it("checks the batch size against policy.minRows and maxRows", () => {
    const ctx = { environment: "TRAINING", statistics: full, sourceFields: full.sourceFields };
    const low = batchAnomalies({
      ...ctx,
      schema: { ...schema, policy: { ...schema.policy, minRows: 1000 } },
    });
    expect(low).toEqual([
      expect.objectContaining({ type: "DATASET_LOW_NUM_EXAMPLES", value: 344, threshold: 1000 }),
    ]);
    const high = batchAnomalies({
      ...ctx,
      schema: { ...schema, policy: { ...schema.policy, maxRows: 100 } },
    });
    expect(high).toEqual([
      expect.objectContaining({ type: "DATASET_HIGH_NUM_EXAMPLES", value: 344, threshold: 100 }),
    ]);
  });

  it("flags drift from an Adelie-only previous batch with the metric, value, threshold and batches", () => {
    const out = batchAnomalies({
      schema,
      environment: "TRAINING",
      statistics: full,
      previous: adelie,
      sourceFields: full.sourceFields,
      batchLabel: "penguins/training/all.json",
      previousLabel: "penguins/training/adelie.json",
    });
    // Species: previous is 100% Adelie, now 152/344 → L∞ = 1 − 152/344 = 0.5581…
    const species = out.find((a) => a.feature === "Species")!;
    expect(species).toMatchObject({ type: "COMPARATOR_L_INFTY_HIGH", severity: "WARNING", threshold: 0.25 });
    expect(species.value).toBeCloseTo(1 - 152 / 344, 12);
    expect(species.description).toMatch(
      /Linfty distance.*penguins\/training\/all\.json \(344 rows.*penguins\/training\/adelie\.json \(152 rows.*0\.5581.*threshold drift\.lInfinity 0\.25/,
    );
    // Island moves by at most 0.199 (Biscoe 44/152 → 168/344): below its 0.25 threshold.
    expect(out.some((a) => a.feature === "Island")).toBe(false);
    // Flipper Length has no drift comparator in the schema, so it is never compared.
    expect(out.some((a) => a.feature === "Flipper Length (mm)")).toBe(false);
    const js = out.filter((a) => a.type === "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH");
    for (const a of js) {
      expect(a.value!).toBeGreaterThan(a.threshold!);
      expect(a.description).toContain("Jensen-Shannon");
    }
    expect(js.map((a) => a.feature)).toContain("Beak Length (mm)");
  });

  it("does not compare a batch with itself as drift", () => {
    const out = batchAnomalies({
      schema,
      environment: "TRAINING",
      statistics: full,
      previous: full,
      sourceFields: full.sourceFields,
    });
    expect(out).toEqual([]);
  });
});
