/**
 * Online materialisation: after an ingest run commits, the latest row per entity of each view fed
 * by its dataset (and environment) goes to the online store, conditionally on the store's order
 * (event time, ingest time, run id, record number), so runs may be materialised in any order, any
 * number of times: the store ends holding the latest row per entity, as the warehouse does.
 * Triggered by the commit marker (S3 ObjectCreated in AWS, the CLI's ingest locally).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { IngestResult } from "../../contract/records.js";
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import {
  entityKeyText,
  type OnlineItem,
  type OnlineValue,
  ORDER_TIME_FORMAT,
  orderOf,
} from "../../core/features/online.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { OnlineStore, PutOutcome } from "../../ports/online-store.js";
import type { QueryEngine } from "../../ports/query-engine.js";
import { readMarkers } from "../shared/markers.js";
import { type ResolvedView, resolveView } from "./resolve.js";

export interface MaterializeDeps {
  readonly warehouse: ObjectStore;
  readonly schemas: SchemaRegistry;
  readonly views: ViewRegistry;
  readonly online: OnlineStore;
  readonly scratchDir: string;
  /** An engine able to read a Parquet file by path (DuckDB's read_parquet), opened per run. */
  openReader(): Promise<QueryEngine>;
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

/** The views a committed run feeds (its dataset, its environment). */
function viewsFed(deps: MaterializeDeps, marker: IngestResult): ResolvedView[] {
  return deps.views
    .forDataset(marker.dataset)
    .map((l) => resolveView(deps.views, deps.schemas, l.view.view))
    .filter((v) => v.environment === marker.environment.toUpperCase());
}

/** The latest row per entity of each view in one Parquet file, written to the online store if newer. */
async function materializeFile(
  deps: MaterializeDeps,
  views: readonly ResolvedView[],
  file: string,
): Promise<ViewMaterialized[]> {
  const db = await deps.openReader();
  try {
    const described = await db.query(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
    const present = new Set<string>(described.rows.map((r) => String(r.column_name)));
    const out: ViewMaterialized[] = [];
    for (const v of views) {
      const rows = (await db.query(latestInFileSql(v, file, present))).rows;
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
  } finally {
    await db.close();
  }
}

export async function materializeRun(
  deps: MaterializeDeps,
  marker: IngestResult,
): Promise<MaterializeResult> {
  const base = { runId: marker.runId, dataset: marker.dataset };
  const key = marker.outputs?.warehouse;
  if (marker.status !== "ok" || !key)
    return { ...base, views: [], skipped: `run ${marker.runId} wrote no warehouse rows` };
  const views = viewsFed(deps, marker);
  if (views.length === 0)
    return {
      ...base,
      views: [],
      skipped: `no feature view reads ${marker.environment} rows of ${marker.dataset}`,
    };
  const inPlace = deps.warehouse.localPath?.(key);
  if (inPlace) return { ...base, views: await materializeFile(deps, views, inPlace) };
  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-materialize-"));
  try {
    const file = path.join(scratch, "run.parquet");
    await deps.warehouse.download(key, file);
    return { ...base, views: await materializeFile(deps, views, file) };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
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
