/**
 * The export executor: the snapshot of the dataset as known at the snapshot instant, written in
 * split parts by the deps' ExportWriter (DuckDB into scratch, Athena into the exports zone's
 * staging area). Nothing is published here.
 */
import type { ExportContext, ExportMade } from "./context.js";

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
  return { rows: written.rows, totalRows, query: written.query, engine: written.engine };
}
