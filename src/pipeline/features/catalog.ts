/**
 * Discovery: what each feature view serves and how it stands — definition (entities, event time,
 * TTL, owners, descriptions, types), freshness in the warehouse and the online store, the latest
 * TRAINING statistics of each feature, and lineage: the dataset and raw blobs feeding it, and the
 * training sets that used it.
 */

import { statsPrefix } from "../../contract/keys.js";
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import type { CatalogFeature, CatalogView } from "../../core/features/catalog.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import { glueType } from "../../core/warehouse/table.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { OnlineStore } from "../../ports/online-store.js";
import type { QueryEngine } from "../../ports/query-engine.js";
import { readMarkers } from "../shared/markers.js";
import { readJson } from "../shared/publish.js";
import { type ResolvedView, resolveView } from "./resolve.js";
import { TRAINING_SETS_PREFIX, type TrainingSetManifest } from "./training-set-layout.js";

export interface CatalogDeps {
  readonly schemas: SchemaRegistry;
  readonly views: ViewRegistry;
  readonly warehouse: ObjectStore;
  readonly exports: ObjectStore;
  readonly online: OnlineStore;
  readonly engine: QueryEngine;
}

async function latestStats(
  store: ObjectStore,
  dataset: string,
): Promise<{ key: string; stats: DatasetStatistics } | null> {
  let latest: string | undefined;
  for await (const o of store.list(statsPrefix(dataset, "TRAINING"))) latest = o.key;
  if (!latest) return null;
  const stats = await readJson<DatasetStatistics>(store, latest);
  return stats ? { key: latest, stats } : null;
}

async function trainingSets(store: ObjectStore): Promise<TrainingSetManifest[]> {
  const out: TrainingSetManifest[] = [];
  for await (const o of store.list(`${TRAINING_SETS_PREFIX}/`))
    if (o.key.endsWith("/manifest.json")) {
      const m = await readJson<TrainingSetManifest>(store, o.key);
      if (m) out.push(m);
    }
  return out;
}

async function freshnessOf(deps: CatalogDeps, v: ResolvedView): Promise<Record<string, unknown>> {
  const keys = v.entities.map(sqlIdent).join(", ");
  const result = await deps.engine.query(
    `SELECT count(*) AS "rows", count(DISTINCT (${keys})) AS "entities", max(${sqlIdent(v.eventTime)}) AS "ev", max("_ingested_at") AS "ing" ` +
      `FROM ${sqlIdent(v.table)} WHERE "_environment" = ${sqlString(v.environment)}`,
  );
  return result.rows[0] ?? {};
}

const iso = (x: unknown) => (x instanceof Date ? x.toISOString() : x == null ? null : String(x));

async function catalogView(
  deps: CatalogDeps,
  name: string,
  sets: readonly TrainingSetManifest[],
): Promise<CatalogView> {
  const v = resolveView(deps.views, deps.schemas, name);
  const def = v.definition;
  const stats = await latestStats(deps.warehouse, v.table);
  const byColumn = new Map(stats?.stats.features.map((f) => [f.column, f]) ?? []);
  const fresh = await freshnessOf(deps, v);
  const markers = (await readMarkers(deps.warehouse, v.table)).filter(
    (m) => m.status === "ok" && m.outputs.warehouse && m.environment === v.environment,
  );
  return {
    view: v.name,
    version: v.viewVersion,
    dataset: v.table,
    description: def.description ?? null,
    owner: def.owner ?? null,
    entities: v.entities,
    eventTime: v.eventTime,
    ttl: def.ttl ?? null,
    environment: v.environment,
    features: v.features.map((f) => {
      const vf = def.features.find((x) => x.name === f.feature)!;
      const s = byColumn.get(f.column);
      return {
        name: f.feature,
        column: f.column,
        type: glueType(f.type),
        description: vf.description,
        owner: vf.owner,
        statistics: s
          ? {
              present: s.present,
              missing: s.missing,
              ...(s.numeric ? { numeric: s.numeric } : {}),
              ...(s.string ? { string: s.string } : {}),
            }
          : null,
      };
    }),
    freshness: {
      rows: Number(fresh.rows ?? 0),
      entities: Number(fresh.entities ?? 0),
      latestEventTime: iso(fresh.ev),
      latestIngestedAt: iso(fresh.ing),
      onlineEntities: (await deps.online.scan(v.name)).length,
    },
    lineage: {
      runs: markers.length,
      rawBlobs: [...new Set(markers.map((m) => m.rawKey))].sort(),
      statisticsFrom: stats?.key ?? null,
      trainingSets: sets
        .filter((m) => m.features.some((f) => f.view === v.name))
        .map((m) => ({ name: m.name, version: m.version, asOf: m.asOf, rows: m.totalRows }))
        .sort((a, b) => (a.asOf < b.asOf ? -1 : 1)),
    },
  };
}

export async function featureCatalog(deps: CatalogDeps, only?: string): Promise<CatalogView[]> {
  const names = only ? [only] : deps.views.names();
  const sets = await trainingSets(deps.exports);
  const out: CatalogView[] = [];
  for (const name of names) out.push(await catalogView(deps, name, sets));
  return out;
}

export type { CatalogFeature, CatalogView };
