import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const cli = runCli;

/** A copy of the repository's schemas folder plus a penguins v2 derived from v1 by `change`. */
async function withPenguinsV2(
  change: (v1: Record<string, unknown> & { features: Record<string, unknown>[] }) => void,
): Promise<string> {
  const dir = await tempDir("schemas");
  cpSync("schemas", dir, { recursive: true });
  const v2 = JSON.parse(readFileSync("schemas/penguins/v1.json", "utf8"));
  v2.version = 2;
  change(v2);
  writeFileSync(path.join(dir, "penguins", "v2.json"), JSON.stringify(v2, null, 2));
  return dir;
}

describe("lakeline schema check", () => {
  it("passes on the repository's schemas/ and prints a summary table", async () => {
    const r = await cli("schema", "check", "--schemas", "schemas");
    expect(r.code).toBe(0);
    for (const ds of ["flights", "movies", "penguins", "stocks", "weather"])
      expect(r.stdout).toMatch(new RegExp(`${ds}\\s+v1\\s+\\d+\\s+ok`));
    const json = JSON.parse(
      (await cli("schema", "check", "--schemas", "schemas", "--json", "--mode", "FULL")).stdout,
    );
    expect(json).toMatchObject({ ok: true, mode: "FULL" });
    expect(json.datasets.map((d: { dataset: string }) => d.dataset)).toEqual([
      "flights",
      "movies",
      "penguins",
      "stocks",
      "weather",
    ]);
  });

  it("refuses a dataset named like another's history view, checking all datasets or one", async () => {
    // Prepare: penguins_history would be penguins' history view locally and in Glue
    const dir = await tempDir("schemas");
    cpSync("schemas", dir, { recursive: true });
    const v1 = JSON.parse(readFileSync("schemas/penguins/v1.json", "utf8"));
    cpSync(path.join(dir, "penguins"), path.join(dir, "penguins_history"), { recursive: true });
    writeFileSync(
      path.join(dir, "penguins_history", "v1.json"),
      JSON.stringify({ ...v1, dataset: "penguins_history" }, null, 2),
    );
    // Act
    const checked = await cli("schema", "check", "--schemas", dir);
    const one = await cli("schema", "check", "penguins", "--schemas", dir);
    // Assess: both datasets are named, whichever is checked
    expect(checked.code).toBe(1);
    const problem =
      "the relation name penguins_history would be both dataset penguins_history's table and dataset penguins's history";
    expect(checked.stdout).toContain(`penguins_history: ${problem}`);
    expect(checked.stdout).toContain(
      "penguins: the relation name penguins_history would be both dataset penguins's history and dataset penguins_history's table",
    );
    expect(one.code).toBe(1);
    expect(one.stdout).toContain("penguins: the relation name penguins_history");
  });

  it("fails on a breaking v2 and lists the change", async () => {
    // Removing a categorical value narrows the domain: v2 cannot read v1 data holding "Torgersen".
    const dir = await withPenguinsV2((v2) => {
      v2.features[1]!.domain = { values: ["Biscoe", "Dream"] };
    });
    const r = await cli("schema", "check", "--schemas", dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/penguins\s+v1 v2\s+7\s+1 problem/);
    expect(r.stdout).toContain(
      'penguins v1→v2 BACKWARD: feature "Island" domain narrowed: values "Torgersen" removed',
    );
    expect(r.stderr).toContain("schema check failed: 1 problem");
  });

  it("passes on a compatible v2 (an optional feature added, a range widened)", async () => {
    const dir = await withPenguinsV2((v2) => {
      v2.features.push({ name: "Clutch Completion", type: "BOOL", presence: { minFraction: 0.5 } });
      v2.features[5]!.domain = { min: 1000, max: 8000 };
    });
    const r = await cli("schema", "check", "penguins", "--schemas", dir);
    expect(r.stdout).toMatch(/penguins\s+v1 v2\s+8\s+ok/);
    expect(r.code).toBe(0);
    // The same change read FORWARD (old readers, new data) widens the range: breaking.
    const forward = await cli("schema", "check", "penguins", "--schemas", dir, "--mode", "forward", "--json");
    expect(forward.code).toBe(1);
    expect(JSON.parse(forward.stdout).datasets[0].problems).toEqual([
      'penguins v1→v2 FORWARD: feature "Body Mass (g)" domain widened: min 2000 → 1000',
      'penguins v1→v2 FORWARD: feature "Body Mass (g)" domain widened: max 7000 → 8000',
    ]);
  });

  it("names the file and JSON path of format errors, gaps in versions and a wrong dataset", async () => {
    const dir = await withPenguinsV2((v2) => {
      v2.features[4]!.type = "INTEGER";
      v2.dataset = "birds";
    });
    writeFileSync(
      path.join(dir, "weather", "v3.json"),
      readFileSync("schemas/weather/v1.json", "utf8").replace('"version": 1', '"version": 3'),
    );
    const r = await cli("schema", "check", "--schemas", dir, "--json");
    expect(r.code).toBe(1);
    const problems = Object.fromEntries(
      JSON.parse(r.stdout).datasets.map((d: { dataset: string; problems: string[] }) => [
        d.dataset,
        d.problems,
      ]),
    );
    expect(problems.penguins).toEqual([
      expect.stringMatching(
        /^penguins\/v2\.json: \$\.features\[4\]\.type \("Flipper Length \(mm\)"\): Invalid option/,
      ),
    ]);
    expect(problems.weather).toEqual(["weather: versions must run 1…N without gaps; found v1, v3"]);
    expect(problems.flights).toEqual([]);
    // A wrong dataset name in a file that otherwise parses.
    const renamed = await withPenguinsV2((v2) => {
      v2.dataset = "birds";
    });
    const r2 = JSON.parse((await cli("schema", "check", "penguins", "--schemas", renamed, "--json")).stdout);
    expect(r2.datasets[0].problems).toContain(
      'penguins/v2.json: dataset is "birds" but the file sits under penguins/',
    );
  });

  it("rejects an unknown mode as a usage error", async () => {
    expect((await cli("schema", "check", "--schemas", "schemas", "--mode", "SIDEWAYS")).code).toBe(64);
  });
});
