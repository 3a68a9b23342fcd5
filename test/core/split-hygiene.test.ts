import { describe, expect, it } from "vitest";
import { splitWarnings } from "../../src/core/split/hygiene.js";

const spec = {
  seed: "s",
  parts: [
    { name: "train", percent: 80 },
    { name: "eval", percent: 10 },
    { name: "test", percent: 10 },
  ],
};

describe("splitWarnings", () => {
  it("is silent for a split near its request and a key without the label", () => {
    expect(
      splitWarnings({
        spec,
        rows: { train: 803, eval: 96, test: 101 },
        keyColumns: ["id"],
        labelColumn: "y",
      }),
    ).toEqual([]);
  });

  it("names a label in the key and every share more than 5 points off", () => {
    const w = splitWarnings({
      spec,
      rows: { train: 600, eval: 400, test: 0 },
      keyColumns: ["y", "x"],
      labelColumn: "y",
    });
    expect(w).toHaveLength(4);
    expect(w[0]).toMatch(/split key \(y, x\) contains the label column y/);
    expect(w.slice(1)).toEqual([
      expect.stringMatching(/^split train holds 60\.0% of 1000 rows, requested 80%/),
      expect.stringMatching(/^split eval holds 40\.0% of 1000 rows, requested 10%/),
      expect.stringMatching(/^split test holds 0\.0% of 1000 rows, requested 10%/),
    ]);
  });
});
