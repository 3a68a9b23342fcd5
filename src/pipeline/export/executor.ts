/**
 * The export executor: the snapshot of the dataset as known at the snapshot instant, written in
 * split parts by the deps' ExportWriter (DuckDB into scratch, Athena into the exports zone's
 * staging area), each part hashed. Nothing is published here.
 */
import { SnapshotChangedError } from "../../core/errors.js";
import { mapLimit } from "../../core/map-limit.js";
import type { ExportPart } from "../../ports/export-writer.js";
import { md5File } from "../shared/hash-files.js";
import { committedRunIds } from "../shared/run-index.js";
import type { ExportContext, ExportMade, ExportPlan, MadePart } from "./context.js";
import { committedSourceRuns } from "./driver.js";

/** Local parts hashed at once (as hashPath does a folder). */
const HASH_CONCURRENCY = 4;

/** A local part is hashed from disk; a staged one was hashed by the writer as it streamed past. */
async function hashed(part: ExportPart): Promise<MadePart> {
  if ("file" in part) return { relpath: part.relpath, file: part.file, ...(await md5File(part.file)) };
  return part;
}

/** Whether two listings name the same runs (listings hold each id once). */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((id) => set.has(id));
}

/**
 * An engine may read the committed runs as data when it runs, not the list the driver made (Athena
 * reads the runs table): a run that committed in between (with an earlier start, or re-processing
 * a listed blob) would be read but missing from the manifest. So the markers are listed again after
 * the write; if what the snapshot could read changed, the export fails (retryable) before anything
 * is published.
 * The same marker ids as the driver listed mean the same runs (a marker is written once, never
 * rewritten or removed, and the run index returns exactly the runs of the ids it lists), so the
 * check reads the index again only when the ids differ, to tell a run the snapshot reads from one
 * it does not (another environment, or ingested after the snapshot instant).
 */
export async function assertSnapshotUnchanged(plan: ExportPlan): Promise<void> {
  const { deps, x, snapshotAt } = plan;
  const ids = await committedRunIds(deps.stores.warehouse, x.dataset);
  if (sameIds(ids, plan.listing.committed)) return;
  const now = await committedSourceRuns(deps.stores.warehouse, x.dataset, x.environment, x.requestedAsOf);
  const planned = new Set(plan.runs.map((r) => r.runId));
  const current = new Set(now.map((r) => r.runId));
  const readable = now.filter((r) => new Date(r.ingestedAt).getTime() <= snapshotAt.getTime());
  const added = readable.filter((r) => !planned.has(r.runId)).map((r) => r.runId);
  const replaced = plan.runs.filter((r) => !current.has(r.runId)).map((r) => r.runId);
  if (added.length === 0 && replaced.length === 0) return;
  throw new SnapshotChangedError(
    `export of ${x.dataset}: committed runs changed while the snapshot was written ` +
      `(${added.length} committed since listing, ${replaced.length} replaced by a re-processing); ` +
      "nothing was published, retry the export",
    { dataset: x.dataset, added: added.slice(0, 10), replaced: replaced.slice(0, 10) },
  );
}

export async function executeExport(ctx: ExportContext): Promise<ExportMade> {
  const { plan, dataDir } = ctx;
  const { deps, x, snapshotAt } = plan;
  const written = await deps.writer.write(
    {
      dataset: x.dataset,
      columns: x.columns.map((c) => c.name),
      keyColumns: x.keyColumns,
      spec: x.spec,
      environment: x.environment,
      snapshotAt,
      asOf: x.requestedAsOf,
      ...(x.where ? { where: x.where } : {}),
      committedRuns: plan.listing.runs,
    },
    { dataDir, runId: plan.runId },
  );
  await assertSnapshotUnchanged(plan);
  const totalRows = Object.values(written.rows).reduce((a, b) => a + b, 0);
  const parts = await mapLimit(written.parts, HASH_CONCURRENCY, hashed);
  return { parts, rows: written.rows, totalRows, query: written.query, engine: written.engine };
}
