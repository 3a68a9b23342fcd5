import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineageViewsSql } from "../../../src/adapters/duckdb/lineage-views.js";
import { md5Hex } from "../../../src/core/hash/dvc.js";
import { deterministicUuid } from "../../../src/core/hash/uuid.js";
import type { LineageGraph } from "../../../src/core/lineage/graph.js";
import { renderLineage } from "../../../src/core/lineage/render.js";
import type { LineageSnapshot } from "../../../src/core/lineage/types.js";
import {
  artifactsByType,
  eventsByArtifact,
  eventsByExecution,
  executionIO,
  lineageOf,
  loadSnapshot,
} from "../../../src/pipeline/lineage/query.js";
import { recordExecution } from "../../../src/pipeline/lineage/record-execution.js";
import { createLineageRecorder, type DatasetRef } from "../../../src/pipeline/lineage/recorder.js";
import { exportRef, rawRef, tempDir, warehouseRef, zones } from "./fixtures.js";

let dir: string;
let snap: LineageSnapshot;
const MODEL_URI = "s3://models/penguins/classifier.onnx";
const EXPORT_VERSION = `${md5Hex("export manifest")}.dir`;

/** raw ×2 → ingest ×2 → warehouse ×2 → export → Export → train → Model, plus an unrelated movies ingest. */
async function buildChain(): Promise<void> {
  const z = zones(dir);
  const recorder = createLineageRecorder(z.lineage);
  const t = (s: number) => new Date(Date.UTC(2024, 5, 1, 10, 0, s));
  const warehouses: DatasetRef[] = [];
  for (const i of [1, 2]) {
    const raw = {
      ...rawRef(z.raw.namespace, `penguins/training/batch-${i}.json`),
      version: md5Hex(`batch-${i}`),
    };
    const run = await recorder.start({
      runId: deterministicUuid("ingest", String(i)),
      jobName: "ingest.penguins",
      executionType: "Ingest",
      eventTime: t(i),
      inputs: [raw],
    });
    const wh = warehouseRef(z.warehouse.namespace, String(i));
    warehouses.push(wh);
    await run.complete({ eventTime: t(i + 1), outputs: [wh] });
  }
  const movies = await recorder.start({
    runId: deterministicUuid("ingest", "movies"),
    jobName: "ingest.movies",
    executionType: "Ingest",
    eventTime: t(5),
    inputs: [
      {
        namespace: z.raw.namespace,
        name: "movies/movies.json",
        artifactType: "RawBlob",
        version: md5Hex("m"),
      },
    ],
  });
  await movies.complete({
    eventTime: t(6),
    outputs: [
      {
        namespace: z.warehouse.namespace,
        name: "movies/part-0.parquet",
        artifactType: "WarehouseFile",
        version: md5Hex("mp"),
      },
    ],
  });
  const exp = await recorder.start({
    runId: deterministicUuid("export", "penguins"),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: t(10),
    inputs: warehouses,
  });
  await exp.complete({ eventTime: t(11), outputs: [exportRef(z.exports.namespace, EXPORT_VERSION)] });
  await recordExecution(z.lineage, {
    executionType: "Train",
    inputs: [EXPORT_VERSION],
    outputs: [{ uri: MODEL_URI, artifactType: "Model", version: md5Hex("weights") }],
    properties: { epochs: 10 },
    eventTime: t(20),
  });
}

beforeAll(async () => {
  dir = await tempDir("query");
  await buildChain();
  snap = await loadSnapshot(zones(dir).lineage);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const artifactNames = (g: LineageGraph) =>
  g.nodes
    .filter((n) => n.kind === "artifact")
    .map((n) => n.name)
    .sort();
const executionJobs = (g: LineageGraph) =>
  g.nodes
    .filter((n) => n.kind === "execution")
    .map((n) => n.jobName)
    .sort();

describe("lineage queries", () => {
  it("lists artifacts by type and events by artifact and execution", () => {
    expect(
      artifactsByType(snap, "RawBlob")
        .map((a) => a.name)
        .sort(),
    ).toEqual(["movies/movies.json", "penguins/training/batch-1.json", "penguins/training/batch-2.json"]);
    expect(artifactsByType(snap, "Model").map((a) => a.uri)).toEqual([MODEL_URI]);
    const exportArtifact = artifactsByType(snap, "Export")[0]!;
    expect(eventsByArtifact(snap, exportArtifact.id).map((e) => e.type)).toEqual(["OUTPUT", "INPUT"]);
    const exportRun = executionIO(snap, deterministicUuid("export", "penguins"))!;
    expect(exportRun.inputs.map((a) => a.type)).toEqual(["WarehouseFile", "WarehouseFile"]);
    expect(exportRun.outputs.map((a) => a.version)).toEqual([EXPORT_VERSION]);
    expect(eventsByExecution(snap, exportRun.execution.id)).toHaveLength(3);
  });

  it("walks upstream from a model to the raw files that fed it (and nothing else)", () => {
    const g = lineageOf(snap, MODEL_URI, { direction: "up" });
    expect(artifactNames(g)).toEqual([
      "penguins/2024-06-02T00-00-00Z",
      "penguins/classifier.onnx",
      "penguins/ingest_date=2024-06-01/part-1.parquet",
      "penguins/ingest_date=2024-06-01/part-2.parquet",
      "penguins/training/batch-1.json",
      "penguins/training/batch-2.json",
    ]);
    expect(executionJobs(g)).toEqual([
      "export.penguins",
      "ingest.penguins",
      "ingest.penguins",
      "train.classifier",
    ]);
    expect(g.edges).toHaveLength(9);
  });

  it("walks downstream from a raw blob to the model, by key or by version hash", () => {
    const byKey = lineageOf(snap, "penguins/training/batch-1.json", { direction: "down" });
    const byHash = lineageOf(snap, md5Hex("batch-1").slice(0, 8), { direction: "down" });
    expect(byHash).toEqual(byKey);
    expect(artifactNames(byKey)).toEqual([
      "penguins/2024-06-02T00-00-00Z",
      "penguins/classifier.onnx",
      "penguins/ingest_date=2024-06-01/part-1.parquet",
      "penguins/training/batch-1.json",
    ]);
  });

  it("limits the walk by hops and goes both ways", () => {
    expect(artifactNames(lineageOf(snap, MODEL_URI, { direction: "up", depth: 1 }))).toEqual([
      "penguins/2024-06-02T00-00-00Z",
      "penguins/classifier.onnx",
    ]);
    expect(artifactNames(lineageOf(snap, MODEL_URI, { direction: "up", depth: 2 }))).toHaveLength(4);
    const both = lineageOf(snap, EXPORT_VERSION, { direction: "both" });
    expect(artifactNames(both)).toHaveLength(6);
    expect(executionJobs(both)).toContain("train.classifier");
    expect(lineageOf(snap, "nothing-like-this", {}).roots).toEqual([]);
  });

  it("renders tree, json, dot and mermaid", () => {
    const g = lineageOf(snap, MODEL_URI, { direction: "up" });
    const tree = renderLineage(g, "tree");
    expect(tree.split("\n")[0]).toBe(`${MODEL_URI} [Model] @ ${md5Hex("weights")}`);
    expect(tree).toMatch(/└─ Train train\.classifier \(COMPLETE\) run /);
    expect(tree).toContain(`penguins/training/batch-2.json [RawBlob] @ ${md5Hex("batch-2")}`);
    expect(JSON.parse(renderLineage(g, "json"))).toEqual(JSON.parse(JSON.stringify(g)));

    const dot = renderLineage(g, "dot");
    expect(dot.startsWith("digraph lineage {")).toBe(true);
    expect(dot.match(/ -> /g)).toHaveLength(g.edges.length);
    const mermaid = renderLineage(g, "mermaid");
    const defined = new Set([...mermaid.matchAll(/^ {2}(n[0-9a-f]+)[[(]/gm)].map((m) => m[1]));
    const used = [...mermaid.matchAll(/^ {2}(n[0-9a-f]+) --> (n[0-9a-f]+)$/gm)].flatMap((m) => [m[1], m[2]]);
    expect(defined.size).toBe(g.nodes.length);
    expect(used).toHaveLength(g.edges.length * 2);
    for (const id of used) expect(defined.has(id)).toBe(true);
  });
});

describe("lineage SQL views (DuckDB)", () => {
  async function query(root: string, sql: string): Promise<Record<string, unknown>[]> {
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      for (const stmt of lineageViewsSql(root)) await conn.run(stmt);
      return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      conn.closeSync();
    }
  }

  it("work on a lake with no lineage yet", async () => {
    const empty = path.join(dir, "empty-lineage");
    const rows = await query(
      empty,
      "SELECT (SELECT count(*) FROM lineage_events) AS ev, (SELECT count(*) FROM mlmd_artifacts) AS a, (SELECT count(*) FROM mlmd_executions) AS e, (SELECT count(*) FROM mlmd_events) AS m",
    );
    expect(rows).toEqual([{ ev: "0", a: "0", e: "0", m: "0" }]);
  });

  it("expose every record, resolved execution states and OpenLineage events", async () => {
    const root = zones(dir).lineage.root;
    const [counts] = await query(
      root,
      "SELECT (SELECT count(*) FROM lineage_events) AS ev, (SELECT count(*) FROM mlmd_artifacts) AS a, (SELECT count(*) FROM mlmd_executions) AS e, (SELECT count(*) FROM mlmd_events) AS m",
    );
    expect(counts).toEqual({
      ev: String(snap.executions.length * 2),
      a: String(snap.artifacts.length),
      e: String(snap.executions.length),
      m: String(snap.events.length),
    });
    const states = await query(root, "SELECT job_name, state FROM mlmd_executions ORDER BY job_name");
    expect(states.every((r) => r.state === "COMPLETE")).toBe(true);
    const ingests = await query(
      root,
      "SELECT count(*) AS n FROM lineage_events WHERE job_name = 'ingest.penguins' AND event_type = 'COMPLETE'",
    );
    expect(ingests).toEqual([{ n: "2" }]);
    // The model's raw sources, in SQL: Model ← train ← Export ← export ← WarehouseFile ← ingest ← RawBlob.
    const raws = await query(
      root,
      `WITH RECURSIVE up(artifact_id) AS (
         SELECT id FROM mlmd_artifacts WHERE uri = '${MODEL_URI}'
         UNION
         SELECT i.artifact_id FROM up
         JOIN mlmd_events o ON o.artifact_id = up.artifact_id AND o.type = 'OUTPUT'
         JOIN mlmd_events i ON i.execution_id = o.execution_id AND i.type = 'INPUT')
       SELECT a.name FROM up JOIN mlmd_artifacts a ON a.id = up.artifact_id WHERE a.type = 'RawBlob' ORDER BY a.name`,
    );
    expect(raws.map((r) => r.name)).toEqual([
      "penguins/training/batch-1.json",
      "penguins/training/batch-2.json",
    ]);
  });
});
