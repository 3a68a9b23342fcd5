/**
 * Re-driving failed ingest runs. A run that throws (a storage error, a crash mid-publish) leaves a
 * record in the failed zone (`<dataset>/<runId>.json`: the object ref and options it ran with).
 * Replay re-invokes the same use case with the same ref, options and schema version, so it lands
 * on the same deterministic run id and output keys: whatever the failed attempt already wrote is
 * kept (conditional puts), the rest is written, and the commit marker makes the run visible.
 * Failed records are never deleted (no store deletes anything); a record whose run has a commit
 * marker (found through the run index) is simply skipped, which makes replay idempotent.
 */

import { assertDatasetName } from "../../contract/raw-key.js";
import type { FailedRunRecord, IngestResult, IngestStatus } from "../../contract/records.js";
import { errorMessage } from "../../core/errors.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { readMarkers } from "../shared/markers.js";
import { type IngestDeps, type IngestOptions, ingestObject } from "./ingest.js";

export type { FailedRunRecord };

export type ReplayOutcome = "replayed" | "committed" | "would-replay" | "failed" | "unreadable";

export interface ReplayItem {
  /** Key of the record in the failed zone. */
  readonly record: string;
  readonly dataset: string;
  readonly runId: string;
  readonly rawKey?: string;
  readonly outcome: ReplayOutcome;
  /** Status of the replayed run (replayed) or of the committed one (committed). */
  readonly status?: IngestStatus;
  readonly rowsWritten?: number;
  readonly error?: string;
}

export interface ReplayReport {
  readonly scanned: number;
  readonly replayed: number;
  /** Records whose run already has a commit marker. */
  readonly skipped: number;
  readonly failed: number;
  readonly dryRun: boolean;
  readonly items: ReplayItem[];
}

export interface ReplayOptions {
  /** Only this dataset's failed runs. */
  readonly dataset?: string;
  /** Report what would be replayed; write nothing. */
  readonly dryRun?: boolean;
}

/** Folders of the failed zone that hold other records (`_routed/`: blobs sent to the scale-out path). */
const isRunRecord = (key: string) =>
  !key.startsWith("_") && key.endsWith(".json") && key.split("/").length === 2;

async function readRecord(store: ObjectStore, key: string): Promise<FailedRunRecord | undefined> {
  try {
    const value = JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as Partial<FailedRunRecord>;
    if (
      typeof value.runId !== "string" ||
      typeof value.dataset !== "string" ||
      typeof value.ref?.key !== "string"
    )
      return undefined;
    return value as FailedRunRecord;
  } catch {
    return undefined;
  }
}

/** Each dataset's committed runs, read once from the run index rather than one marker per record. */
function committedLookup(
  warehouse: ObjectStore,
): (dataset: string, runId: string) => Promise<IngestResult | undefined> {
  const indexes = new Map<string, Promise<Map<string, IngestResult>>>();
  return async (dataset, runId) => {
    let index = indexes.get(dataset);
    if (!index) {
      index = readMarkers(warehouse, dataset, undefined, { heal: true }).then(
        (runs) => new Map(runs.map((r) => [r.runId, r])),
      );
      indexes.set(dataset, index);
    }
    return (await index).get(runId);
  };
}

/** Re-run every failed ingest that has not been committed since; sequential, so a replay is gentle on a lake that just had trouble. */
export async function replayFailed(deps: IngestDeps, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { stores } = deps;
  if (options.dataset !== undefined) assertDatasetName(options.dataset);
  const prefix = options.dataset ? `${options.dataset}/` : "";
  const items: ReplayItem[] = [];
  const committedOf = committedLookup(stores.warehouse);
  for await (const o of stores.failed.list(prefix)) {
    if (!isRunRecord(o.key)) continue;
    const rec = await readRecord(stores.failed, o.key);
    const [dataset = "", file = ""] = o.key.split("/");
    if (!rec) {
      items.push({
        record: o.key,
        dataset,
        runId: file.replace(/\.json$/, ""),
        outcome: "unreadable",
        error: "not a failed-run record",
      });
      continue;
    }
    const base = { record: o.key, dataset: rec.dataset, runId: rec.runId, rawKey: rec.ref.key };
    const committed = await committedOf(rec.dataset, rec.runId);
    if (committed) {
      items.push({
        ...base,
        outcome: "committed",
        ...(committed.status ? { status: committed.status } : {}),
      });
      continue;
    }
    if (options.dryRun) {
      items.push({ ...base, outcome: "would-replay" });
      continue;
    }
    // Pin the schema version the failed run had, so the replay is that run and not a new one.
    const ingestOptions: IngestOptions = {
      ...rec.options,
      ...(typeof rec.schemaVersion === "number" && rec.options?.schemaVersion === undefined
        ? { schemaVersion: rec.schemaVersion }
        : {}),
    };
    try {
      const result = await ingestObject(deps, rec.ref, ingestOptions);
      items.push({ ...base, outcome: "replayed", status: result.status, rowsWritten: result.rowsWritten });
    } catch (err) {
      items.push({ ...base, outcome: "failed", error: errorMessage(err) });
    }
  }
  const count = (...outcomes: ReplayOutcome[]) => items.filter((i) => outcomes.includes(i.outcome)).length;
  return {
    scanned: items.length,
    replayed: count("replayed"),
    skipped: count("committed"),
    failed: count("failed", "unreadable"),
    dryRun: options.dryRun ?? false,
    items,
  };
}
