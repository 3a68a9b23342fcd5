import { describe, expect, it } from "vitest";
import { compatibilityProblems, registryProblems } from "../../../src/core/schema/compat.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import type { DatasetSchema, Feature } from "../../../src/core/schema/types.js";

/** A penguins schema like the shipped one, held here so this test reads no file. */
const PENGUINS_V1 = {
  dataset: "penguins",
  version: 1,
  description: "Palmer penguins: body measurements of three species; the label is Species.",
  defaultEnvironments: ["TRAINING", "SERVING"],
  label: "Species",
  features: [
    {
      name: "Species",
      column: "species",
      type: "STRING",
      presence: { minFraction: 1 },
      domain: { values: ["Adelie", "Chinstrap", "Gentoo"] },
      notInEnvironment: ["SERVING"],
      drift: { lInfinity: 0.25 },
    },
    {
      name: "Island",
      type: "STRING",
      presence: { minFraction: 1 },
      domain: { values: ["Biscoe", "Dream", "Torgersen"] },
      drift: { lInfinity: 0.25 },
    },
    {
      name: "Beak Length (mm)",
      type: "FLOAT",
      presence: { minFraction: 0.9 },
      domain: { min: 25, max: 70 },
      drift: { jensenShannon: 0.3 },
    },
    {
      name: "Beak Depth (mm)",
      type: "FLOAT",
      presence: { minFraction: 0.9 },
      domain: { min: 10, max: 25 },
      drift: { jensenShannon: 0.3 },
    },
    {
      name: "Flipper Length (mm)",
      type: "INT",
      presence: { minFraction: 0.9 },
      domain: { min: 150, max: 250 },
    },
    {
      name: "Body Mass (g)",
      type: "INT",
      presence: { minFraction: 0.9 },
      domain: { min: 2000, max: 7000 },
      drift: { jensenShannon: 0.3 },
    },
    { name: "Sex", type: "STRING", presence: { minFraction: 0.9 }, domain: { values: ["MALE", "FEMALE"] } },
  ],
  policy: { maxBadRowFraction: 0.2, dedupeByContent: true, minRows: 1 },
};
const v1 = parseSchema(JSON.stringify(PENGUINS_V1), "penguins/v1.json");
const v2 = (change: (features: Feature[]) => Feature[]): DatasetSchema => ({
  ...v1,
  version: 2,
  features: change([...v1.features]),
});
const edit = (name: string, patch: Partial<Feature>) => (fs: Feature[]) =>
  fs.map((f) => (f.name === name ? ({ ...f, ...patch } as Feature) : f));

describe("compatibilityProblems", () => {
  it("accepts an identical next version in every mode", () => {
    for (const mode of ["BACKWARD", "FORWARD", "FULL"] as const)
      expect(
        compatibilityProblems(
          v1,
          v2((f) => f),
          mode,
        ),
      ).toEqual([]);
  });

  it("BACKWARD: a required added feature needs a default; an optional one is fine", () => {
    const required = v2((fs) => [
      ...fs,
      { name: "Age", column: "age", type: "INT", presence: { minFraction: 1 } },
    ]);
    expect(compatibilityProblems(v1, required, "BACKWARD")).toEqual([
      'v1→v2 BACKWARD: added feature "Age" is required (presence.minFraction 1) in SERVING, TRAINING but has no default, and data written under the older version lacks it',
    ]);
    expect(compatibilityProblems(v1, required, "FORWARD")).toEqual([]);
    const defaulted = v2((fs) => [
      ...fs,
      { name: "Age", column: "age", type: "INT", presence: { minFraction: 1 }, default: 0 },
    ]);
    expect(compatibilityProblems(v1, defaulted, "BACKWARD")).toEqual([]);
    const optional = v2((fs) => [
      ...fs,
      { name: "Age", column: "age", type: "INT", presence: { minFraction: 0.5 } },
    ]);
    expect(compatibilityProblems(v1, optional, "FULL")).toEqual([]);
  });

  it("removing a required feature breaks FORWARD only; removing an optional one breaks nothing", () => {
    const noIsland = v2((fs) => fs.filter((f) => f.name !== "Island"));
    expect(compatibilityProblems(v1, noIsland, "BACKWARD")).toEqual([]);
    expect(compatibilityProblems(v1, noIsland, "FORWARD")).toEqual([
      'v1→v2 FORWARD: removed feature "Island" is required by the older version in SERVING, TRAINING',
    ]);
    expect(
      compatibilityProblems(
        v1,
        v2((fs) => fs.filter((f) => f.name !== "Sex")),
        "FULL",
      ),
    ).toEqual([]);
  });

  it("type changes: INT → FLOAT widens into a new column (BACKWARD ok, FORWARD breaks); STRING → INT breaks both", () => {
    const widened = v2(edit("Body Mass (g)", { type: "FLOAT", column: "body_mass_g_float" }));
    expect(compatibilityProblems(v1, widened, "BACKWARD")).toEqual([]);
    expect(compatibilityProblems(v1, widened, "FORWARD")).toEqual([
      'v1→v2 FORWARD: feature "Body Mass (g)" changed type INT → FLOAT; the older version cannot read FLOAT values',
    ]);
    const changed = v2(edit("Sex", { type: "INT", domain: undefined }));
    expect(compatibilityProblems(v1, changed, "FULL")).toHaveLength(2);
  });

  it("INT → FLOAT in place breaks in every mode: Athena cannot read the INT64 files through DOUBLE", () => {
    const inPlace = v2(edit("Body Mass (g)", { type: "FLOAT" }));
    const problem =
      'v1→v2: feature "Body Mass (g)" changed type INT → FLOAT in column body_mass_g: Athena cannot read the ' +
      "INT64 Parquet files written under v1 through a DOUBLE column. Give the FLOAT feature a new column " +
      '(e.g. "column": "body_mass_g_float"), then run `lakeline reprocess penguins --all` so the current ' +
      "state holds every blob in it";
    for (const mode of ["BACKWARD", "FORWARD", "FULL"] as const)
      expect(compatibilityProblems(v1, inPlace, mode)).toEqual([problem]);
    // Only the widening may move a column, and only to one the older version did not use
    const moved = v2(edit("Body Mass (g)", { column: "mass" }));
    expect(compatibilityProblems(v1, moved, "BACKWARD")).toEqual([
      'v1→v2: feature "Body Mass (g)" moved from column body_mass_g to mass; older files hold body_mass_g',
    ]);
    const onto = v2(edit("Body Mass (g)", { type: "FLOAT", column: "flipper_length_mm" }));
    expect(compatibilityProblems(v1, onto, "BACKWARD")).toContain(
      'v1→v2: feature "Body Mass (g)" moved from column body_mass_g to flipper_length_mm; older files hold body_mass_g',
    );
  });

  it("domains: narrowing breaks BACKWARD, widening breaks FORWARD", () => {
    const fewer = v2(edit("Island", { domain: { values: ["Biscoe", "Dream"] } }));
    expect(compatibilityProblems(v1, fewer, "BACKWARD")).toEqual([
      'v1→v2 BACKWARD: feature "Island" domain narrowed: values "Torgersen" removed',
    ]);
    expect(compatibilityProblems(v1, fewer, "FORWARD")).toEqual([]);
    const more = v2(edit("Island", { domain: { values: ["Biscoe", "Dream", "Torgersen", "Anvers"] } }));
    expect(compatibilityProblems(v1, more, "BACKWARD")).toEqual([]);
    expect(compatibilityProblems(v1, more, "FORWARD")).toEqual([
      'v1→v2 FORWARD: feature "Island" domain widened: values "Anvers" added',
    ]);
    const tighter = v2(edit("Body Mass (g)", { domain: { min: 2500, max: 7000 } }));
    expect(compatibilityProblems(v1, tighter, "BACKWARD")).toEqual([
      'v1→v2 BACKWARD: feature "Body Mass (g)" domain narrowed: min 2000 → 2500',
    ]);
    const looser = v2(edit("Body Mass (g)", { domain: { min: 2000 } }));
    expect(compatibilityProblems(v1, looser, "BACKWARD")).toEqual([]);
    expect(compatibilityProblems(v1, looser, "FORWARD")).toEqual([
      'v1→v2 FORWARD: feature "Body Mass (g)" domain widened: max 7000 → none',
    ]);
  });

  it("a feature moving to another column breaks every mode", () => {
    const moved = v2(edit("Island", { column: "island_name" }));
    for (const mode of ["BACKWARD", "FORWARD", "FULL"] as const) {
      expect(compatibilityProblems(v1, moved, mode)).toEqual([
        'v1→v2: feature "Island" moved from column island to island_name; older files hold island',
      ]);
    }
  });

  it("making an optional feature required breaks BACKWARD unless it has a default; the reverse breaks FORWARD", () => {
    const required = v2(edit("Sex", { presence: { minFraction: 1 } }));
    expect(compatibilityProblems(v1, required, "BACKWARD")).toHaveLength(2); // TRAINING and SERVING
    expect(
      compatibilityProblems(v1, v2(edit("Sex", { presence: { minFraction: 1 }, default: null })), "BACKWARD"),
    ).toEqual([]);
    const relaxed = v2(edit("Island", { presence: { minFraction: 0.5 } }));
    expect(compatibilityProblems(v1, relaxed, "BACKWARD")).toEqual([]);
    expect(compatibilityProblems(v1, relaxed, "FORWARD")).toHaveLength(2);
  });
});

describe("registryProblems", () => {
  it("requires versions 1…N and the folder's dataset name", () => {
    expect(registryProblems("penguins", [v1], [1])).toEqual([]);
    expect(registryProblems("penguins", [v1], [1, 3])).toEqual([
      "penguins: versions must run 1…N without gaps; found v1, v3",
    ]);
    expect(registryProblems("birds", [v1], [1])).toEqual([
      'birds/v1.json: dataset is "penguins" but the file sits under birds/',
    ]);
  });
});
