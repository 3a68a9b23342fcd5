/**
 * Online materialisation: after an ingest run commits, the latest row per entity of each view fed
 * by its dataset (and environment) goes to the online store, conditionally on the store's order
 * (event time, ingest time, run id, record number), so runs may be materialised in any order, any
 * number of times: the store ends holding the latest row per entity, as the warehouse does.
 * Triggered by the commit marker (S3 ObjectCreated in AWS, the CLI's ingest locally).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import {
  entityKeyText,
  type OnlineItem,
  type OnlineValue,
  ORDER_TIME_FORMAT,
  orderOf,
} from "../../core/features/online.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { Database, type DatabaseOptions } from "../../engine/duckdb/database.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { OnlineStore, PutOutcome } from "../../ports/online-store.js";
import type { SchemaRegistry } from "../../schema/registry.js";
import type { ViewRegistry } from "../../schema/views.js";
import { readMarkers } from "../markers.js";
import type { IngestResult } from "../result.js";
import { type ResolvedView, resolveView } from "./resolve.js";

export interface MaterializeDeps {
  readonly warehouse: ObjectStore;
  readonly schemas: SchemaRegistry;
  readonly views: ViewRegistry;
  readonly online: OnlineStore;
  readonly scratchDir: string;
  readonly database?: DatabaseOptions;
}

export interface ViewMaterialized {
  readonly view: string;
  readonly entities: number;
  readonly written: number;
  readonly unchanged: number;
  /** Entities for which the store already held a newer row. */
  readonly older: number;
}

export interface MaterializeResult {
  readonly runId: string;
  readonly dataset: string;
  readonly views: readonly ViewMaterialized[];
  /** Why nothing was materialised, when nothing was. */
  readonly skipped?: string;
}

/** A DuckDB value as the online store keeps it (JSON): integers as numbers, timestamps as ISO text. */
export function onlineValue(v: unknown): OnlineValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(onlineValue);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  return String(v);
}

/** The latest row per entity within one run's warehouse file. */
export function latestInFileSql(v: ResolvedView, file: string, present: ReadonlySet<string>): string {
  const keys = v.entities.map(sqlIdent);
  const ev = sqlIdent(v.eventTime);
  const feats = v.features.map(
    (f, j) => `${present.has(f.column) ? sqlIdent(f.column) : "NULL"} AS ${sqlIdent(`f${j}`)}`,
  );
  return (
    `SELECT ${keys.map((k, i) => `${k} AS "k${i}"`).join(", ")}, strftime(${ev}, ${sqlString(ORDER_TIME_FORMAT)}) AS "_ev", ` +
    `strftime("_ingested_at", ${sqlString(ORDER_TIME_FORMAT)}) AS "_ing", "_run_id", "_source_row", "_source_key", "_source_md5", ${feats.join(", ")} ` +
    `FROM read_parquet(${sqlString(file)}) WHERE "_environment" = ${sqlString(v.environment)} AND ${ev} IS NOT NULL AND ${keys.map((k) => `${k} IS NOT NULL`).join(" AND ")} ` +
    `QUALIFY row_number() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${ev} DESC, "_source_row" DESC) = 1`
  );
}

export function itemOf(v: ResolvedView, row: Record<string, unknown>): OnlineItem {
  const keyValues = v.entities.map((_, i) => onlineValue(row[`k${i}`]));
  const eventTime = String(row._ev);
  const ingestedAt = String(row._ing);
  const runId = String(row._run_id);
  const sourceRow = Number(row._source_row);
  return {
    view: v.name,
    viewVersion: v.viewVersion,
    entity: Object.fromEntries(v.entities.map((k, i) => [k, keyValues[i]!])),
    key: entityKeyText(keyValues),
    values: Object.fromEntries(v.features.map((f, j) => [f.feature, onlineValue(row[`f${j}`])])),
    eventTime,
    ingestedAt,
    runId,
    sourceRow,
    sourceKey: String(row._source_key),
    sourceMd5: String(row._source_md5),
    order: orderOf(eventTime, ingestedAt, runId, sourceRow),
  };
}

export async function materializeRun(
  deps: MaterializeDeps,
  marker: IngestResult,
): Promise<MaterializeResult> {
  const base = { runId: marker.runId, dataset: marker.dataset };
  const key = marker.outputs?.warehouse;
  if (marker.status !== "ok" || !key)
    return { ...base, views: [], skipped: `run ${marker.runId} wrote no warehouse rows` };
  const views = deps.views
    .forDataset(marker.dataset)
    .map((l) => resolveView(deps.views, deps.schemas, l.view.view))
    .filter((v) => v.environment === marker.environment.toUpperCase());
  if (views.length === 0)
    return {
      ...base,
      views: [],
      skipped: `no feature view reads ${marker.environment} rows of ${marker.dataset}`,
    };
  const inPlace = deps.warehouse.localPath?.(key);
  const scratch = inPlace ? undefined : await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-materialize-"));
  const db = await Database.open({ threads: 1, ...deps.database });
  try {
    const file = inPlace ?? path.join(scratch!, "run.parquet");
    if (!inPlace) await deps.warehouse.download(key, file);
    const present = new Set(
      (await db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).map((r) =>
        String(r.column_name),
      ),
    );
    const out: ViewMaterialized[] = [];
    for (const v of views) {
      const rows = await db.all(latestInFileSql(v, file, present));
      const outcomes: PutOutcome[] = await deps.online.putAll(rows.map((r) => itemOf(v, r)));
      out.push({
        view: v.name,
        entities: rows.length,
        written: outcomes.filter((o) => o === "written").length,
        unchanged: outcomes.filter((o) => o === "unchanged").length,
        older: outcomes.filter((o) => o === "older").length,
      });
    }
    return { ...base, views: out };
  } finally {
    db.close();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  }
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
  for (const dataset of datasets)
    for (const marker of await readMarkers(deps.warehouse, dataset))
      out.push(await materializeRun(deps, marker));
  return out;
}
