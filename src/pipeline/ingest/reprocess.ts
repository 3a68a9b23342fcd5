/**
 * Re-processing stored raw objects under a schema version: each blob is ingested again as a new run
 * (its id names the re-processing and its generation), from the raw zone as it was uploaded, without
 * the content dedupe. The views and exports then read each blob's latest processing; the earlier
 * ones stay in the history views. Sequential: a re-processing of a whole dataset is gentle on the lake.
 */
import { failedRunKey, markerKey } from "../../contract/keys.js";
import { parseRawKey } from "../../contract/raw-key.js";
import type { FailedRunRecord, IngestResult } from "../../contract/records.js";
import type { ReprocessTarget } from "../../contract/reprocess-request.js";
import { UsageError } from "../../core/errors.js";
import { readMarkers } from "../shared/markers.js";
import { readJson } from "../shared/publish.js";
import type { IngestDeps } from "./deps.js";
import { ingestObject } from "./ingest.js";

export interface ReprocessReport {
  readonly dataset: string;
  readonly schemaVersion: number;
  readonly generation: number;
  readonly requestedAt: string;
  readonly results: IngestResult[];
}

/** Raw keys a target names; a committed run's raw key, or every landed or rejected upload. */
export async function reprocessKeys(deps: IngestDeps, target: ReprocessTarget): Promise<string[]> {
  const { dataset } = target;
  if (target.key !== undefined) {
    if (parseRawKey(target.key).dataset !== dataset)
      throw new UsageError(`reprocess ${dataset}: raw key ${target.key} belongs to another dataset`);
    if (!(await deps.stores.raw.head(target.key)))
      throw new UsageError(`reprocess ${dataset}: no raw object ${target.key}`, { key: target.key });
    return (await partsOf(deps, dataset, target.key)) ?? [target.key];
  }
  if (target.run !== undefined) return runKeysOf(deps, dataset, target.run);
  // Duplicates read another key's bytes and routed blobs were cut into parts, each a blob of its own.
  const markers = await readMarkers(deps.stores.warehouse, dataset, undefined, { heal: true });
  const keys = markers.filter((m) => m.status === "ok" || m.status === "rejected").map((m) => m.rawKey);
  return [...new Set(keys)].sort();
}

/**
 * A blob routed and cut into parts holds its rows in the parts (each a raw blob with runs of its
 * own): re-processing it means re-processing them, or the views would read its rows twice.
 */
async function partsOf(deps: IngestDeps, dataset: string, key: string): Promise<string[] | undefined> {
  const cut = (await readMarkers(deps.stores.warehouse, dataset))
    .filter((m) => m.rawKey === key && m.status === "routed" && m.outputs.parts?.length)
    .sort((a, b) => a.ingestedAt.localeCompare(b.ingestedAt) || a.runId.localeCompare(b.runId))
    .at(-1);
  return cut?.outputs.parts ? [...cut.outputs.parts] : undefined;
}

/**
 * The raw object a run read: a committed run's (a routed one's parts, which hold its rows), or a
 * failed run's, from its record in the failed zone (it never committed, so it has no marker).
 */
async function runKeysOf(deps: IngestDeps, dataset: string, runId: string): Promise<string[]> {
  const run = await readJson<IngestResult>(deps.stores.warehouse, markerKey(dataset, runId));
  if (run) return run.outputs.parts?.length ? [...run.outputs.parts] : [run.rawKey];
  const failed = await readJson<FailedRunRecord>(deps.stores.failed, failedRunKey(dataset, runId));
  if (failed) return [failed.rawKey];
  throw new UsageError(`reprocess ${dataset}: no committed or failed run ${runId}`, { run: runId });
}

/** Re-process every blob the target names; `onResult` hears each as it commits (progress). */
export async function reprocess(
  deps: IngestDeps,
  target: ReprocessTarget,
  onResult: (result: IngestResult, done: number, total: number) => void = () => {},
): Promise<ReprocessReport> {
  const schemaVersion = deps.schemas.load(target.dataset, target.schemaVersion).schema.version;
  const generation = target.generation ?? 1;
  const requestedAt = target.requestedAt ?? deps.clock.now().toISOString();
  const keys = await reprocessKeys(deps, target);
  const results: IngestResult[] = [];
  for (const key of keys) {
    const result = await ingestObject(
      deps,
      { key },
      { schemaVersion, reprocess: { generation, requestedAt } },
    );
    results.push(result);
    onResult(result, results.length, keys.length);
  }
  return { dataset: target.dataset, schemaVersion, generation, requestedAt, results };
}
