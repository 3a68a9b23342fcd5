/**
 * `features check`: the online store holds, for every entity of every view, exactly the latest
 * row of the warehouse (same row by event time, ingest time, run id and record number, same values)
 * — and no entity the warehouse does not have. Computed offline by the same ordering in SQL.
 */

import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import { latestPerEntitySql } from "../../core/features/history-sql.js";
import { entityKeyText, ORDER_TIME_FORMAT, orderOf } from "../../core/features/online.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import type { OnlineStore } from "../../ports/online-store.js";
import type { QueryEngine } from "../../ports/query-engine.js";
import { onlineValue } from "./materialize.js";
import { type ResolvedView, resolveView } from "./resolve.js";

export interface CheckMismatch {
  readonly view: string;
  readonly key: string;
  readonly problem:
    | "missing online"
    | "not in the warehouse"
    | "older row online"
    | "newer row online"
    | "values differ";
  readonly offline?: { readonly order: string; readonly values: Record<string, unknown> };
  readonly online?: { readonly order: string; readonly values: Record<string, unknown> };
}

export interface ViewCheck {
  readonly view: string;
  readonly entities: number;
  readonly online: number;
  readonly matching: number;
  readonly mismatches: readonly CheckMismatch[];
}

export interface FeaturesCheck {
  readonly ok: boolean;
  readonly asOf: string;
  readonly views: readonly ViewCheck[];
}

function offlineSql(v: ResolvedView, asOf: Date): string {
  const renamed = { ...v, features: v.features.map((f, j) => ({ column: f.column, as: `f${j}` })) };
  const fmt = sqlString(ORDER_TIME_FORMAT);
  return (
    `SELECT ${v.entities.map((k, i) => `${sqlIdent(k)} AS "k${i}"`).join(", ")}, strftime("_ev", ${fmt}) AS "_ev", strftime("_ing", ${fmt}) AS "_ing", ` +
    `"_run", "_srow", ${v.features.map((_, j) => `"f${j}"`).join(", ")} FROM (${latestPerEntitySql(renamed, asOf, "duckdb")}) AS "latest"`
  );
}

export async function checkOnline(
  deps: { schemas: SchemaRegistry; views: ViewRegistry; online: OnlineStore; engine: QueryEngine },
  asOf: Date,
  only?: string,
): Promise<FeaturesCheck> {
  const names = only ? [only] : deps.views.names();
  const out: ViewCheck[] = [];
  for (const name of names) {
    const v = resolveView(deps.views, deps.schemas, name);
    const rows = (await deps.engine.query(offlineSql(v, asOf))).rows;
    const online = new Map((await deps.online.scan(name)).map((i) => [i.key, i]));
    const mismatches: CheckMismatch[] = [];
    let matching = 0;
    const seen = new Set<string>();
    for (const r of rows) {
      const key = entityKeyText(v.entities.map((_, i) => onlineValue(r[`k${i}`])));
      seen.add(key);
      const order = orderOf(String(r._ev), String(r._ing), String(r._run), Number(r._srow));
      const values = Object.fromEntries(v.features.map((f, j) => [f.feature, onlineValue(r[`f${j}`])]));
      const item = online.get(key);
      const offline = { order, values };
      if (!item) mismatches.push({ view: name, key, problem: "missing online", offline });
      else if (item.order !== order)
        mismatches.push({
          view: name,
          key,
          problem: item.order < order ? "older row online" : "newer row online",
          offline,
          online: { order: item.order, values: item.values },
        });
      else if (JSON.stringify(item.values) !== JSON.stringify(values))
        mismatches.push({
          view: name,
          key,
          problem: "values differ",
          offline,
          online: { order: item.order, values: item.values },
        });
      else matching++;
    }
    for (const [key, item] of online)
      if (!seen.has(key))
        mismatches.push({
          view: name,
          key,
          problem: "not in the warehouse",
          online: { order: item.order, values: item.values },
        });
    out.push({ view: name, entities: rows.length, online: online.size, matching, mismatches });
  }
  return { ok: out.every((c) => c.mismatches.length === 0), asOf: asOf.toISOString(), views: out };
}
