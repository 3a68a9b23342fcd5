/**
 * Re-processing and the online store. The warehouse views hold each source blob's latest
 * processing only (core/warehouse/latest.ts), and the online store must agree with them. Writes
 * "if newer" cannot retract a value, so: a replaced processing never writes (its run is skipped,
 * whenever its notification arrives), and the processing that replaced others corrects every
 * entity whose stored row came from one of them — to the latest row of the dataset's current state,
 * or removes it when that holds none (the re-processing quarantined the entity's rows) — each
 * correction conditional on the stored row still being the replaced one.
 */
import type { IngestResult } from "../../contract/records.js";
import type { OnlineItem } from "../../core/features/online.js";
import { latestProcessings, replacedProcessings, sourceOf } from "../../core/warehouse/latest.js";
import {
  itemOf,
  latestInFilesSql,
  type MaterializeDeps,
  type ViewMaterialized,
  withWarehouseFiles,
} from "./materialize-read.js";
import type { ResolvedView } from "./resolve.js";

/** Where a committed run stands among the processings of its source blob. */
export interface Placement {
  /** The later processing of the same source blob that replaced this run, if any. */
  readonly replacedBy?: IngestResult;
  /** Earlier processings of the same source blob that this run replaced. */
  readonly replaced: readonly IngestResult[];
  /** The dataset's current state in the run's environment: each source blob's latest processing. */
  readonly current: readonly IngestResult[];
}

export function placeAmongProcessings(marker: IngestResult, markers: readonly IngestResult[]): Placement {
  const environment = marker.environment.toUpperCase();
  const all = [
    ...markers.filter((m) => m.runId !== marker.runId && m.environment.toUpperCase() === environment),
    marker,
  ];
  const source = sourceOf(marker);
  const current = latestProcessings(all);
  const latest = current.find((m) => sourceOf(m) === source);
  return {
    ...(latest && latest.runId !== marker.runId ? { replacedBy: latest } : {}),
    replaced: replacedProcessings(all).filter((m) => sourceOf(m) === source && m.runId !== marker.runId),
    current,
  };
}

interface Corrected {
  readonly view: string;
  readonly corrected: number;
  readonly removed: number;
}

/** The stored items of each view that came from a replaced processing. */
async function staleItems(
  deps: MaterializeDeps,
  views: readonly ResolvedView[],
  replaced: ReadonlySet<string>,
): Promise<Map<ResolvedView, OnlineItem[]>> {
  const out = new Map<ResolvedView, OnlineItem[]>();
  for (const v of views) {
    const items = (await deps.online.scan(v.name)).filter((i) => replaced.has(i.runId));
    if (items.length > 0) out.set(v, items);
  }
  return out;
}

/** Correct the entities whose stored row a re-processing replaced (see the module comment). */
export async function correctReplaced(
  deps: MaterializeDeps,
  views: readonly ResolvedView[],
  place: Placement,
): Promise<Corrected[]> {
  if (place.replaced.length === 0) return [];
  const stale = await staleItems(deps, views, new Set(place.replaced.map((r) => r.runId)));
  if (stale.size === 0) return [];
  const keys = place.current.flatMap((m) => (m.outputs.warehouse ? [m.outputs.warehouse] : []));
  const correct = async (latest: (v: ResolvedView) => Promise<Map<string, OnlineItem>>) => {
    const out: Corrected[] = [];
    for (const [v, items] of stale) {
      const now = await latest(v);
      let corrected = 0;
      let removed = 0;
      for (const item of items) {
        const next = now.get(item.key) ?? null;
        if (!(await deps.online.replaceIf(v.name, item.key, item.order, next))) continue;
        if (next) corrected++;
        else removed++;
      }
      out.push({ view: v.name, corrected, removed });
    }
    return out;
  };
  if (keys.length === 0) return correct(async () => new Map());
  return withWarehouseFiles(deps, keys, (db, files, present) =>
    correct(async (v) => {
      const rows = (await db.query(latestInFilesSql(v, files, present))).rows;
      return new Map(rows.map((r) => itemOf(v, r)).map((i) => [i.key, i]));
    }),
  );
}

/** One line per view: what the run's own rows did, then what the corrections did. */
export function mergeCounts(
  views: readonly ResolvedView[],
  written: readonly ViewMaterialized[],
  corrected: readonly Corrected[],
): ViewMaterialized[] {
  return views.map((v) => {
    const w = written.find((x) => x.view === v.name);
    const c = corrected.find((x) => x.view === v.name);
    return {
      view: v.name,
      entities: w?.entities ?? 0,
      written: w?.written ?? 0,
      unchanged: w?.unchanged ?? 0,
      older: w?.older ?? 0,
      ...(c ? { corrected: c.corrected, removed: c.removed } : {}),
    };
  });
}
