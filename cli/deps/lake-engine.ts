/** The local lake's query engine: DuckDB views over the files the lake's commit markers name. */
import * as path from "node:path";
import { type CommittedRuns, DuckDbQueryEngine } from "../../src/adapters/duckdb/query-engine.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { LocalConfig } from "../../src/contract/env.js";
import { MARKER_PREFIX, markerKey } from "../../src/contract/keys.js";
import type { IngestResult } from "../../src/contract/records.js";
import { latestProcessings } from "../../src/core/warehouse/latest.js";
import { readMarkers } from "../../src/pipeline/shared/markers.js";
import type { Zone } from "../../src/ports/object-store.js";

export type { CommittedRuns };

/**
 * Committed runs of a dataset, read from their markers (the only source of truth for readers): the
 * files of each source blob's latest processing, and of every processing for the history views.
 */
export async function committedRuns(lakeDir: string, dataset: string, asOf?: Date): Promise<CommittedRuns> {
  const stores = localLakeStores(lakeDir);
  const markers = await readMarkers(stores.warehouse, dataset, asOf);
  const files = (runs: readonly IngestResult[]) => ({
    warehouse: runs.flatMap((r) => (r.outputs.warehouse ? [r.outputs.warehouse] : [])).sort(),
    quarantine: runs.flatMap((r) => (r.outputs.quarantine ? [r.outputs.quarantine] : [])).sort(),
  });
  const current = files(latestProcessings(markers));
  const history = files(markers.filter((m) => m.status === "ok"));
  const local = (zone: "warehouse" | "quarantine", keys: string[]) =>
    keys.map((k) => stores[zone].localPath(k));
  return {
    warehouse: local("warehouse", current.warehouse),
    quarantine: local("quarantine", current.quarantine),
    history: {
      warehouse: local("warehouse", history.warehouse),
      quarantine: local("quarantine", history.quarantine),
    },
    markers: markers.map((m) => stores.warehouse.localPath(markerKey(dataset, m.runId))),
  };
}

export function openLakeEngine(
  config: LocalConfig,
  options: { asOf?: Date; threads?: number } = {},
): Promise<DuckDbQueryEngine> {
  const stores = localLakeStores(config.lakeDir);
  return DuckDbQueryEngine.open(
    {
      schemasDir: config.schemasDir,
      ...(config.duckdbMemory ? { duckdbMemory: config.duckdbMemory } : {}),
      markersDir: stores.warehouse.localPath(MARKER_PREFIX.slice(0, -1)),
      lineageDir: path.join(config.lakeDir, "lineage" satisfies Zone),
      committedRuns: (dataset, asOf) => committedRuns(config.lakeDir, dataset, asOf),
    },
    options,
  );
}
