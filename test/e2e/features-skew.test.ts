/**
 * Training–serving skew through the CLI on stocks.csv: SERVING batches are compared with the latest
 * TRAINING batch using the schema's skew thresholds (TFDV's skew comparators). A serving batch of one
 * symbol's recent prices is flagged on both features, with the value (checked against a distance
 * computed here from the raw counts), the threshold and both batches; a serving batch drawn like the
 * training data is not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Anomaly } from "../../src/core/validate/anomaly.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let dir: string;
let lake: string;
const lines = fs.readFileSync(path.join(VEGA, "stocks.csv"), "utf8").trim().split("\n").slice(1);
const header = "symbol,date,price";

async function ingest(name: string, rows: readonly string[], env: string) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${header}\n${rows.join("\n")}\n`);
  const out = await runCli("ingest", file, "--dataset", "stocks", "--env", env, "--lake", lake, "--json");
  expect(out.code, out.stdout).toBe(0);
  return JSON.parse(out.stdout) as { anomalies: Anomaly[]; rawKey: string };
}

beforeAll(async () => {
  dir = await tempDir("skew");
  lake = path.join(dir, "lake");
  await ingest("stocks-train.csv", lines, "training");
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("training–serving skew", () => {
  it("flags a serving batch of one symbol's recent prices on both features, with value, threshold and both batches", async () => {
    // Prepare
    const serving = lines.filter((l) => l.startsWith("AAPL,") && /20(08|09|10)$/.test(l.split(",")[1]!));
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.split(",")[0]!, (counts.get(l.split(",")[0]!) ?? 0) + 1);
    const lInf = Math.max(
      ...[...counts].map(([s, n]) => Math.abs((s === "AAPL" ? 1 : 0) - n / lines.length)),
    );
    // Act
    const result = await ingest("stocks-serving-aapl.csv", serving, "serving");
    // Assess
    const skew = result.anomalies.filter((a) => a.comparison?.kind === "SKEW");
    expect(skew.map((a) => [a.type, a.feature])).toEqual([
      ["COMPARATOR_L_INFTY_HIGH", "symbol"],
      ["COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH", "price"],
    ]);
    const [sym, price] = skew as [Anomaly, Anomaly];
    expect(sym.value).toBeCloseTo(lInf, 12);
    expect(sym.threshold).toBe(0.2);
    expect(sym.shortDescription).toBe("High Linfty distance between training and serving");
    expect(sym.comparison).toEqual({
      kind: "SKEW",
      metric: "L_INFINITY",
      current: { label: result.rawKey, environment: "SERVING", rowsRead: serving.length, schemaVersion: 1 },
      baseline: {
        label: expect.stringMatching(/^_stats\/stocks\/training\/.+\.json$/),
        environment: "TRAINING",
        rowsRead: lines.length,
        schemaVersion: 1,
      },
    });
    expect(price.value).toBeGreaterThan(0.3);
    expect(price.threshold).toBe(0.3);
    expect(price.description).toContain("between training and serving is");
    // Both batches are named as drift names them: the baseline by its run, not only its statistics key.
    expect(sym.description).toMatch(
      /training baseline: _stats\/stocks\/training\/.+\.json \(run [0-9a-f-]{36}, \d+ rows\)\.$/,
    );
  });

  it("does not flag a serving batch drawn like the training data", async () => {
    // Act
    const result = await ingest(
      "stocks-serving-like.csv",
      lines.filter((_, i) => i % 2 === 0),
      "serving",
    );
    // Assess
    expect(result.anomalies.filter((a) => a.comparison?.kind === "SKEW")).toEqual([]);
  });
});
