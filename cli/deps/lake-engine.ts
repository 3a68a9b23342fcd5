/** The local lake's query engine: DuckDB views over the files the lake's commit markers name. */
import * as path from "node:path";
import { type CommittedRuns, DuckDbQueryEngine } from "../../src/adapters/duckdb/query-engine.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { LocalConfig } from "../../src/contract/env.js";
import { MARKER_PREFIX, markerKey } from "../../src/contract/keys.js";
import { readMarkers } from "../../src/pipeline/shared/markers.js";
import type { Zone } from "../../src/ports/object-store.js";

export type { CommittedRuns };

/** Committed runs of a dataset, read from their markers (the only source of truth for readers). */
export async function committedRuns(lakeDir: string, dataset: string, asOf?: Date): Promise<CommittedRuns> {
  const stores = localLakeStores(lakeDir);
  const out: CommittedRuns = { warehouse: [], quarantine: [], markers: [] };
  for (const marker of await readMarkers(stores.warehouse, dataset, asOf)) {
    out.markers.push(stores.warehouse.localPath(markerKey(dataset, marker.runId)));
    if (marker.outputs.warehouse) out.warehouse.push(stores.warehouse.localPath(marker.outputs.warehouse));
    if (marker.outputs.quarantine)
      out.quarantine.push(stores.quarantine.localPath(marker.outputs.quarantine));
  }
  out.warehouse.sort();
  out.quarantine.sort();
  return out;
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
