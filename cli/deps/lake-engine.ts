/** The local lake's query engine: DuckDB views over the files the lake's committed runs name. */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import {
  type CommittedRuns,
  DuckDbQueryEngine,
  type RunRow,
} from "../../src/adapters/duckdb/query-engine.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { LocalConfig } from "../../src/contract/env.js";
import { MARKER_PREFIX } from "../../src/contract/keys.js";
import type { IngestResult } from "../../src/contract/records.js";
import { latestProcessings } from "../../src/core/warehouse/latest.js";
import { readMarkers } from "../../src/pipeline/shared/markers.js";
import type { Zone } from "../../src/ports/object-store.js";

export type { CommittedRuns };

type Stores = ReturnType<typeof localLakeStores>;

/**
 * Committed runs of a dataset, read from the run index reconciled with the markers (the only source
 * of truth for readers): the files of each source blob's latest processing, and of every processing
 * for the history views.
 */
export function committedFiles(stores: Stores, markers: readonly IngestResult[]): CommittedRuns {
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
  };
}

export function openLakeEngine(
  config: LocalConfig,
  options: { asOf?: Date; threads?: number } = {},
): Promise<DuckDbQueryEngine> {
  const stores = localLakeStores(config.lakeDir);
  // One index read per dataset per engine: the views and `lakeline_runs` share it.
  const read = new Map<string, Promise<IngestResult[]>>();
  const runsOf = (dataset: string) => {
    let runs = read.get(dataset);
    if (!runs) {
      runs = readMarkers(stores.warehouse, dataset, undefined, { heal: true });
      read.set(dataset, runs);
    }
    return runs;
  };
  const markersDir = stores.warehouse.localPath(MARKER_PREFIX.slice(0, -1));
  return DuckDbQueryEngine.open(
    {
      schemasDir: config.schemasDir,
      ...(config.duckdbMemory ? { duckdbMemory: config.duckdbMemory } : {}),
      lineageDir: path.join(config.lakeDir, "lineage" satisfies Zone),
      committedRuns: async (dataset, asOf) => {
        const runs = await runsOf(dataset);
        const t = asOf?.getTime();
        return committedFiles(
          stores,
          t === undefined ? runs : runs.filter((r) => Date.parse(r.ingestedAt) <= t),
        );
      },
      runs: async () => {
        const datasets = await fs.readdir(markersDir).catch(() => [] as string[]);
        const all: RunRow[] = [];
        for (const dataset of datasets.sort()) all.push(...(await runsOf(dataset)));
        return all;
      },
    },
    options,
  );
}
