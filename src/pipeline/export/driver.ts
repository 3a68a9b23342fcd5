/**
 * The driver's view of the warehouse: which committed ingest runs an export may read, and the
 * DVC md5 of each warehouse file they wrote. Read from the commit markers through the ObjectStore
 * port, so the same code runs on the local lake and on S3.
 */

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DATA_DIR, EXPORT_PIPELINE_VERSION } from "../../contract/export-keys.js";
import { type ExportRequest, type ResolvedExport, resolveExport } from "../../contract/export-request.js";
import type { IngestResult } from "../../contract/records.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import { warehouseSnapshot } from "../../core/lineage/snapshot-members.js";
import { mapLimit } from "../../core/map-limit.js";
import { formatSplitSpec } from "../../core/split/spec.js";
import { latestProcessings } from "../../core/warehouse/latest.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef, RunStart } from "../lineage/recorder.js";
import { readMarkers } from "../shared/markers.js";
import { md5Stored } from "../shared/publish.js";
import { readRunIndex } from "../shared/run-index.js";
import type { ExportContext, ExportPlan, SourceFile } from "./context.js";

export type { SourceFile };

import type { ExportDeps, ExportResult } from "./deps.js";

/**
 * Runs of `dataset` in the environment that an export reads: of each source blob, its latest
 * processing at or before `asOf` (core/warehouse/latest.ts), when that processing wrote rows.
 */
export async function committedSourceRuns(
  store: ObjectStore,
  dataset: string,
  environment: string,
  asOf: Date,
): Promise<IngestResult[]> {
  return sourceRunsOf(await readMarkers(store, dataset), environment, asOf);
}

/** `committedSourceRuns` over a listing of the dataset's committed runs already read. */
export function sourceRunsOf(
  committed: readonly IngestResult[],
  environment: string,
  asOf: Date,
): IngestResult[] {
  const t = asOf.getTime();
  const landed = committed.filter(
    (m) => new Date(m.ingestedAt).getTime() <= t && m.environment.toUpperCase() === environment,
  );
  const runs = latestProcessings(landed).filter((m) => m.outputs.warehouse);
  return runs.sort((a, b) =>
    a.outputs.warehouse! < b.outputs.warehouse! ? -1 : a.outputs.warehouse! > b.outputs.warehouse! ? 1 : 0,
  );
}

const HASH_CONCURRENCY = 8;

/**
 * The warehouse files of the runs, with their md5s, in key order: from the commit marker, or for a
 * marker without them (written by an older version) by hashing the file.
 */
export async function sourceFiles(store: ObjectStore, runs: readonly IngestResult[]): Promise<SourceFile[]> {
  return mapLimit(runs, HASH_CONCURRENCY, async (run) => {
    const key = run.outputs.warehouse!;
    const { warehouseMd5, warehouseBytes } = run.outputs;
    const digest =
      warehouseMd5 !== undefined && warehouseBytes !== undefined
        ? { md5: warehouseMd5, size: warehouseBytes }
        : await md5Stored(store, key);
    return {
      key,
      ...digest,
      runId: run.runId,
      ingestedAt: run.ingestedAt,
      rows: run.rowsWritten,
      sourceMd5: run.sourceMd5,
    };
  });
}

/**
 * The export driver: the request resolved against the schema, the committed runs the snapshot reads
 * and their files, and the deterministic run id; or the empty result when there is nothing to read.
 */
export async function driveExport(
  deps: ExportDeps,
  request: ExportRequest,
): Promise<{ done: ExportResult } | { plan: ExportPlan }> {
  const { stores } = deps;
  const versions = deps.schemas.loadAll(request.dataset).map((l) => l.schema);
  const x = resolveExport(request, versions, deps.clock.now());
  const splitText = formatSplitSpec(x.spec);
  const keyNames = x.keyColumns.map((c) => c.name);
  const base = {
    dataset: x.dataset,
    environment: x.environment,
    ...(request.name ? { name: request.name } : {}),
    requestedAsOf: x.requestedAsOf.toISOString(),
    split: splitText,
    splitKey: keyNames,
    remote: stores.exports.namespace,
  };
  // Read once: the plan keeps the listing for the engine and for the check after the write.
  const listed = await readRunIndex(stores.warehouse, x.dataset, { heal: deps.healRunIndex === true });
  const runs = sourceRunsOf(listed.runs, x.environment, x.requestedAsOf);
  if (runs.length === 0) {
    const reason = `no committed ${x.environment} runs of ${x.dataset} at or before ${base.requestedAsOf}`;
    return { done: emptyExport(base, { asOf: null, rows: {}, sources: 0, runId: null, reason }) };
  }
  const sources = await sourceFiles(stores.warehouse, runs);
  const snapshotAt = new Date(Math.max(...runs.map((r) => new Date(r.ingestedAt).getTime())));
  const runId = exportRunId(x, splitText, keyNames, sources);
  const files = sources.map((s) => sourceRef(stores.warehouse.namespace, s));
  const inputs = [snapshotRef(stores.warehouse.namespace, x.dataset, sources, snapshotAt)];
  const listing = { runs: listed.runs, committed: listed.committed };
  return {
    plan: { deps, x, base, splitText, keyNames, listing, runs, sources, inputs, files, snapshotAt, runId },
  };
}

/** An export that wrote nothing: no committed runs, or a snapshot without rows. */
export function emptyExport(
  base: ExportPlan["base"],
  what: Pick<ExportResult, "asOf" | "rows" | "sources" | "runId" | "reason">,
): ExportResult {
  const totalRows = Object.values(what.rows).reduce((a, b) => a + b, 0);
  const { asOf, rows, sources, runId, reason } = what;
  return {
    ...base,
    status: "empty",
    asOf,
    version: null,
    md5: null,
    rows,
    totalRows,
    nfiles: 0,
    size: 0,
    sources,
    keys: null,
    runId,
    ...(reason !== undefined ? { reason } : {}),
  };
}

function exportRunId(
  x: ResolvedExport,
  splitText: string,
  keyNames: readonly string[],
  sources: readonly SourceFile[],
): string {
  return deterministicUuid(
    "export",
    EXPORT_PIPELINE_VERSION,
    x.dataset,
    x.environment,
    splitText,
    x.spec.seed,
    keyNames.join(","),
    x.where ?? "",
    x.format,
    String(x.schema.version),
    ...sources.map((s) => `${s.key}@${s.md5}`),
  );
}

/**
 * The export's OpenLineage input: the warehouse table as one dataset, versioned by its snapshot —
 * the DVC directory hash of the files read (relpath = key, md5), so the same files give the same
 * version and the event's size does not grow with history. The files are its `inputMembers`: one
 * record, expanded into file → export links only when a lineage query walks through the snapshot.
 */
export function snapshotRef(
  namespace: string,
  dataset: string,
  sources: readonly SourceFile[],
  snapshotAt: Date,
): DatasetRef {
  return warehouseSnapshot(namespace, dataset, sources, { asOf: snapshotAt.toISOString() });
}

export function sourceRef(namespace: string, s: SourceFile): DatasetRef {
  return {
    namespace,
    name: s.key,
    version: s.md5,
    artifactType: "WarehouseFile",
    size: s.size,
    rowCount: s.rows,
    properties: { runId: s.runId, ingestedAt: s.ingestedAt },
  };
}

/** The driver in scratch: the data folder the executor fills, and the run's lineage START. */
export async function prepareExport(
  plan: ExportPlan,
  scratch: string,
): Promise<{ context: ExportContext; start: Omit<RunStart, "eventTime"> }> {
  const { x, splitText, keyNames } = plan;
  const dataDir = path.join(scratch, DATA_DIR);
  await fs.mkdir(dataDir);
  const start = {
    runId: plan.runId,
    jobName: `export.${x.dataset}`,
    executionType: "Export" as const,
    inputs: plan.inputs,
    inputMembers: [{ snapshot: plan.inputs[0]!, members: plan.files }],
    parameters: {
      environment: x.environment,
      asOf: plan.snapshotAt.toISOString(),
      split: splitText,
      seed: x.spec.seed,
      splitKey: keyNames.join(","),
      where: x.where ?? "",
      format: x.format,
      schemaVersion: x.schema.version,
      pipelineVersion: EXPORT_PIPELINE_VERSION,
    },
    contexts: [{ type: "Dataset" as const, name: x.dataset }],
  };
  return { context: { plan, dataDir }, start };
}
