/**
 * A committed run's marker, written straight into a warehouse store: what planning reads when a test
 * needs many runs without ingesting them. Run `i` has the run id `RUN_ID_PREFIX` + `i` padded to 12
 * digits, one warehouse file and three rows; by default it commits `i` minutes after 2024-01-01 from
 * a source blob of its own.
 */
import * as path from "node:path";
import { markerKey } from "../../src/contract/keys.js";
import type { IngestResult } from "../../src/contract/records.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import type { ExportDeps } from "../../src/pipeline/export/deps.js";
import type { LineageRecorder } from "../../src/pipeline/lineage/recorder.js";
import { fixedClock } from "../../src/ports/clock.js";
import type { ExportWriter } from "../../src/ports/export-writer.js";
import type { ObjectStore } from "../../src/ports/object-store.js";

export const RUN_ID_PREFIX = "00000000-0000-4000-8000-";
const DAY0 = Date.parse("2024-01-01T00:00:00.000Z");

export const runIdOf = (i: number) => `${RUN_ID_PREFIX}${String(i).padStart(12, "0")}`;

export async function putCommittedMarker(
  warehouse: ObjectStore,
  dataset: string,
  i: number,
  at: { minute?: number; sourceMd5?: string } = {},
): Promise<void> {
  const runId = runIdOf(i);
  const marker: Partial<IngestResult> = {
    dataset,
    environment: "TRAINING",
    status: "ok",
    runId,
    ingestedAt: new Date(DAY0 + (at.minute ?? i) * 60_000).toISOString(),
    sourceMd5: at.sourceMd5 ?? i.toString(16).padStart(32, "0"),
    rowsWritten: 3,
    outputs: {
      warehouse: `${dataset}/ingest_date=2024-01-01/${runId}.parquet`,
      warehouseMd5: i.toString(16).padStart(32, "f"),
      warehouseBytes: 1000,
    },
  };
  await warehouse.put(markerKey(dataset, runId), JSON.stringify(marker));
}

/**
 * An export's deps over such markers: the project's schemas, a fixed clock, no scratch and no lineage
 * (planning and the executor's checks do not record any; runStep's lineage is tested elsewhere).
 */
export function markerExportDeps(
  warehouse: ObjectStore,
  exports: ObjectStore,
  writer: ExportWriter,
): ExportDeps {
  return {
    stores: { warehouse, exports },
    schemas: new SchemaRegistry(path.resolve(import.meta.dirname, "../../schemas")),
    lineage: {} as LineageRecorder,
    clock: fixedClock("2024-12-31T00:00:00.000Z"),
    scratchDir: "/nonexistent",
    writer,
  };
}
