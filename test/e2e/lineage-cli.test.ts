import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md5Hex } from "../../src/core/hash/dvc.js";
import { deterministicUuid } from "../../src/core/hash/uuid.js";
import type { LineageGraph } from "../../src/core/lineage/graph.js";
import { loadSnapshot } from "../../src/pipeline/lineage/query.js";
import { createLineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import {
  exportRef,
  PENGUINS_FILE,
  rawRef,
  tempDir,
  warehouseRef,
  zones,
} from "../pipeline/lineage/fixtures.js";
import { runCli } from "../support/cli.js";
import { runEventErrors } from "../support/openlineage-validator.js";

let lake: string;
const EXPORT_VERSION = `${md5Hex("cli export")}.dir`;
const MODEL_URI = "s3://models/penguins/v3/model.onnx";

beforeAll(async () => {
  lake = await tempDir("cli");
  const z = zones(lake);
  const recorder = createLineageRecorder(z.lineage);
  const t = (s: number) => new Date(Date.UTC(2024, 5, 1, 9, 0, s));
  const raw = rawRef(z.raw.namespace);
  const wh = warehouseRef(z.warehouse.namespace);
  const ingest = await recorder.start({
    runId: deterministicUuid("i"),
    jobName: "ingest.penguins",
    executionType: "Ingest",
    eventTime: t(0),
    inputs: [raw],
  });
  await ingest.complete({ eventTime: t(1), outputs: [wh] });
  const exp = await recorder.start({
    runId: deterministicUuid("e"),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: t(2),
    inputs: [wh],
  });
  await exp.complete({ eventTime: t(3), outputs: [exportRef(z.exports.namespace, EXPORT_VERSION)] });
});
afterAll(async () => {
  await fs.rm(lake, { recursive: true, force: true });
});

describe("lakeline lineage", () => {
  it("--events prints every stored RunEvent as one valid JSON line, by eventTime", async () => {
    const { code, stdout: out } = await runCli("lineage", "--events", "--lake", lake);
    expect(code).toBe(0);
    const events = out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.job.name}:${e.eventType}`)).toEqual([
      "ingest.penguins:START",
      "ingest.penguins:COMPLETE",
      "export.penguins:START",
      "export.penguins:COMPLETE",
    ]);
    for (const e of events) expect(runEventErrors(e)).toEqual([]);
  });

  it("record --execution train links a model to an export; one upstream query then finds the raw files", async () => {
    // Act
    const rec = await runCli(
      "lineage",
      "record",
      "--execution",
      "train",
      "--input",
      EXPORT_VERSION,
      "--output",
      MODEL_URI,
      "--property",
      "epochs=10",
      "--property",
      "optimizer=adam",
      "--lake",
      lake,
    );
    const again = await runCli(
      "lineage",
      "record",
      "--execution",
      "train",
      "--input",
      EXPORT_VERSION,
      "--output",
      MODEL_URI,
      "--property",
      "epochs=10",
      "--property",
      "optimizer=adam",
      "--lake",
      lake,
    );
    const up = await runCli("lineage", MODEL_URI, "--direction", "up", "--lake", lake, "--format", "json");
    const tree = await runCli("lineage", MODEL_URI, "--direction", "up", "--lake", lake);

    // Assess
    expect(rec.stderr).toBe("");
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/^recorded Train train\.model run [0-9a-f-]{36}\n/);
    expect(again.stdout).toBe(rec.stdout);
    const snap = await loadSnapshot(zones(lake).lineage);
    const trains = snap.executions.filter((e) => e.type === "Train");
    expect(trains).toHaveLength(1);
    expect(trains[0]!.parameters).toEqual({ epochs: 10, optimizer: "adam" });
    const graph = JSON.parse(up.stdout) as LineageGraph;
    const raws = graph.nodes.filter((n) => n.kind === "artifact" && n.type === "RawBlob");
    expect(raws.map((n) => (n.kind === "artifact" ? n.name : ""))).toEqual([
      "penguins/training/penguins.json",
    ]);
    expect(tree.stdout.split("\n")[0]).toBe(`${MODEL_URI} [Model]`);
    expect(tree.stdout).toContain("penguins/training/penguins.json [RawBlob]");
  });

  it("hashes a local model file, and finds its lineage by the same path", async () => {
    const model = path.join(lake, "models", "model 1.pkl");
    await fs.mkdir(path.dirname(model), { recursive: true });
    await fs.copyFile(PENGUINS_FILE, model);

    const rec = await runCli(
      "lineage",
      "record",
      "--execution",
      "Train",
      "--input",
      EXPORT_VERSION.slice(0, 10),
      "--output",
      model,
      "--lake",
      lake,
      "--json",
    );
    const down = await runCli(
      "lineage",
      "penguins/training/penguins.json",
      "--direction",
      "down",
      "--lake",
      lake,
      "--format",
      "mermaid",
    );
    const up = await runCli("lineage", model, "--direction", "up", "--depth", "1", "--lake", lake);

    expect(rec.stderr).toBe("");
    expect(rec.code).toBe(0);
    const recorded = JSON.parse(rec.stdout);
    expect(recorded.outputs[0]).toMatchObject({
      namespace: "file://",
      name: model.slice(1),
      artifactType: "Model",
      version: md5Hex(await fs.readFile(model)),
    });
    expect(down.stdout.startsWith("flowchart LR\n")).toBe(true);
    expect(down.stdout).toContain("model 1.pkl");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("[Export]");
    expect(up.stdout).not.toContain("[WarehouseFile]");
  });

  it("reports unknown artifacts and bad options with non-zero exit codes", async () => {
    const unknown = await runCli("lineage", "s3://nowhere/x", "--lake", lake);
    const noTarget = await runCli("lineage", "--lake", lake);
    const badDirection = await runCli("lineage", MODEL_URI, "--direction", "sideways", "--lake", lake);
    const badInput = await runCli(
      "lineage",
      "record",
      "--execution",
      "train",
      "--input",
      "deadbeef00",
      "--output",
      "s3://m/x",
      "--lake",
      lake,
    );
    const badType = await runCli(
      "lineage",
      "record",
      "--execution",
      "deploy",
      "--input",
      EXPORT_VERSION,
      "--output",
      "s3://m/x",
      "--lake",
      lake,
    );

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no artifact in the lineage store matches "s3://nowhere/x"');
    expect(noTarget.code).toBe(64);
    expect(badDirection.code).toBe(64);
    expect(badInput.code).toBe(1);
    expect(badType.code).toBe(64);
    expect(badType.stderr).toContain("--execution must be one of Ingest, Validate, Export, Train");
  });
});
