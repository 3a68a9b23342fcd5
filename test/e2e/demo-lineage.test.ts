/**
 * `lakeline demo` as a new user runs it, then the lineage acceptance: a warehouse Parquet file walks
 * back to its raw blob and schema version and forward to the export that includes it, and a model
 * recorded from that export walks back to the raw files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let lake: string;
let demo: { code: number; stdout: string; stderr: string };

interface Node {
  kind: string;
  type?: string;
  uri?: string;
  version?: string;
  name?: string;
}
interface Graph {
  nodes: Node[];
  edges: { from: string; to: string }[];
}

async function lineage(...args: string[]): Promise<Graph> {
  const r = await runCli("lineage", ...args, "--format", "json", "--lake", lake);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  lake = path.join(await tempDir("demo-lineage"), "lake");
  demo = await runCli("demo", "--lake", lake, "--rows", "20000");
});

describe("lakeline demo", () => {
  it("runs the whole journey with real data and exits 0", () => {
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    for (const step of [
      "1. Sample data",
      "2. Upload each into raw/",
      "3. SQL over the warehouse",
      "4. A retraining export",
      "5. Lineage",
    ]) {
      expect(demo.stdout).toContain(step);
    }
    expect(demo.stdout).toContain(
      "✓ flights/training/flights-2001-01.csv: read 20000, written 19997, quarantined 3",
    );
    expect(demo.stdout).toContain("✓ penguins/training/penguins.json: read 344, written 343, quarantined 1");
    expect(demo.stdout).not.toContain("counts do not add up");
  });

  it("refuses to wipe a lake it did not create", async () => {
    const other = path.join(await tempDir("demo-lineage"), "mine");
    fs.mkdirSync(path.join(other, "warehouse"), { recursive: true });
    const r = await runCli("demo", "--lake", other);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/holds data the demo did not make .*pass --lake <new dir>/);
    expect(fs.existsSync(path.join(other, "warehouse"))).toBe(true);
  });

  it("re-runs over its own lake, but never deletes data a user ingested into it", async () => {
    // Prepare: a demo lake, re-run once untouched (allowed), then a user's own ingest into it.
    const mine = path.join(await tempDir("demo-lineage"), "demo-then-mine");
    expect((await runCli("demo", "--lake", mine, "--rows", "2000")).code).toBe(0);
    expect((await runCli("demo", "--lake", mine, "--rows", "2000")).code).toBe(0);
    const cars = path.join(await tempDir("demo-lineage"), "my-penguins.json");
    const all = JSON.parse(
      fs.readFileSync("node_modules/vega-datasets/data/penguins.json", "utf8"),
    ) as object[];
    fs.writeFileSync(cars, JSON.stringify(all.slice(0, 100)));
    const ingested = await runCli("ingest", cars, "--dataset", "penguins", "--lake", mine, "--json");
    expect(JSON.parse(ingested.stdout).status).toBe("ok");
    const userRaw = path.join(mine, "raw", "penguins", "training", "my-penguins.json");
    const before = fs.readdirSync(mine, { recursive: true }).map(String).sort();
    // Act
    const again = await runCli("demo", "--lake", mine, "--rows", "2000");
    // Assess: refused with a reason, nothing deleted
    expect(again.code).toBe(64);
    expect(again.stderr).toContain("raw/penguins/training/my-penguins.json");
    expect(again.stderr).toContain("the demo never deletes it");
    expect(fs.readFileSync(userRaw)).toEqual(fs.readFileSync(cars));
    expect(fs.readdirSync(mine, { recursive: true }).map(String).sort()).toEqual(before);
  });
});

describe("lineage after the demo", () => {
  it("walks a warehouse file back to its raw blob and schema, and forward to the export", async () => {
    const warehouse = fs
      .readdirSync(path.join(lake, "warehouse", "flights"), { recursive: true })
      .map(String)
      .find((f) => f.endsWith(".parquet"))!;
    const uri = `file://${path.join(lake, "warehouse", "flights", warehouse)}`;
    const up = await lineage(uri, "--direction", "up");
    const upTypes = up.nodes
      .filter((n) => n.kind === "artifact")
      .map((n) => n.type)
      .sort();
    expect(upTypes).toEqual(["RawBlob", "Schema", "WarehouseFile"]);
    expect(up.nodes.find((n) => n.type === "Schema")!.uri).toMatch(/schemas\/flights\/v1\.json$/);
    const raw = up.nodes.find((n) => n.type === "RawBlob")!;
    const hash = await runCli("hash", path.join(lake, "raw", "flights", "training", "flights-2001-01.csv"));
    expect(raw.version).toBe(hash.stdout.trim());

    const down = await lineage(uri, "--direction", "down");
    const exported = down.nodes.find((n) => n.type === "Export")!;
    expect(exported).toBeDefined();
    const version = exported.version!.replace(/\.dir$/, "");
    const dvc = fs.readFileSync(path.join(lake, "exports", "flights", version, "flights.dvc"), "utf8");
    expect(dvc).toContain(`md5: ${exported.version}`);
  });

  it("lets a trainer record a model from the export; the model walks back to the raw files", async () => {
    const exportsDir = path.join(lake, "exports", "flights");
    const version = fs.readdirSync(exportsDir)[0]!;
    const rec = await runCli(
      "lineage",
      "record",
      "--execution",
      "train",
      "--input",
      version,
      "--output",
      "s3://models/flights/1",
      "--property",
      "framework=xgboost",
      "--lake",
      lake,
    );
    expect(rec.stderr).toBe("");
    expect(rec.code).toBe(0);
    const up = await lineage("s3://models/flights/1", "--direction", "up");
    const rawKeys = up.nodes
      .filter((n) => n.type === "RawBlob")
      .map((n) => path.basename(n.uri!))
      .sort();
    expect(rawKeys).toEqual(["flights-2001-01.csv", "flights-2001-02.csv.gz"]);
    expect(up.nodes.some((n) => n.type === "Model")).toBe(true);
  });
});
