/**
 * `lakeline export` on penguins: deterministic versions, the DVC remote layout, as-of snapshots,
 * stable splits as data grows, environments, the dedupe guard, and lineage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { dvcDirHash } from "../../src/core/hash/dvc.js";
import { runCli, VEGA } from "../support/cli.js";
import { runEventErrors } from "../support/openlineage-validator.js";
import { tempDir } from "../support/temp.js";
import {
  dvcPull,
  exportJson,
  exportRows,
  folderDigest,
  ingest,
  manifestOf,
  rowId,
  sourcesOf,
} from "./export-support.js";

const FEATURES = [
  "species",
  "island",
  "beak_length_mm",
  "beak_depth_mm",
  "flipper_length_mm",
  "body_mass_g",
  "sex",
];
const PENGUINS = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8")) as Record<
  string,
  unknown
>[];

function writeJson(dir: string, name: string, rows: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(rows));
  return file;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("lakeline export (penguins)", () => {
  it("gives the same version twice and from another lake, hashes as `lakeline hash` does, and `dvc pull`s byte for byte", async () => {
    // Prepare
    const dir = await tempDir("export");
    const [lakeA, lakeB] = [path.join(dir, "a"), path.join(dir, "b")];
    await ingest(lakeA, path.join(VEGA, "penguins.json"), "penguins");
    await ingest(lakeB, path.join(VEGA, "penguins.json"), "penguins");
    // Act
    const first = await exportJson("penguins", "--lake", lakeA);
    const again = await exportJson("penguins", "--lake", lakeA);
    const other = await exportJson("penguins", "--lake", lakeB);
    const hashed = await runCli("hash", path.join(lakeA, "exports", first.keys!.data));
    const pulled = dvcPull(
      path.join(lakeA, "exports"),
      path.join(lakeA, "exports", first.keys!.dvcFile),
      path.join(dir, "repo"),
    );
    // Assess
    expect([first.status, again.status, other.status]).toEqual(["exported", "unchanged", "exported"]);
    expect(first.version).toMatch(/^[0-9a-f]{32}$/);
    expect(first.md5).toBe(`${first.version}.dir`);
    expect([again.version, other.version]).toEqual([first.version, first.version]);
    expect(first.totalRows).toBe(343); // 344 records, one quarantined by the schema
    expect(first.rows).toEqual({
      train: expect.any(Number),
      eval: expect.any(Number),
      test: expect.any(Number),
    });
    expect(folderDigest(path.join(lakeB, "exports", other.keys!.data))).toEqual(
      folderDigest(path.join(lakeA, "exports", first.keys!.data)),
    );
    expect(hashed.stdout.trim()).toBe(`${first.md5} ${first.size} ${first.nfiles}`);
    const dvcText = fs.readFileSync(path.join(lakeA, "exports", first.keys!.dvcFile), "utf8");
    expect(dvcText).toBe(
      `outs:\n- md5: ${first.md5}\n  size: ${first.size}\n  nfiles: 3\n  hash: md5\n  path: data\n`,
    );
    expect(pulled).toEqual({ md5: first.md5, nfiles: 3, size: first.size });
    expect(folderDigest(path.join(dir, "repo", "data"))).toEqual(
      folderDigest(path.join(lakeA, "exports", first.keys!.data)),
    );
    const manifest = manifestOf(lakeA, first);
    const sources = await sourcesOf(lakeA, first);
    expect(manifest).toMatchObject({
      dataset: "penguins",
      environment: "TRAINING",
      schemaVersion: 1,
      md5: first.md5,
      rows: first.rows,
      engine: "duckdb",
      runId: first.runId,
    });
    expect(sources).toHaveLength(1);
    expect(sources[0]!.md5).toMatch(/^[0-9a-f]{32}$/);
    // The committed runs are read from the commit markers as data, never listed in the SQL text.
    expect(manifest.query).toMatch(/"_run_id" IN \(\s+SELECT "runId"\s+FROM/);
    expect(manifest.query).toMatch(/FROM "lakeline_runs"\s+WHERE "dataset" = 'penguins'/);
    expect(manifest.query).not.toContain(sources[0]!.runId);
    const rows = await exportRows(path.join(lakeA, "exports", first.keys!.data));
    expect(Object.keys(rows[0]!).sort()).toEqual(["split", ...FEATURES].sort());
  });

  it("keeps every row's split when data grows, and --as-of before the growth reproduces the first version", async () => {
    // Prepare
    const dir = await tempDir("export");
    const lake = path.join(dir, "lake");
    await ingest(lake, writeJson(dir, "first.json", PENGUINS.slice(0, 200)), "penguins");
    const first = await exportJson("penguins", "--lake", lake);
    await sleep(25);
    await ingest(lake, writeJson(dir, "second.json", PENGUINS.slice(200)), "penguins");
    // Act
    const grown = await exportJson("penguins", "--lake", lake);
    const replayed = await exportJson("penguins", "--lake", lake, "--as-of", first.asOf!);
    // Assess
    expect(grown.version).not.toBe(first.version);
    expect(grown.totalRows).toBe(343);
    expect(first.totalRows).toBeLessThan(grown.totalRows);
    expect(replayed).toMatchObject({
      status: "unchanged",
      version: first.version,
      rows: first.rows,
      runId: first.runId,
    });
    const before = await exportRows(path.join(lake, "exports", first.keys!.data));
    const after = new Map<string, string>();
    for (const r of await exportRows(path.join(lake, "exports", grown.keys!.data)))
      after.set(rowId(r, FEATURES), String(r.split));
    const moved = before.filter((r) => after.get(rowId(r, FEATURES)) !== r.split);
    expect(before).toHaveLength(first.totalRows);
    expect(moved).toEqual([]);
    const events = path.join(lake, "lineage", "openlineage", "export.penguins", grown.runId!);
    const complete = JSON.parse(fs.readFileSync(path.join(events, "COMPLETE.json"), "utf8"));
    const start = JSON.parse(fs.readFileSync(path.join(events, "START.json"), "utf8"));
    expect([runEventErrors(start), runEventErrors(complete)]).toEqual([[], []]);
    expect([start.eventType, complete.eventType, start.job.name]).toEqual([
      "START",
      "COMPLETE",
      "export.penguins",
    ]);
    // The input is the warehouse table as one dataset, versioned by the snapshot (the DVC directory
    // hash of the files read): the event does not grow with history. The files are listed in the
    // source list the manifest names and recorded as ML-Metadata input artifacts.
    const sources = await sourcesOf(lake, grown);
    expect(sources).toHaveLength(2);
    for (const event of [start, complete]) {
      expect(event.inputs.map((i: { name: string }) => i.name)).toEqual(["penguins"]);
      expect(event.inputs[0].facets.version.datasetVersion).toBe(
        dvcDirHash(sources.map((f) => ({ relpath: f.key, md5: f.md5 }))),
      );
    }
    const artifacts = fs
      .readdirSync(path.join(lake, "lineage", "mlmd", "artifacts"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(lake, "lineage", "mlmd", "artifacts", f), "utf8")))
      .filter((a: { type: string }) => a.type === "WarehouseFile")
      .map((a: { uri: string }) => a.uri);
    for (const f of sources) expect(artifacts.some((uri: string) => uri.endsWith(f.key))).toBe(true);
    expect(complete.outputs[0]).toMatchObject({
      name: grown.keys!.data,
      facets: { version: { datasetVersion: grown.md5 } },
    });
  });

  it("exports SERVING rows without the label, honours --where and --split-key, and reports an empty snapshot", async () => {
    // Prepare
    const dir = await tempDir("export");
    const lake = path.join(dir, "lake");
    await ingest(lake, writeJson(dir, "train.json", PENGUINS.slice(0, 150)), "penguins");
    const serving = PENGUINS.slice(150, 250).map(({ Species: _label, ...rest }) => rest);
    await ingest(lake, writeJson(dir, "serving.json", serving), "penguins", "--env", "serving");
    // Act
    const served = await exportJson("penguins", "--lake", lake, "--env", "serving", "--split", "all=100");
    const biscoe = await exportJson(
      "penguins",
      "--lake",
      lake,
      "--where",
      "island = 'Biscoe'",
      "--split-key",
      "island,sex",
      "--split",
      "a=50,b=50",
    );
    const early = await exportJson("penguins", "--lake", lake, "--as-of", "2000-01-01T00:00:00Z");
    // Assess
    expect(served.totalRows).toBe(100);
    expect(served.rows).toEqual({ all: 100 });
    const servedRows = await exportRows(path.join(lake, "exports", served.keys!.data));
    expect(Object.keys(servedRows[0]!)).not.toContain("species");
    const biscoeRows = await exportRows(path.join(lake, "exports", biscoe.keys!.data));
    expect(biscoeRows.every((r) => r.island === "Biscoe")).toBe(true);
    expect(biscoeRows.length).toBe(PENGUINS.slice(0, 150).filter((p) => p.Island === "Biscoe").length);
    // The key is (island, sex): rows agreeing on both always share a split.
    const bySex = new Map<string, Set<unknown>>();
    for (const r of biscoeRows)
      bySex.set(String(r.sex), (bySex.get(String(r.sex)) ?? new Set()).add(r.split));
    for (const splits of bySex.values()) expect(splits.size).toBe(1);
    expect(early).toMatchObject({ status: "empty", version: null, totalRows: 0 });
    const code = (await runCli("export", "penguins", "--lake", lake, "--as-of", "2000-01-01T00:00:00Z")).code;
    expect(code).toBe(2);
  });

  it("keeps the rows of the latest processing when the same bytes were ingested twice (schema without content dedupe)", async () => {
    // Prepare
    const dir = await tempDir("export");
    const lake = path.join(dir, "lake");
    const schemas = path.join(dir, "schemas");
    const schema = JSON.parse(fs.readFileSync("schemas/penguins/v1.json", "utf8"));
    fs.mkdirSync(path.join(schemas, "penguins"), { recursive: true });
    fs.writeFileSync(
      path.join(schemas, "penguins", "v1.json"),
      JSON.stringify({ ...schema, policy: { ...schema.policy, dedupeByContent: false } }),
    );
    const file = writeJson(dir, "p.json", PENGUINS.slice(0, 100));
    const copy = path.join(dir, "p-again.json");
    fs.copyFileSync(file, copy);
    await ingest(lake, file, "penguins", "--schemas", schemas);
    await sleep(25);
    const second = await ingest(lake, copy, "penguins", "--schemas", schemas);
    // Act
    const warehouse = await runCli(
      "query",
      "SELECT count(*) AS n, count(DISTINCT _run_id) AS runs, (SELECT count(*) FROM penguins_history) AS history, (SELECT max(_run_id) FROM penguins) AS current FROM penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
      "--format",
      "json",
    );
    const result = await exportJson("penguins", "--lake", lake, "--schemas", schemas);
    // Assess
    expect(JSON.parse(warehouse.stdout)).toEqual([{ n: 100, runs: 1, history: 200, current: second.runId }]);
    expect(result.sources).toBe(1);
    expect(result.totalRows).toBe(100);
  });

  it("rejects bad requests with usage errors", async () => {
    const lake = await tempDir("export");
    const bad = [
      ["penguins", "--split", "train=80,eval=10"],
      ["penguins", "--split-key", "nope"],
      ["penguins", "--format", "csv"],
      ["penguins", "--env", "staging"],
      ["penguins", "--as-of", "yesterday"],
    ];
    for (const args of bad) {
      const r = await runCli("export", ...args, "--lake", lake);
      expect({ args, code: r.code }).toEqual({ args, code: 64 });
    }
  });
});
