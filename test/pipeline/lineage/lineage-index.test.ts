/**
 * The lineage index as the recorder writes it: many ingests and an export that reads all their
 * files, on an in-memory store. Queries from the index equal the walk over every record, an
 * export's inputs recorded before cost no index writes, and a run recorded while a rebuild is
 * pending is found once the index is ready.
 */
import { describe, expect, it } from "vitest";
import { LINEAGE_INDEX_PREFIX } from "../../../src/contract/keys.js";
import { deterministicUuid } from "../../../src/core/hash/uuid.js";
import type { Direction } from "../../../src/core/lineage/graph.js";
import {
  findIndexedArtifacts,
  indexedSubgraph,
  lineageIndexReady,
  rebuildLineageIndex,
} from "../../../src/pipeline/lineage/lineage-index.js";
import { lineageOf, loadSnapshot } from "../../../src/pipeline/lineage/query.js";
import { createLineageRecorder, type DatasetRef } from "../../../src/pipeline/lineage/recorder.js";
import type { PutOptions, PutResult } from "../../../src/ports/object-store.js";
import { MemoryStore } from "../../support/memory-store.js";

class CountingStore extends MemoryStore {
  indexPuts = 0;
  override async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    if (key.startsWith(LINEAGE_INDEX_PREFIX)) this.indexPuts++;
    return super.put(key, body, options);
  }
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const raw = (i: number): DatasetRef => ({
  namespace: "s3://raw",
  name: `penguins/p${i}.json`,
  version: deterministicUuid("raw", String(i)).replaceAll("-", ""),
  artifactType: "RawBlob",
});
const file = (i: number): DatasetRef => ({
  namespace: "s3://warehouse",
  name: `penguins/ingest_date=2026-01-01/f${i}.parquet`,
  version: deterministicUuid("file", String(i)).replaceAll("-", ""),
  artifactType: "WarehouseFile",
  rowCount: 10,
});

async function ingest(store: MemoryStore, i: number): Promise<void> {
  const run = await createLineageRecorder(store).start({
    runId: deterministicUuid("ingest", String(i)),
    jobName: "ingest.penguins",
    executionType: "Ingest",
    eventTime: at(i),
    inputs: [raw(i)],
  });
  await run.complete({ eventTime: at(i), outputs: [file(i)] });
}

async function exportAll(store: MemoryStore, n: number): Promise<void> {
  const run = await createLineageRecorder(store).start({
    runId: deterministicUuid("export", String(n)),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: at(100),
    inputs: [],
    inputDetails: Array.from({ length: n }, (_, i) => file(i)),
  });
  await run.complete({
    eventTime: at(101),
    outputs: [
      { namespace: "s3://exports", name: "penguins/e1", version: "ab".repeat(16), artifactType: "Export" },
    ],
  });
}

describe("the lineage index the recorder writes", () => {
  it("answers as the walk over every record, for every artifact and direction", async () => {
    // Prepare
    const store = new MemoryStore();
    for (let i = 0; i < 5; i++) await ingest(store, i);
    await exportAll(store, 5);
    const snapshot = await loadSnapshot(store);

    // Act / Assess
    for (const artifact of snapshot.artifacts)
      for (const direction of ["up", "down", "both"] as Direction[])
        expect(
          await indexedSubgraph(store, await findIndexedArtifacts(store, artifact.uri), { direction }),
        ).toEqual(lineageOf(snapshot, artifact.uri, { direction }));
  });

  it("writes no index entry for an export's inputs recorded before, only its own events", async () => {
    // Prepare
    const store = new CountingStore();
    for (let i = 0; i < 20; i++) await ingest(store, i);
    store.indexPuts = 0;

    // Act
    await exportAll(store, 20);

    // Assess: two links per input event and per output event, three lookups for the new export artifact.
    expect(store.indexPuts).toBe(2 * 20 + 2 + 3);
  });

  it("is rebuilt for a store recorded before it, and keeps what is recorded after", async () => {
    // Prepare: records without any index entry, as an older version left them.
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) await ingest(store, i);
    for (const key of [...store.objects.keys()])
      if (key.startsWith(LINEAGE_INDEX_PREFIX)) store.objects.delete(key);
    const before = await findIndexedArtifacts(store, raw(0).name);

    // Act
    const counts = await rebuildLineageIndex(store);
    await ingest(store, 3);

    // Assess
    expect(before).toEqual([]);
    expect(await lineageIndexReady(store)).toBe(true);
    expect(counts).toEqual({ artifacts: 6, events: 6 });
    const snapshot = await loadSnapshot(store);
    for (const i of [0, 3])
      expect(
        await indexedSubgraph(store, await findIndexedArtifacts(store, raw(i).name), { direction: "down" }),
      ).toEqual(lineageOf(snapshot, raw(i).name, { direction: "down" }));
  });
});
