import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FsObjectStore } from "../../../src/adapters/local/fs-store.js";
import { md5Hex } from "../../../src/core/hash/dvc.js";
import { deterministicUuid } from "../../../src/core/hash/uuid.js";
import type { RunEvent } from "../../../src/core/lineage/openlineage.js";
import { createLineageRecorder } from "../../../src/pipeline/lineage/recorder.js";
import { readOpenLineageEvents } from "../../../src/pipeline/lineage/store.js";
import { runEventErrors } from "../../support/openlineage-validator.js";
import { exportRef, PENGUINS, PENGUINS_BYTES, rawRef, tempDir, warehouseRef, zones } from "./fixtures.js";

let dir: string;
beforeEach(async () => {
  // A space in the lake path exercises URI encoding of dataSource facets.
  dir = path.join(await tempDir("ol"), "my lake");
});
afterEach(async () => {
  await fs.rm(path.dirname(dir), { recursive: true, force: true });
});

const T0 = new Date("2024-06-01T10:00:00.000Z");
const T1 = new Date("2024-06-01T10:00:05.250Z");

/** One ingest (with a parent), one failed export, one bare validate: every event kind lakeline emits. */
async function recordEveryKind(lineage: FsObjectStore) {
  const z = zones(dir);
  const recorder = createLineageRecorder(lineage, {
    producer: "https://github.com/lakeline/lakeline/tree/0.1.0",
  });
  const schedulerRun = deterministicUuid("scheduler", "2024-06-01");
  const ingest = await recorder.start({
    runId: deterministicUuid("raw", "penguins/training/penguins.json", "etag", "0.1.0", "1"),
    jobName: "ingest.penguins",
    executionType: "Ingest",
    eventTime: T0,
    inputs: [rawRef(z.raw.namespace)],
    parameters: { schemaVersion: 1, environment: "TRAINING", dryRun: false },
    contexts: [{ type: "Dataset", name: "penguins" }],
    parent: { runId: schedulerRun, jobName: "schedule.daily" },
  });
  await ingest.complete({ eventTime: T1, outputs: [warehouseRef(z.warehouse.namespace)] });

  const exp = await recorder.start({
    runId: deterministicUuid("export", "penguins", "2024-06-02"),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: T0,
    inputs: [warehouseRef(z.warehouse.namespace)],
  });
  await exp.fail({
    eventTime: T1,
    error: new Error("disk full while writing split test"),
    outputs: [exportRef(z.exports.namespace)],
  });

  const validate = await recorder.start({
    runId: deterministicUuid("validate", "x"),
    jobName: "validate.penguins",
    executionType: "Validate",
    eventTime: T0,
    inputs: [{ namespace: "s3://bucket", name: "penguins/serving/a.csv", artifactType: "RawBlob" }],
  });
  await validate.complete({ eventTime: T1, outputs: [] });
  return readOpenLineageEvents(lineage);
}

describe("OpenLineage RunEvents", () => {
  it("validate against the official 2-0-2 schemas and facet schemas for START, COMPLETE and FAIL", async () => {
    // Prepare / Act
    const events = await recordEveryKind(zones(dir).lineage);

    // Assess
    expect(events.map((e) => `${e.job.name}:${e.eventType}`).sort()).toEqual([
      "export.penguins:FAIL",
      "export.penguins:START",
      "ingest.penguins:COMPLETE",
      "ingest.penguins:START",
      "validate.penguins:COMPLETE",
      "validate.penguins:START",
    ]);
    for (const event of events)
      expect(runEventErrors(event), `${event.job.name} ${event.eventType}`).toEqual([]);
    // Sorted by eventTime, START before terminal.
    expect(events.slice(0, 3).every((e) => e.eventType === "START")).toBe(true);
  });

  it("carry lineage facts: parent, job type, DVC version, schema, data quality and output statistics", async () => {
    const events = await recordEveryKind(zones(dir).lineage);
    const start = events.find((e) => e.job.name === "ingest.penguins" && e.eventType === "START")!;
    const complete = events.find((e) => e.job.name === "ingest.penguins" && e.eventType === "COMPLETE")!;
    const fail = events.find((e) => e.eventType === "FAIL")!;

    expect(start.schemaURL).toBe("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent");
    expect(start.eventTime).toBe("2024-06-01T10:00:00.000Z");
    expect(start.run.facets?.parent).toMatchObject({
      run: { runId: deterministicUuid("scheduler", "2024-06-01") },
      job: { namespace: "lakeline", name: "schedule.daily" },
    });
    expect(start.job.facets?.jobType).toMatchObject({
      processingType: "BATCH",
      integration: "LAKELINE",
      jobType: "INGEST",
    });
    const input = start.inputs[0]!;
    expect(input.facets?.version).toMatchObject({ datasetVersion: md5Hex(PENGUINS_BYTES) });
    expect(input.facets?.dataSource).toMatchObject({
      name: `file://${dir}/raw`,
      uri: `file://${dir.replace(/ /g, "%20")}/raw`,
    });
    const dq = input.inputFacets?.dataQualityMetrics as unknown as {
      rowCount: number;
      columnMetrics: Record<
        string,
        {
          nullCount: number;
          distinctCount: number;
          min?: number;
          max?: number;
          quantiles?: Record<string, number>;
        }
      >;
    };
    const masses = PENGUINS.map((r) => r["Body Mass (g)"]).filter((v): v is number => typeof v === "number");
    expect(dq.rowCount).toBe(344);
    expect(dq.columnMetrics.body_mass_g).toMatchObject({
      nullCount: 2,
      min: Math.min(...masses),
      max: Math.max(...masses),
    });
    expect(dq.columnMetrics.species).toMatchObject({ nullCount: 0, distinctCount: 3 });
    expect(dq.columnMetrics.species!.min).toBeUndefined();
    expect(new Set(Object.keys(dq.columnMetrics.body_mass_g!.quantiles!))).toEqual(
      new Set(["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]),
    );
    expect(dq.columnMetrics.body_mass_g!.quantiles!["0.5"]).toBe(4050);

    const out = complete.outputs[0]!;
    expect(out.outputFacets?.outputStatistics).toMatchObject({ rowCount: 344, size: 20_480 });
    expect(
      (out.facets!.schema as unknown as { fields: { name: string; ordinal_position: number }[] }).fields.map(
        (f) => f.name,
      ),
    ).toEqual([
      "species",
      "island",
      "beak_length_mm",
      "beak_depth_mm",
      "flipper_length_mm",
      "body_mass_g",
      "sex",
    ]);
    expect(complete.inputs).toHaveLength(1);

    expect(fail.run.facets?.errorMessage).toMatchObject({
      message: "disk full while writing split test",
      programmingLanguage: "TypeScript",
    });
    expect(fail.outputs[0]!.facets?.version).toMatchObject({ datasetVersion: exportRef("x").version });
  });

  it("the validator rejects what the spec forbids (so the passing checks mean something)", async () => {
    const events = await recordEveryKind(zones(dir).lineage);
    type Mutable = {
      eventType: string;
      run: { runId: string; facets: { errorMessage: { programmingLanguage?: string } } };
      outputs: { outputFacets: { outputStatistics: { rowCount: number } } }[];
    };
    const fail = structuredClone(events.find((e) => e.eventType === "FAIL")!) as unknown as Mutable;
    delete fail.run.facets.errorMessage.programmingLanguage;
    fail.eventType = "EXPLODED";
    const complete = structuredClone(
      events.find((e) => e.eventType === "COMPLETE" && e.outputs.length > 0)!,
    ) as unknown as Mutable;
    complete.outputs[0]!.outputFacets.outputStatistics.rowCount = 3.5;
    complete.run.runId = "run-1";

    expect(runEventErrors(fail).join("\n")).toMatch(/eventType must be equal to one of the allowed values/);
    expect(runEventErrors(fail).join("\n")).toMatch(/errorMessage.*programmingLanguage/);
    expect(runEventErrors(complete).join("\n")).toMatch(/rowCount must be integer/);
    expect(runEventErrors(complete).join("\n")).toMatch(/runId must match format "uuid"/);
  });

  it("stores each event once under openlineage/<job>/<runId>/<eventType>.json", async () => {
    const lineage = zones(dir).lineage;
    const events: RunEvent[] = await recordEveryKind(lineage);
    const keys: string[] = [];
    for await (const info of lineage.list("openlineage/")) keys.push(info.key);
    expect(keys).toHaveLength(6);
    for (const e of events)
      expect(keys).toContain(`openlineage/${e.job.name}/${e.run.runId}/${e.eventType}.json`);
  });
});
