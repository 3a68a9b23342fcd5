/**
 * The export use case: a point-in-time snapshot of a dataset, split repeatably into
 * train/eval/test, written to the exports zone as Parquet that is also a DVC remote.
 * Driver (committed runs ≤ as-of, their files' md5s, deterministic run id) → executor (the snapshot
 * by the ExportWriter port, DuckDB or Athena) → publisher (hash the folder; upload objects, data,
 * manifest and, last, the `.dvc` file with conditional puts) → runStep's lineage COMPLETE.
 * Same inputs ⇒ same rows in the same order ⇒ same bytes ⇒ same version: re-running is a no-op.
 */
import type { ExportRequest } from "../../contract/export-request.js";
import { runStep, type StepLog } from "../shared/run-step.js";
import { scratchUnder } from "../shared/scratch.js";
import type { ExportContext, ExportMade } from "./context.js";
import type { ExportDeps, ExportResult } from "./deps.js";
import { driveExport, prepareExport } from "./driver.js";
import { executeExport } from "./executor.js";
import { publishExport } from "./publisher.js";

export type { ExportRequest } from "../../contract/export-request.js";
export type { ExportEngine } from "../../ports/query-engine.js";
export type { ExportDeps, ExportResult, ExportStatus } from "./deps.js";

export async function exportDataset(
  deps: ExportDeps,
  request: ExportRequest,
  log?: StepLog,
): Promise<ExportResult> {
  const driven = await driveExport(deps, request);
  if ("done" in driven) return driven.done;
  const { plan } = driven;
  return runStep<ExportContext, ExportMade, ExportResult>(
    {
      lineage: deps.lineage,
      clock: deps.clock,
      scratch: scratchUnder(deps.scratchDir),
      ...(log ? { log } : {}),
    },
    {
      kind: "export",
      prepare: (dir) => prepareExport(plan, dir),
      execute: executeExport,
      publish: publishExport,
    },
  );
}
