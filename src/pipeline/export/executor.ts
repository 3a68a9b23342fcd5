/**
 * The export executor: the snapshot of the dataset as known at the snapshot instant, written in
 * split parts by the deps' ExportWriter (DuckDB into scratch, Athena into the exports zone's
 * staging area), each part hashed. Nothing is published here.
 */
import type { ExportPart } from "../../ports/export-writer.js";
import { md5File } from "../shared/hash-files.js";
import type { ExportContext, ExportMade, MadePart } from "./context.js";

/** Local parts hashed at once (as hashPath does a folder). */
const HASH_CONCURRENCY = 4;

/** A local part is hashed from disk; a staged one was hashed by the writer as it streamed past. */
async function hashed(part: ExportPart): Promise<MadePart> {
  if ("file" in part) return { relpath: part.relpath, file: part.file, ...(await md5File(part.file)) };
  return part;
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
    },
    { dataDir, runId: plan.runId },
  );
  const totalRows = Object.values(written.rows).reduce((a, b) => a + b, 0);
  const parts: MadePart[] = new Array(written.parts.length);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const i = next++;
      parts[i] = await hashed(written.parts[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, parts.length) }, worker));
  return { parts, rows: written.rows, totalRows, query: written.query, engine: written.engine };
}
