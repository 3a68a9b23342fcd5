import * as fs from "node:fs/promises";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  EventBridgeLineageSink,
  fitDetail,
  MAX_ENTRY_BYTES,
} from "../../../src/adapters/aws/eventbridge-sink.js";
import { BackendError } from "../../../src/core/errors.js";
import { deterministicUuid } from "../../../src/core/hash/uuid.js";
import { buildRunEvent } from "../../../src/core/lineage/openlineage.js";
import type { DatasetStatistics } from "../../../src/core/stats/types.js";
import { readOpenLineageEvents } from "../../../src/pipeline/lineage/query.js";
import { createLineageRecorder } from "../../../src/pipeline/lineage/recorder.js";
import { penguinsStatistics, rawRef, tempDir, warehouseRef, zones } from "../../pipeline/lineage/fixtures.js";
import { runEventErrors } from "../../support/openlineage-validator.js";

const eventBridge = mockClient(EventBridgeClient);
let dir: string;
beforeEach(async () => {
  eventBridge.reset();
  dir = await tempDir("eb");
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const T0 = new Date("2024-06-01T10:00:00Z");

describe("EventBridge OpenLineage sink", () => {
  it("puts each RunEvent as one entry: source lakeline, detail type, detail = the stored event", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const z = zones(dir);
    const sink = new EventBridgeLineageSink(new EventBridgeClient({ region: "eu-west-1" }), {
      eventBusName: "lineage-bus",
    });
    const recorder = createLineageRecorder(z.lineage, { sinks: [sink] });

    // Act
    const run = await recorder.start({
      runId: deterministicUuid("r"),
      jobName: "ingest.penguins",
      executionType: "Ingest",
      eventTime: T0,
      inputs: [rawRef(z.raw.namespace)],
    });
    await run.complete({
      eventTime: new Date("2024-06-01T10:00:01Z"),
      outputs: [warehouseRef(z.warehouse.namespace)],
    });

    // Assess
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    const stored = await readOpenLineageEvents(z.lineage);
    calls.forEach((call, i) => {
      const entries = call.args[0].input.Entries!;
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        Source: "lakeline",
        DetailType: "OpenLineage RunEvent",
        EventBusName: "lineage-bus",
      });
      expect(entries[0]!.Time).toEqual(new Date(stored[i]!.eventTime));
      expect(JSON.parse(entries[0]!.Detail!)).toEqual(stored[i]);
    });
  });

  it("retries entries EventBridge throttled, then succeeds", async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-2" }] });
    const sink = new EventBridgeLineageSink(new EventBridgeClient({ region: "eu-west-1" }), {
      retryDelayMs: 1,
    });
    const event = buildRunEvent({
      eventType: "START",
      eventTime: T0,
      producer: "https://github.com/lakeline/lakeline/tree/0.1.0",
      runId: deterministicUuid("r2"),
      jobName: "export.penguins",
      executionType: "Export",
      inputs: [],
      outputs: [],
    });

    await sink.emit(event);

    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
    expect(
      eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName,
    ).toBeUndefined();
  });

  it("fails with the entry's error code when EventBridge rejects it for good, and stores nothing", async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "AccessDeniedException", ErrorMessage: "not authorized" }],
    });
    const z = zones(dir);
    const sink = new EventBridgeLineageSink(new EventBridgeClient({ region: "eu-west-1" }), {
      retryDelayMs: 1,
    });
    const recorder = createLineageRecorder(z.lineage, { sinks: [sink] });

    const attempt = recorder.start({
      runId: deterministicUuid("r3"),
      jobName: "ingest.penguins",
      executionType: "Ingest",
      eventTime: T0,
      inputs: [],
    });

    await expect(attempt).rejects.toBeInstanceOf(BackendError);
    await expect(attempt).rejects.toThrow(/AccessDeniedException: not authorized/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(await readOpenLineageEvents(z.lineage)).toEqual([]);
  });

  it("drops bulky facets of an event over the 256 KiB entry limit, keeping a valid event", () => {
    const base = penguinsStatistics();
    const feature = base.features.find((f) => f.numeric)!;
    const wide: DatasetStatistics = {
      ...base,
      features: Array.from({ length: 3000 }, (_, i) => ({
        ...feature,
        name: `f${i}`,
        column: `feature_${i}`,
      })),
    };
    const event = buildRunEvent({
      eventType: "START",
      eventTime: T0,
      producer: "https://github.com/lakeline/lakeline/tree/0.1.0",
      runId: deterministicUuid("wide"),
      jobName: "ingest.wide",
      executionType: "Ingest",
      inputs: [{ ...rawRef("s3://raw"), statistics: wide }],
      outputs: [],
    });
    expect(JSON.stringify(event).length).toBeGreaterThan(MAX_ENTRY_BYTES);

    const detail = JSON.parse(fitDetail(event));

    expect(Buffer.byteLength(JSON.stringify(detail))).toBeLessThan(MAX_ENTRY_BYTES);
    expect(detail.inputs[0].inputFacets.dataQualityMetrics).toBeUndefined();
    expect(detail.inputs[0].inputFacets.inputStatistics).toMatchObject({ rowCount: 344 });
    expect(detail.inputs[0].facets.version.datasetVersion).toBe(rawRef("s3://raw").version);
    expect(runEventErrors(detail)).toEqual([]);
  });

  it("bounds an event with thousands of datasets by construction: as many as fit, totals, and where the whole event is", () => {
    // Prepare: an export START over 3,000 warehouse files (~1 KB each), as before the export named one table
    const { statistics: _unused, ...file } = warehouseRef("s3://warehouse");
    const inputs = Array.from({ length: 3000 }, (_, i) => ({
      ...file,
      name: `penguins/ingest_date=2026-11-30/20261130T0000${String(i).padStart(5, "0")}Z-${"a".repeat(32)}.parquet`,
    }));
    const event = buildRunEvent({
      eventType: "START",
      eventTime: T0,
      producer: "https://github.com/lakeline/lakeline/tree/0.1.0",
      runId: deterministicUuid("many"),
      jobName: "export.penguins",
      executionType: "Export",
      inputs,
      outputs: [],
    });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(2 * MAX_ENTRY_BYTES);
    const uri = "s3://lineage/openlineage/export.penguins/r/START.json";

    // Act
    const text = fitDetail(event, uri);

    // Assess
    const detail = JSON.parse(text);
    expect(Buffer.byteLength(text) + "lakeline".length + "OpenLineage RunEvent".length).toBeLessThanOrEqual(
      MAX_ENTRY_BYTES,
    );
    const sent = detail.inputs.length;
    expect(sent).toBeGreaterThan(10);
    expect(sent).toBeLessThan(3000);
    expect(detail.inputs.map((d: { name: string }) => d.name)).toEqual(
      inputs.slice(0, sent).map((d) => d.name),
    );
    expect(detail.run.facets.lakeline_fullEvent).toMatchObject({
      uri,
      inputs: 3000,
      inputsSent: sent,
      outputs: 0,
    });
    expect(runEventErrors(detail)).toEqual([]);
  });
});
