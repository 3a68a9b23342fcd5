/**
 * The ingest publisher: what the executor (or the driver, early) decided, written with conditional
 * puts — the warehouse and quarantine Parquet with reports, a blob rejected whole, a blob routed to
 * the scale-out path, or nothing for a duplicate. runStep then announces COMPLETE and writes the
 * commit marker, the last write of every run; a run that throws leaves its failure record instead.
 */
import * as path from "node:path";
import { failedRunKey, routedKey } from "../../contract/keys.js";
import { type FailedRunRecord, type IngestResult, renderCommitMarker } from "../../contract/records.js";
import { errorMessage } from "../../core/errors.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { DatasetRef } from "../lineage/recorder.js";
import { canCut, cutIntoParts } from "../scale-out/route.js";
import { publishFile, putFileOnce, putOnce } from "../shared/publish.js";
import { appendToRunIndex } from "../shared/run-index.js";
import type { Published } from "../shared/run-step.js";
import { claimContent } from "./claim.js";
import { type IngestContext, type IngestMade, type IngestPlan, noRows, type RunContext } from "./context.js";
import { publishReports } from "./reports.js";

type Outputs = { -readonly [K in keyof IngestResult["outputs"]]: IngestResult["outputs"][K] };

export async function publishIngest(ctx: IngestContext, made: IngestMade): Promise<Published<IngestResult>> {
  switch (made.kind) {
    case "duplicate":
      return { result: made.result, outputs: [] };
    case "rejected":
      return publishRejected(ctx, made);
    case "routed":
      return publishRouted(ctx, made.size);
    case "batch":
      return publishBatch(ctx, made);
  }
}

/**
 * The commit marker: the run's result, written after lineage COMPLETE; then the run's entry in the
 * run index (derived: when a crash loses it, the next reader heals it from the marker).
 */
export async function commitMarker(ctx: RunContext, result: IngestResult): Promise<void> {
  await putOnce(ctx.deps.stores.warehouse, ctx.keys.marker, renderCommitMarker(result));
  await appendToRunIndex(ctx.deps.stores.warehouse, result);
}

/** The failed zone's record of a run that threw: what `lakeline replay` needs to re-drive it. */
export async function recordIngestFailure(plan: IngestPlan, err: unknown): Promise<void> {
  const { dataset, environment, schemaVersion, runId } = plan.identity;
  const record: FailedRunRecord = {
    ...plan.base,
    dataset,
    environment,
    schemaVersion,
    runId,
    ref: plan.ref,
    options: plan.options,
    error: errorMessage(err),
    errorName: (err as Error)?.name,
    failedAt: plan.deps.clock.now().toISOString(),
  };
  await putOnce(plan.deps.stores.failed, failedRunKey(dataset, runId), JSON.stringify(record, null, 2));
}

/** The blob is quarantined whole (a byte-identical copy and the reason); nothing reaches the warehouse. */
async function publishRejected(
  ctx: RunContext,
  made: Extract<IngestMade, { kind: "rejected" }>,
): Promise<Published<IngestResult>> {
  const { stores } = ctx.deps;
  const { reason, anomalies, rowsRead } = made;
  const blobName = path.posix.basename(ctx.ref.key);
  const dir = ctx.keys.rejectedDir;
  await putOnce(
    stores.quarantine,
    `${dir}/reason.json`,
    JSON.stringify({ ...ctx.common, reason, anomalies }, null, 2),
  );
  await putFileOnce(stores.quarantine, `${dir}/${blobName}`, ctx.local);
  const result: IngestResult = {
    ...ctx.common,
    format: made.format,
    rowsRead,
    rowsWritten: 0,
    rowsQuarantined: rowsRead,
    anomalies,
    outputs: {
      rejected: `${dir}/`,
      statistics: `${ctx.keys.reportDir}/statistics.json`,
      report: `${ctx.keys.reportDir}/report.html`,
    },
    status: "rejected",
    reason,
  };
  const reports = await publishReports({
    store: stores.warehouse,
    keys: ctx.keys,
    result,
    statistics: made.statistics ?? unmeasured(ctx, rowsRead),
    anomalies,
    previous: made.previous,
    schemaVersion: ctx.common.schemaVersion,
  });
  const output: DatasetRef = {
    namespace: stores.quarantine.namespace,
    name: `${dir}/${blobName}`,
    version: ctx.md5,
    artifactType: "QuarantineFile",
    rowCount: rowsRead,
    properties: { reason },
  };
  return { result, outputs: [output, ...reports] };
}

/** The statistics of a blob that could not be read as records: nothing measured. */
function unmeasured(ctx: RunContext, rowsRead: number): DatasetStatistics {
  const { dataset, environment, schemaVersion } = ctx.common;
  return {
    dataset,
    schemaVersion: schemaVersion ?? 0,
    environment,
    rowsRead,
    rowsValid: 0,
    rowsQuarantined: rowsRead,
    sourceFields: [],
    features: [],
  };
}

/**
 * Too large for one invocation: cut into raw parts when the deployment sets `partBytes` and the blob
 * can be cut by records, else only routed; either way recorded under `_routed/` in the failed zone.
 */
async function publishRouted(ctx: RunContext, size: number): Promise<Published<IngestResult>> {
  const { deps, ref } = ctx;
  const over = `blob of ${size} bytes exceeds the ${deps.maxBlobBytes}-byte limit of one invocation`;
  const partBytes = deps.partBytes !== undefined && canCut(ref.key) ? deps.partBytes : undefined;
  const parts =
    partBytes === undefined
      ? undefined
      : await cutIntoParts({
          raw: deps.stores.raw,
          key: ref.key,
          runId: ctx.common.runId,
          partBytes,
          scratch: ctx.scratch,
        });
  const reason = parts
    ? `${over}; cut at record boundaries into ${parts.length} parts of about ${partBytes} bytes (raw keys under ${path.posix.dirname(parts[0]?.name ?? ".")}/), each ingested as its own run; a part's _source_row counts from the part's first line, and its lineage names that line of the original`
    : `${over}; routed to the scale-out path (see README: scale-out)`;
  const base = noRows(ctx, "routed", reason);
  const result: IngestResult = parts ? { ...base, outputs: { parts: parts.map((p) => p.name) } } : base;
  await putOnce(
    deps.stores.failed,
    routedKey(ctx.common.dataset, ctx.common.runId),
    JSON.stringify({ ...result, ref }, null, 2),
  );
  return { result, outputs: parts ?? [] };
}

/**
 * Every output was made whole in scratch and the engine batch closed (its memory returned) before
 * anything is published; each output then appears atomically.
 */
async function publishBatch(
  ctx: RunContext,
  made: Extract<IngestMade, { kind: "batch" }>,
): Promise<Published<IngestResult>> {
  const { stores } = ctx.deps;
  const { keys } = ctx;
  const { statistics, anomalies } = made.made;
  ctx.deps.onPhase?.("publish", ctx.ref.key);
  const { outputs, produced } = await publishTables(ctx, made);
  // Only a run that wrote table rows claims its bytes; the claim precedes the commit marker.
  if (outputs.warehouse && made.schema.policy.dedupeByContent) await claimContent(ctx);
  const result: IngestResult = {
    ...ctx.common,
    format: made.made.format,
    rowsRead: statistics.rowsRead,
    rowsWritten: statistics.rowsValid,
    rowsQuarantined: statistics.rowsQuarantined,
    anomalies,
    outputs: {
      ...outputs,
      statistics: `${keys.reportDir}/statistics.json`,
      report: `${keys.reportDir}/report.html`,
    },
    status: "ok",
    sample: made.made.sample,
  };
  const reports = await publishReports({
    store: stores.warehouse,
    keys,
    result,
    statistics,
    anomalies,
    previous: made.previous,
    schemaVersion: made.schema.version,
  });
  return { result, outputs: [...produced, ...reports] };
}

async function publishTables(
  ctx: RunContext,
  made: Extract<IngestMade, { kind: "batch" }>,
): Promise<{ outputs: Outputs; produced: DatasetRef[] }> {
  const { stores } = ctx.deps;
  const { keys } = ctx;
  const { valid, quarantine, statistics } = made.made;
  const outputs: Outputs = {};
  const produced: DatasetRef[] = [];
  if (valid) {
    const fields = made.schema.features.map((f) => ({ name: f.column, type: f.type }));
    const file = await publishFile(
      stores.warehouse,
      keys.warehouse,
      valid.file,
      {
        artifactType: "WarehouseFile",
        rowCount: valid.rows,
        fields,
        // The batch statistics describe every row read: they are this file's only when none was quarantined.
        ...(statistics.rowsQuarantined === 0 ? { statistics } : {}),
      },
      valid.digest,
    );
    produced.push(file);
    outputs.warehouse = keys.warehouse;
    outputs.warehouseMd5 = file.version;
    outputs.warehouseBytes = file.size;
  }
  if (quarantine) {
    produced.push(
      await publishFile(stores.quarantine, keys.quarantine, quarantine.file, {
        artifactType: "QuarantineFile",
        rowCount: quarantine.rows,
      }),
    );
    outputs.quarantine = keys.quarantine;
  }
  return { outputs, produced };
}
