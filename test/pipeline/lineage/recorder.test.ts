import * as fs from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { md5Hex } from "../../../src/core/hash/dvc.js";
import { deterministicUuid } from "../../../src/core/hash/uuid.js";
import { executionId } from "../../../src/core/lineage/ids.js";
import { executionIO, loadSnapshot, readOpenLineageEvents } from "../../../src/pipeline/lineage/query.js";
import {
  createLineageRecorder,
  type DatasetRef,
  type OpenLineageSink,
} from "../../../src/pipeline/lineage/recorder.js";
import { rawRef, tempDir, warehouseRef, zones } from "./fixtures.js";

let dir: string;
beforeEach(async () => {
  dir = await tempDir("recorder");
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const T0 = new Date("2024-06-01T10:00:00Z");
const T1 = new Date("2024-06-01T10:00:03Z");
const RUN = deterministicUuid("raw", "penguins/training/penguins.json", "etag-1", "0.1.0", "1");

async function ingestOnce(lineageDir: string, at: Date, sinks: OpenLineageSink[] = []) {
  const z = zones(lineageDir);
  const recorder = createLineageRecorder(z.lineage, { sinks });
  const run = await recorder.start({
    runId: RUN,
    jobName: "ingest.penguins",
    executionType: "Ingest",
    eventTime: at,
    inputs: [rawRef(z.raw.namespace)],
    parameters: { schemaVersion: 1 },
    contexts: [{ type: "Dataset", name: "penguins" }],
  });
  await run.complete({
    eventTime: new Date(at.getTime() + 3000),
    outputs: [warehouseRef(z.warehouse.namespace)],
  });
  return z.lineage;
}

async function keysUnder(store: ReturnType<typeof zones>["lineage"], prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}

describe("lineage recorder", () => {
  it("records an execution, its artifacts, events and contexts (round trip)", async () => {
    // Act
    const lineage = await ingestOnce(dir, T0);
    const snap = await loadSnapshot(lineage);

    // Assess
    expect(snap.executions).toHaveLength(1);
    expect(snap.executions[0]).toMatchObject({
      type: "Ingest",
      runId: RUN,
      jobName: "ingest.penguins",
      state: "RUNNING",
      parameters: { schemaVersion: 1 },
    });
    expect(snap.executionStates).toEqual([
      { executionId: executionId(RUN), state: "COMPLETE", time: T1.toISOString(), errorMessage: null },
    ]);
    expect(snap.artifacts.map((a) => a.type).sort()).toEqual(["RawBlob", "WarehouseFile"]);
    const raw = snap.artifacts.find((a) => a.type === "RawBlob")!;
    expect(raw.uri).toBe(`file://${dir}/raw/penguins/training/penguins.json`);
    expect(raw.rowCount).toBe(344);
    expect(snap.events.map((e) => e.type).sort()).toEqual(["INPUT", "OUTPUT"]);
    expect(snap.contexts).toMatchObject([{ type: "Dataset", name: "penguins" }]);
    expect(snap.attributions).toHaveLength(2);
    expect(snap.associations).toHaveLength(1);
    const io = executionIO(snap, RUN)!;
    expect(io.state.state).toBe("COMPLETE");
    expect(io.inputs.map((a) => a.id)).toEqual([raw.id]);
    expect(io.outputs.map((a) => a.type)).toEqual(["WarehouseFile"]);
    expect(await keysUnder(lineage, "mlmd/types/")).toEqual([
      "mlmd/types/ArtifactType/RawBlob.json",
      "mlmd/types/ArtifactType/WarehouseFile.json",
      "mlmd/types/ContextType/Dataset.json",
      "mlmd/types/ExecutionType/Ingest.json",
    ]);
  });

  it("recording the same run twice changes nothing", async () => {
    const lineage = await ingestOnce(dir, T0);
    const before = await keysUnder(lineage, "");
    const firstStart = await lineage.get(`openlineage/ingest.penguins/${RUN}/START.json`);

    await ingestOnce(dir, new Date("2024-06-02T00:00:00Z"));

    expect(await keysUnder(lineage, "")).toEqual(before);
    expect(Buffer.from(await lineage.get(`openlineage/ingest.penguins/${RUN}/START.json`))).toEqual(
      Buffer.from(firstStart),
    );
    const snap = await loadSnapshot(lineage);
    expect([
      snap.executions.length,
      snap.artifacts.length,
      snap.events.length,
      snap.executionStates.length,
    ]).toEqual([1, 2, 2, 1]);
  });

  it("20 concurrent runs (each delivered twice at once) give 20 complete executions without duplicates", async () => {
    // Prepare: distinct blobs, one shared schema artifact and dataset context.
    const z = zones(dir);
    const schema: DatasetRef = {
      namespace: "file:///schemas",
      name: "penguins/v1.json",
      version: md5Hex("v1"),
      artifactType: "Schema",
    };
    const runOne = async (i: number) => {
      const recorder = createLineageRecorder(z.lineage); // a fresh recorder per "Lambda"
      const run = await recorder.start({
        runId: deterministicUuid("raw", `blob-${i}`),
        jobName: "ingest.penguins",
        executionType: "Ingest",
        eventTime: new Date(T0.getTime() + i * 1000),
        inputs: [
          { ...rawRef(z.raw.namespace, `penguins/training/blob-${i}.json`), version: md5Hex(`blob-${i}`) },
          schema,
        ],
        contexts: [{ type: "Dataset", name: "penguins" }],
      });
      await run.complete({
        eventTime: new Date(T0.getTime() + i * 1000 + 500),
        outputs: [warehouseRef(z.warehouse.namespace, String(i))],
      });
    };

    // Act
    await Promise.all(Array.from({ length: 40 }, (_, i) => runOne(i % 20)));

    // Assess
    const snap = await loadSnapshot(z.lineage);
    expect(snap.executions).toHaveLength(20);
    expect(snap.executionStates).toHaveLength(20);
    expect(snap.executionStates.every((s) => s.state === "COMPLETE")).toBe(true);
    expect(snap.artifacts).toHaveLength(41);
    expect(snap.artifacts.filter((a) => a.type === "Schema")).toHaveLength(1);
    expect(snap.events).toHaveLength(60);
    expect(snap.contexts).toHaveLength(1);
    expect(snap.associations).toHaveLength(20);
    const events = await readOpenLineageEvents(z.lineage);
    expect(events).toHaveLength(40);
    const byRun = new Map<string, string[]>();
    for (const e of events) byRun.set(e.run.runId, [...(byRun.get(e.run.runId) ?? []), e.eventType]);
    expect(byRun.size).toBe(20);
    for (const types of byRun.values()) expect(types).toEqual(["START", "COMPLETE"]);
  });

  it("records a failure, and a later successful retry wins", async () => {
    const z = zones(dir);
    const recorder = createLineageRecorder(z.lineage);
    const start = {
      runId: RUN,
      jobName: "ingest.penguins",
      executionType: "Ingest" as const,
      eventTime: T0,
      inputs: [rawRef(z.raw.namespace)],
    };
    const first = await recorder.start(start);
    await first.fail({
      eventTime: T1,
      error: new Error("warehouse unavailable"),
      outputs: [warehouseRef(z.warehouse.namespace)],
    });

    let snap = await loadSnapshot(z.lineage);
    expect(executionIO(snap, RUN)!.state).toEqual({
      state: "FAILED",
      time: T1.toISOString(),
      errorMessage: "warehouse unavailable",
    });
    expect(snap.events.map((e) => e.type).sort()).toEqual(["DECLARED_OUTPUT", "INPUT"]);

    const retry = await createLineageRecorder(z.lineage).start({
      ...start,
      eventTime: new Date("2024-06-01T11:00:00Z"),
    });
    await retry.complete({
      eventTime: new Date("2024-06-01T11:00:02Z"),
      outputs: [warehouseRef(z.warehouse.namespace)],
    });

    snap = await loadSnapshot(z.lineage);
    expect(executionIO(snap, RUN)!.state.state).toBe("COMPLETE");
    expect(snap.executions).toHaveLength(1);
    expect(snap.events.map((e) => e.type).sort()).toEqual(["DECLARED_OUTPUT", "INPUT", "OUTPUT"]);
  });

  it("emits each event to sinks once; a failing sink leaves the event unstored so a retry re-emits", async () => {
    const seen: string[] = [];
    let broken = true;
    const flaky: OpenLineageSink = {
      async emit(event) {
        const e = event as { eventType: string };
        if (broken && e.eventType === "COMPLETE") throw new Error("sink down");
        seen.push(e.eventType);
      },
    };
    await expect(ingestOnce(dir, T0, [flaky])).rejects.toThrow("sink down");
    const lineage = zones(dir).lineage;
    expect((await readOpenLineageEvents(lineage)).map((e) => e.eventType)).toEqual(["START"]);

    broken = false;
    await ingestOnce(dir, T0, [flaky]);
    await ingestOnce(dir, T0, [flaky]);

    expect(seen).toEqual(["START", "COMPLETE"]);
    expect((await readOpenLineageEvents(lineage)).map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
  });

  it("rejects a run id that is not a UUID", async () => {
    const recorder = createLineageRecorder(zones(dir).lineage);
    await expect(
      recorder.start({
        runId: "run-1",
        jobName: "ingest.x",
        executionType: "Ingest",
        eventTime: T0,
        inputs: [],
      }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
