/**
 * A committed run's marker, written straight into a warehouse store: what planning reads when a test
 * needs many runs without ingesting them. Run `i` has the run id `RUN_ID_PREFIX` + `i` padded to 12
 * digits, one warehouse file and three rows; by default it commits `i` minutes after 2024-01-01 from
 * a source blob of its own.
 */
import { markerKey } from "../../src/contract/keys.js";
import type { IngestResult } from "../../src/contract/records.js";
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
