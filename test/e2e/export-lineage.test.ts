/**
 * An export's lineage across several runs, through the CLI: cars ingested in three uploads, exported,
 * one upload re-processed under a new schema version, exported again. Each export records the
 * warehouse snapshot it read as ONE input (and one members record), yet `lakeline lineage` walks
 * from a raw key down to every export that read its data, and from an export's hash up to the raw
 * blobs of exactly the files it read; the SQL views show the same links.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FsObjectStore } from "../../src/adapters/local/fs-store.js";
import type { LineageGraph } from "../../src/core/lineage/graph.js";
import type { ExportResult } from "../../src/pipeline/export/export.js";
import { loadSnapshot } from "../../src/pipeline/lineage/query.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { EARLY, LATE, releaseDraft, releaseFix, writeLines } from "./cars-support.js";
import { sourcesOf } from "./export-support.js";

const RAW = ["cars/training/cars-a.json", "cars/training/cars-b.json", "cars/training/cars-c.json"];

describe("an export's lineage across runs", () => {
  let lake: string;
  let schemas: string;
  const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);
  const read = (...args: string[]) => runCli(...args, "--lake", lake);
  const graphOf = async (ref: string, ...extra: string[]): Promise<LineageGraph> => {
    const r = await read("lineage", ref, "--format", "json", ...extra);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LineageGraph;
  };
  const names = (g: LineageGraph, type: string) =>
    g.nodes
      .filter((n) => n.kind === "artifact" && n.type === type)
      .map((n) => (n.kind === "artifact" ? n.name : ""))
      .sort();
  const exportRuns = (g: LineageGraph) =>
    g.nodes
      .filter((n) => n.kind === "execution" && n.type === "Export")
      .map((n) => (n.kind === "execution" ? n.runId : ""))
      .sort();
  const exportIt = async (): Promise<ExportResult> => {
    const r = await cli("export", "cars", "--json");
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ExportResult;
  };
  let first: ExportResult;
  let second: ExportResult;
  let fromRawBefore: LineageGraph;
  let fromExportBefore: LineageGraph;

  beforeAll(async () => {
    // Prepare: three uploads, an export and its lineage; then one upload re-processed under v2 and a second export.
    const dir = await tempDir("export-lineage");
    lake = path.join(dir, "lake");
    schemas = path.join(dir, "schemas");
    const half = Math.floor(LATE.length / 2);
    const files = [
      writeLines(dir, "cars-a.json", EARLY),
      writeLines(dir, "cars-b.json", LATE.slice(0, half)),
      writeLines(dir, "cars-c.json", LATE.slice(half)),
    ];
    await releaseDraft(files[0]!, schemas);
    for (const f of files) expect((await cli("ingest", f, "--dataset", "cars")).code).toBeLessThan(2);
    first = await exportIt();
    fromRawBefore = await graphOf(RAW[0]!);
    fromExportBefore = await graphOf(first.md5!, "--direction", "up");
    releaseFix(schemas);
    const again = await cli("reprocess", "cars", "--key", RAW[1]!);
    expect(again.code, again.stderr).toBeLessThan(2);
    second = await exportIt();
  }, 180_000);

  it("walks from the first raw key down to the export that read it, before and after more runs", async () => {
    // Act
    const after = await graphOf(RAW[0]!);

    // Assess
    expect(exportRuns(fromRawBefore)).toEqual([first.runId]);
    expect(exportRuns(after)).toEqual([first.runId, second.runId].sort());
    expect(names(after, "Export")).toEqual([first.keys!.data, second.keys!.data].sort());
    // What the first query answered is still all there.
    const ids = new Set(after.nodes.map((n) => n.id));
    for (const n of fromRawBefore.nodes) expect(ids.has(n.id)).toBe(true);
  });

  it("walks from an export's hash up to the raw blobs of exactly the files it read", async () => {
    // Act
    const up1 = await graphOf(first.md5!, "--direction", "up");
    const up2 = await graphOf(second.md5!, "--direction", "up");

    // Assess: the re-processed upload's new file feeds the second export only.
    expect(up1).toEqual(fromExportBefore);
    for (const [graph, made] of [
      [up1, first],
      [up2, second],
    ] as const) {
      expect(names(graph, "RawBlob")).toEqual(RAW);
      expect(names(graph, "WarehouseFile")).toEqual((await sourcesOf(lake, made)).map((s) => s.key).sort());
      expect(names(graph, "WarehouseSnapshot")).toEqual(["cars"]);
    }
    expect(names(up2, "WarehouseFile")).not.toEqual(names(up1, "WarehouseFile"));
    const late = await graphOf(RAW[1]!, "--direction", "down");
    expect(exportRuns(late)).toEqual([first.runId, second.runId].sort());
  });

  it("stores one input event and one members record per export, and SQL derives the per-file links", async () => {
    // Prepare
    const store = new FsObjectStore(path.join(lake, "lineage"), "lineage");
    const snapshot = await loadSnapshot(store);
    const exec = snapshot.executions.find((e) => e.runId === first.runId)!;
    const storedEvents = fs
      .readdirSync(path.join(lake, "lineage", "mlmd", "events"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(lake, "lineage", "mlmd", "events", f), "utf8")))
      .filter((e: { executionId: string }) => e.executionId === exec.id);

    // Act
    const sql = await read(
      "query",
      `SELECT a.type, count(*) AS n FROM mlmd_events e JOIN mlmd_artifacts a ON a.id = e.artifact_id WHERE e.execution_id = '${exec.id}' AND e.type = 'INPUT' GROUP BY a.type ORDER BY a.type`,
      "--format",
      "json",
    );

    // Assess
    expect(storedEvents.map((e: { type: string }) => e.type).sort()).toEqual(["INPUT", "OUTPUT"]);
    expect(fs.readdirSync(path.join(lake, "lineage", "mlmd", "snapshot_members"))).toHaveLength(2);
    expect(snapshot.events.filter((e) => e.executionId === exec.id && e.type === "INPUT")).toHaveLength(
      RAW.length + 1,
    );
    expect(sql.stderr).toBe("");
    expect(JSON.parse(sql.stdout)).toEqual([
      { type: "WarehouseFile", n: RAW.length },
      { type: "WarehouseSnapshot", n: 1 },
    ]);
  });
});
