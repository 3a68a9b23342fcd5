/** Requested `view:feature` references resolved against the view registry and the dataset schemas. */

import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import { UsageError } from "../../core/errors.js";
import type { HistoryView } from "../../core/features/history-sql.js";
import { type FeatureRef, type FeatureView, outputColumn } from "../../core/features/view.js";
import { viewProblems } from "../../core/features/view-check.js";
import type { FeatureType } from "../../core/schema/types.js";
import { type ColumnType, featureColumnType } from "../../core/warehouse/table.js";

export interface ResolvedView extends HistoryView {
  readonly viewVersion: number;
  readonly viewMd5: string;
  readonly definition: FeatureView;
  readonly features: readonly {
    readonly feature: string;
    readonly column: string;
    readonly as: string;
    readonly type: ColumnType;
    readonly featureType: FeatureType;
  }[];
}

export interface ResolvedFeatures {
  readonly views: readonly ResolvedView[];
  /** Entity key columns over all views, with their warehouse types. */
  readonly keys: readonly { readonly name: string; readonly type: ColumnType }[];
}

/** A view with its schema-checked column types (every feature when `only` is absent). */
export function resolveView(
  views: ViewRegistry,
  schemas: SchemaRegistry,
  name: string,
  only?: readonly string[],
): ResolvedView {
  const loaded = views.load(name);
  const v = loaded.view;
  const schema = schemas.load(v.dataset).schema;
  const problems = viewProblems(v, schema);
  if (problems.length > 0)
    throw new UsageError(`feature view ${name} does not fit its dataset: ${problems.join("; ")}`);
  const byColumn = new Map(schema.features.map((f) => [f.column, f]));
  const wanted = only ?? v.features.map((f) => f.name);
  const features = wanted.map((fname) => {
    const vf = v.features.find((f) => f.name === fname);
    if (!vf)
      throw new UsageError(
        `feature ${name}:${fname} does not exist (view ${name} serves ${v.features.map((f) => f.name).join(", ")})`,
      );
    const sf = byColumn.get(vf.column)!;
    return {
      feature: vf.name,
      column: vf.column,
      as: outputColumn(name, vf.name),
      type: featureColumnType(sf),
      featureType: sf.type,
    };
  });
  return {
    name,
    table: v.dataset,
    entities: v.entities,
    eventTime: v.eventTime,
    ...(v.ttlSeconds !== undefined ? { ttlSeconds: v.ttlSeconds } : {}),
    environment: v.environment,
    features,
    viewVersion: v.version,
    viewMd5: loaded.md5,
    definition: v,
  };
}

/** Entity key columns of the view with their warehouse types. */
export function viewKeys(view: ResolvedView, schemas: SchemaRegistry): { name: string; type: ColumnType }[] {
  const schema = schemas.load(view.table).schema;
  return view.entities.map((k) => ({
    name: k,
    type: featureColumnType(schema.features.find((f) => f.column === k)!),
  }));
}

export function resolveFeatures(
  views: ViewRegistry,
  schemas: SchemaRegistry,
  refs: readonly FeatureRef[],
): ResolvedFeatures {
  if (refs.length === 0) throw new UsageError("--features names no feature (e.g. stock_prices:price)");
  const order: string[] = [];
  const byView = new Map<string, string[]>();
  for (const r of refs) {
    if (!byView.has(r.view)) {
      byView.set(r.view, []);
      order.push(r.view);
    }
    const list = byView.get(r.view)!;
    if (list.includes(r.feature)) throw new UsageError(`feature ${r.view}:${r.feature} is requested twice`);
    list.push(r.feature);
  }
  const resolved = order.map((name) => resolveView(views, schemas, name, byView.get(name)));
  const keys = new Map<string, ColumnType>();
  for (const v of resolved) {
    for (const k of viewKeys(v, schemas)) {
      const seen = keys.get(k.name);
      if (seen && JSON.stringify(seen) !== JSON.stringify(k.type))
        throw new UsageError(`entity column ${k.name} has different types in the views requested`);
      keys.set(k.name, k.type);
    }
  }
  return { views: resolved, keys: [...keys].map(([name, type]) => ({ name, type })) };
}
