/** The local lake's query engine: DuckDB views over the files the lake's committed runs name. */
import * as path from "node:path";
import {
  type CommittedFile,
  type CommittedRuns,
  DuckDbQueryEngine,
  type QueryEngineOptions,
  type RunRow,
} from "../../src/adapters/duckdb/query-engine.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { LocalConfig } from "../../src/contract/env.js";
import type { IngestResult } from "../../src/contract/records.js";
import { type CompactionRecord, placeRuns } from "../../src/core/warehouse/compaction.js";
import { latestProcessings } from "../../src/core/warehouse/latest.js";
import { readCompactionRecords } from "../../src/pipeline/compaction/records.js";
import { readMarkers } from "../../src/pipeline/shared/markers.js";
import type { Zone } from "../../src/ports/object-store.js";
import { committedDatasets } from "./compact.js";

export type { CommittedRuns };

type Stores = ReturnType<typeof localLakeStores>;

/** The runs known at `asOf` (ingested at or before it): what `--as-of` shows, in every view. */
function knownAt(runs: readonly IngestResult[], asOf?: Date): readonly IngestResult[] {
  const t = asOf?.getTime();
  return t === undefined ? runs : runs.filter((r) => Date.parse(r.ingestedAt) <= t);
}

/**
 * Committed runs of a dataset, read from the run index reconciled with the markers (the only source
 * of truth for readers): the files of each source blob's latest processing, and of every processing
 * for the history views.
 */
export function committedFiles(
  stores: Stores,
  markers: readonly IngestResult[],
  compacted: readonly CompactionRecord[] = [],
): CommittedRuns {
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  // Each run is read from one place: a compacted file that holds it, or else its own file.
  const warehouse = (runs: readonly IngestResult[]): CommittedFile[] => {
    const { own, compacted: reads } = placeRuns(
      runs.filter((r) => r.outputs.warehouse),
      compacted,
    );
    return [
      ...reads.map((c) => ({
        path: stores.warehouse.localPath(c.record.key),
        schemaVersion: c.record.schemaVersion,
        ...(c.filter ? { filter: c.filter } : {}),
      })),
      ...own
        .map((r) => ({ key: r.outputs.warehouse!, schemaVersion: r.schemaVersion }))
        .sort(byKey)
        .map((f) => ({ path: stores.warehouse.localPath(f.key), schemaVersion: f.schemaVersion })),
    ];
  };
  const quarantine = (runs: readonly IngestResult[]): string[] =>
    runs
      .flatMap((r) => (r.outputs.quarantine ? [r.outputs.quarantine] : []))
      .sort()
      .map((k) => stores.quarantine.localPath(k));
  const current = latestProcessings(markers);
  let history: CommittedRuns["history"] | undefined;
  return {
    warehouse: warehouse(current),
    quarantine: quarantine(current),
    // Listed when a history view is created: an export's engine never creates one.
    get history() {
      const ok = markers.filter((m) => m.status === "ok");
      history ??= { warehouse: warehouse(ok), quarantine: quarantine(ok) };
      return history;
    },
  };
}

/**
 * The dataset's compaction records whose file is in place; a record set aside is said (its runs are
 * read from their own files).
 */
async function compactedRecords(
  stores: Stores,
  dataset: string,
  say: (warning: string) => void,
): Promise<CompactionRecord[]> {
  const { valid, invalid } = await readCompactionRecords(stores.warehouse, dataset);
  for (const i of invalid)
    say(`compaction record ${i.key} set aside (${i.reason}): its runs are read from their own files`);
  return valid;
}

/**
 * `known`: committed runs of some datasets already read (an export's driver listed them): used as
 * they are, so the snapshot reads exactly the runs its manifest names.
 */
export async function openLakeEngine(
  config: LocalConfig,
  options: QueryEngineOptions = {},
  known?: ReadonlyMap<string, readonly IngestResult[]>,
): Promise<DuckDbQueryEngine> {
  const stores = localLakeStores(config.lakeDir);
  // One index read per dataset per engine: the views and `lakeline_runs` share it.
  const read = new Map<string, Promise<readonly IngestResult[]>>(
    [...(known ?? [])].map(([dataset, runs]) => [dataset, Promise.resolve(runs)]),
  );
  const records = new Map<string, Promise<CompactionRecord[]>>();
  // Set-aside records are found when a view is first bound, after the engine exists.
  let engine: DuckDbQueryEngine | undefined;
  const say = (warning: string) => engine?.warnings.push(warning);
  const compactedOf = (dataset: string) => {
    let valid = records.get(dataset);
    if (!valid) {
      valid = compactedRecords(stores, dataset, say);
      records.set(dataset, valid);
    }
    return valid;
  };
  const runsOf = (dataset: string) => {
    let runs = read.get(dataset);
    if (!runs) {
      runs = readMarkers(stores.warehouse, dataset, undefined, { heal: true });
      read.set(dataset, runs);
    }
    return runs;
  };
  engine = await DuckDbQueryEngine.open(
    {
      schemasDir: config.schemasDir,
      ...(config.duckdbMemory ? { duckdbMemory: config.duckdbMemory } : {}),
      lineageDir: path.join(config.lakeDir, "lineage" satisfies Zone),
      committedRuns: async (dataset, asOf) =>
        committedFiles(stores, knownAt(await runsOf(dataset), asOf), await compactedOf(dataset)),
      runs: async (only, asOf) => {
        const datasets = only ?? (await committedDatasets(config));
        const all: RunRow[] = [];
        for (const dataset of [...datasets].sort()) all.push(...knownAt(await runsOf(dataset), asOf));
        return all;
      },
    },
    options,
  );
  return engine;
}
