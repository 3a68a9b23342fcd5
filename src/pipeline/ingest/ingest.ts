/**
 * The ingest use case: one raw object in, validated Parquet + quarantine + statistics + lineage out.
 * Driver (identity, schema, the blob hashed in scratch, outcomes known early) → executor (the staged
 * engine batch, all work in scratch) → publisher (conditional writes, reports) → runStep's COMPLETE
 * and the commit marker, last. Every input row ends in the warehouse or in quarantine; a blob that
 * cannot be read at all is rejected whole with its reason recorded.
 */
import type { IngestResult } from "../../contract/records.js";
import { runStep, type StepLog } from "../shared/run-step.js";
import { scratchUnder } from "../shared/scratch.js";
import type { IngestContext, IngestMade } from "./context.js";
import type { IngestDeps, IngestOptions, ObjectRef } from "./deps.js";
import { driveIngest, PIPELINE_VERSION, prepareIngest } from "./driver.js";
import { executeIngest } from "./executor.js";
import { commitMarker, publishIngest, recordIngestFailure } from "./publisher.js";

export type { IngestDeps, IngestOptions, IngestPhase, ObjectRef } from "./deps.js";
export { PIPELINE_VERSION };

export async function ingestObject(
  deps: IngestDeps,
  ref: ObjectRef,
  options: IngestOptions = {},
  log?: StepLog,
): Promise<IngestResult> {
  const driven = await driveIngest(deps, ref, options);
  if ("done" in driven) return driven.done;
  const { plan } = driven;
  return runStep<IngestContext, IngestMade, IngestResult>(
    {
      lineage: deps.lineage,
      clock: deps.clock,
      scratch: scratchUnder(deps.scratchDir),
      ...(log ? { log } : {}),
    },
    {
      kind: "ingest",
      prepare: (dir) => prepareIngest(plan, dir),
      execute: (context) => executeIngest(context),
      publish: publishIngest,
      commit: commitMarker,
      recordFailure: (err) => recordIngestFailure(plan, err),
      release: () => plan.speculative.release(),
    },
  );
}
