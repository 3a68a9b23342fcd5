/**
 * What an export writes to the lineage store does not grow with the runs it reads: the same number
 * of objects (and of lineage-index entries) for a snapshot of 10 committed runs as for one of 200.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AthenaExportWriter } from "../../../src/adapters/aws/athena-export-writer.js";
import { LINEAGE_INDEX_PREFIX } from "../../../src/contract/keys.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import { MLMD_FOLDERS } from "../../../src/core/lineage/ids.js";
import { exportDataset } from "../../../src/pipeline/export/export.js";
import { createLineageRecorder } from "../../../src/pipeline/lineage/recorder.js";
import { fixedClock } from "../../../src/ports/clock.js";
import type { ExportEngine, QueryResult } from "../../../src/ports/query-engine.js";
import { putCommittedMarker } from "../../support/committed-marker.js";
import { MemoryStore } from "../../support/memory-store.js";
import { tempDir } from "../../support/temp.js";

/** An Athena that unloads one part and counts three rows, whatever the snapshot. */
function athenaFor(exports: MemoryStore): ExportEngine {
  return {
    name: "athena",
    async query(sql: string): Promise<QueryResult> {
      const unload = /TO 's3:\/\/exports\/([^']+)'/.exec(sql);
      if (unload) await exports.put(`${unload[1]}q1_00000`, `parquet bytes of ${sql.length}`);
      return { columns: [], rows: unload ? [] : [{ split: "train", rows: 3 }] };
    },
    async close() {},
  };
}

/** Exports a snapshot of `runs` committed runs; the lineage store's keys written by the export. */
async function exportOf(runs: number): Promise<string[]> {
  const warehouse = new MemoryStore("warehouse");
  const exports = new MemoryStore("exports");
  const lineage = new MemoryStore("lineage");
  for (let i = 0; i < runs; i++) await putCommittedMarker(warehouse, "penguins", i);
  const result = await exportDataset(
    {
      stores: { warehouse, exports },
      schemas: new SchemaRegistry(path.resolve(import.meta.dirname, "../../../schemas")),
      lineage: createLineageRecorder(lineage),
      clock: fixedClock("2024-12-31T00:00:00.000Z"),
      scratchDir: await tempDir("export-lineage-size"),
      writer: new AthenaExportWriter({
        openEngine: async () => athenaFor(exports),
        exports,
        attemptId: () => "a",
      }),
    },
    { dataset: "penguins" },
  );
  expect(result.status).toBe("exported");
  expect(result.sources).toBe(runs);
  return [...lineage.objects.keys()].sort();
}

describe("an export's lineage records", () => {
  it("are as many for 200 committed runs as for 10", async () => {
    // Act
    const small = await exportOf(10);
    const large = await exportOf(200);

    // Assess
    const count = (keys: string[], prefix: string) => keys.filter((k) => k.startsWith(prefix)).length;
    expect(large.length).toBe(small.length);
    for (const prefix of [LINEAGE_INDEX_PREFIX, MLMD_FOLDERS.events, MLMD_FOLDERS.artifacts])
      expect(count(large, prefix), prefix).toBe(count(small, prefix));
    // The snapshot input and the export output; the files are one members record.
    expect(count(large, MLMD_FOLDERS.events)).toBe(2);
    expect(count(large, MLMD_FOLDERS.snapshotMembers)).toBe(1);
  });
});
