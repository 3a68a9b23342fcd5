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

const snapshotOf = (n: number): DatasetRef => ({
  namespace: "s3://warehouse",
  name: "penguins",
  version: `${deterministicUuid("snapshot", String(n)).replaceAll("-", "")}.dir`,
  artifactType: "WarehouseSnapshot",
});

/**
 * An export reading the files of `n` ingests as one snapshot input; `perFile` records them as an
 * older version did, one input event per file beside the snapshot's.
 */
async function exportAll(store: MemoryStore, n: number, perFile = false): Promise<void> {
  const files = Array.from({ length: n }, (_, i) => file(i));
  const snapshot = snapshotOf(n);
  const run = await createLineageRecorder(store).start({
    runId: deterministicUuid("export", String(n)),
    jobName: "export.penguins",
    executionType: "Export",
    eventTime: at(100),
    ...(perFile
      ? { inputs: [snapshot, ...files] }
      : { inputs: [snapshot], inputMembers: [{ snapshot, members: files }] }),
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

  it("writes as many objects for an export of 200 files as for one of 10", async () => {
    // Prepare
    const small = new CountingStore();
    const large = new CountingStore();
    for (let i = 0; i < 10; i++) await ingest(small, i);
    for (let i = 0; i < 200; i++) await ingest(large, i);
    const before = { small: small.objects.size, large: large.objects.size };
    small.indexPuts = 0;
    large.indexPuts = 0;

    // Act
    await exportAll(small, 10);
    await exportAll(large, 200);

    // Assess: the snapshot and the export artifacts (three lookups each), the snapshot's input event
    // and the output event (two links each); the members record is one object whatever it lists.
    expect(small.indexPuts).toBe(3 + 3 + 2 + 2);
    expect(large.indexPuts).toBe(small.indexPuts);
    expect(large.objects.size - before.large).toBe(small.objects.size - before.small);
  });

  it("answers the same graph for an export recorded one event per file, as older versions did", async () => {
    // Prepare
    const derived = new MemoryStore();
    const stored = new MemoryStore();
    for (const store of [derived, stored]) for (let i = 0; i < 4; i++) await ingest(store, i);
    await exportAll(derived, 4);
    await exportAll(stored, 4, true);

    // Act
    const graphs = await Promise.all(
      [derived, stored].map(async (store) => {
        const snapshot = await loadSnapshot(store);
        return Promise.all(
          [raw(0).name, "ab".repeat(16)].map(async (ref) => ({
            indexed: await indexedSubgraph(store, await findIndexedArtifacts(store, ref), {
              direction: "both",
            }),
            walked: lineageOf(snapshot, ref, { direction: "both" }),
          })),
        );
      }),
    );

    // Assess: from the first raw blob down to the export, and from the export up to every raw blob.
    const [fromRaw, fromExport] = graphs[0]!;
    expect(fromRaw!.indexed).toEqual(fromRaw!.walked);
    expect(fromExport!.indexed).toEqual(fromExport!.walked);
    expect(fromRaw!.walked.nodes.filter((n) => n.kind === "execution").map((n) => n.type)).toContain(
      "Export",
    );
    expect(
      fromExport!.walked.nodes
        .filter((n) => n.type === "RawBlob")
        .map((n) => (n as { name: string }).name)
        .sort(),
    ).toEqual([0, 1, 2, 3].map((i) => raw(i).name).sort());
    expect(graphs[1]).toEqual(graphs[0]);
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
