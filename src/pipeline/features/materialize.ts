/**
 * Online materialisation: after an ingest run commits, the latest row per entity of each view fed
 * by its dataset (and environment) goes to the online store, conditionally on the store's order
 * (event time, ingest time, run id, record number), so runs may be materialised in any order, any
 * number of times: the store ends holding the latest row per entity, as the warehouse does.
 * Triggered by the commit marker (S3 ObjectCreated in AWS, the CLI's ingest locally).
 * Only a source blob's latest processing feeds the store, as it feeds the warehouse views
 * (core/warehouse/latest.ts): a replaced processing is skipped, and a re-processing corrects the
 * values its predecessors left (see materialize-replaced.ts).
 */
import type { IngestResult } from "../../contract/records.js";
import type { PutOutcome } from "../../ports/online-store.js";
import { readMarkers } from "../shared/markers.js";
import {
  itemOf,
  latestInFilesSql,
  type MaterializeDeps,
  type ViewMaterialized,
  withWarehouseFiles,
} from "./materialize-read.js";
import { correctReplaced, mergeCounts, placeAmongProcessings } from "./materialize-replaced.js";
import { type ResolvedView, resolveView } from "./resolve.js";

export type { MaterializeDeps, ViewMaterialized } from "./materialize-read.js";
export { itemOf, latestInFilesSql, onlineValue } from "./materialize-read.js";

export interface MaterializeResult {
  readonly runId: string;
  readonly dataset: string;
  readonly views: readonly ViewMaterialized[];
  /** Why nothing was materialised, when nothing was. */
  readonly skipped?: string;
}

/** The views a committed run feeds (its dataset, its environment). */
function viewsFed(deps: MaterializeDeps, marker: IngestResult): ResolvedView[] {
  return deps.views
    .forDataset(marker.dataset)
    .map((l) => resolveView(deps.views, deps.schemas, l.view.view))
    .filter((v) => v.environment === marker.environment.toUpperCase());
}

/** The latest row per entity of each view in one run's file, written to the online store if newer. */
function materializeFile(
  deps: MaterializeDeps,
  views: readonly ResolvedView[],
  key: string,
): Promise<ViewMaterialized[]> {
  return withWarehouseFiles(deps, [key], async (db, files, present) => {
    const out: ViewMaterialized[] = [];
    for (const v of views) {
      const rows = (await db.query(latestInFilesSql(v, files, present))).rows;
      const outcomes: PutOutcome[] = await deps.online.putAll(rows.map((r) => itemOf(v, r)));
      const count = (o: PutOutcome) => outcomes.filter((x) => x === o).length;
      out.push({
        view: v.name,
        entities: rows.length,
        written: count("written"),
        unchanged: count("unchanged"),
        older: count("older"),
      });
    }
    return out;
  });
}

/**
 * Materialise one committed run. `markers`: the dataset's commit markers when the caller has them
 * (read otherwise), to place the run among its source blob's processings.
 */
export async function materializeRun(
  deps: MaterializeDeps,
  marker: IngestResult,
  markers?: readonly IngestResult[],
): Promise<MaterializeResult> {
  const base = { runId: marker.runId, dataset: marker.dataset };
  if (marker.status !== "ok")
    return { ...base, views: [], skipped: `run ${marker.runId} wrote no warehouse rows (${marker.status})` };
  const views = viewsFed(deps, marker);
  if (views.length === 0)
    return {
      ...base,
      views: [],
      skipped: `no feature view reads ${marker.environment} rows of ${marker.dataset}`,
    };
  const place = placeAmongProcessings(marker, markers ?? (await readMarkers(deps.warehouse, marker.dataset)));
  if (place.replacedBy)
    return {
      ...base,
      views: [],
      skipped: `run ${marker.runId} was replaced by run ${place.replacedBy.runId}, a later processing of ${marker.rawKey}`,
    };
  const key = marker.outputs?.warehouse;
  const written = key ? await materializeFile(deps, views, key) : [];
  const corrected = await correctReplaced(deps, views, place);
  if (!key && corrected.length === 0)
    return { ...base, views: [], skipped: `run ${marker.runId} wrote no warehouse rows` };
  return { ...base, views: mergeCounts(views, written, corrected) };
}

/** Every committed run of the datasets the views read (a backfill, or a lake older than its views). */
export async function materializeAll(deps: MaterializeDeps, only?: string): Promise<MaterializeResult[]> {
  const datasets = [
    ...new Set(
      deps.views
        .loadAll()
        .filter((l) => only === undefined || l.view.view === only)
        .map((l) => l.view.dataset),
    ),
  ];
  const out: MaterializeResult[] = [];
  for (const dataset of datasets) {
    const markers = await readMarkers(deps.warehouse, dataset);
    for (const marker of markers) out.push(await materializeRun(deps, marker, markers));
  }
  return out;
}
