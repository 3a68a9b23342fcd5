/** Wiring of the export use case on the embedded lake: filesystem zones and DuckDB views as of the snapshot. */

import { EXPORT_MEMORY_LIMIT } from "../../src/adapters/duckdb/database.js";
import { DuckDbExportWriter, writeSplitParts } from "../../src/adapters/duckdb/export-writer.js";
import type { LocalConfig } from "../../src/contract/env.js";
import type { IngestResult } from "../../src/contract/records.js";
import type { ExportDeps, ExportEngine } from "../../src/pipeline/export/export.js";
import type { SplitPartsWriter } from "../../src/ports/export-writer.js";
import { localPipelineDeps } from "./ingest.js";
import { openLakeEngine } from "./lake-engine.js";

/**
 * DuckDB views of the exported dataset over its runs committed at `asOf` (an export reads one
 * dataset: the others' tables are not bound); statements run once (query() would also describe them).
 */
export async function openLocalExportEngine(
  config: LocalConfig,
  asOf: Date,
  dataset?: string,
  committedRuns?: readonly IngestResult[],
): Promise<ExportEngine> {
  const known = dataset && committedRuns ? new Map([[dataset, committedRuns]]) : undefined;
  const engine = await openLakeEngine(config, { asOf, ...(dataset ? { datasets: [dataset] } : {}) }, known);
  return {
    name: engine.name,
    query: (sql) => engine.query(sql),
    execute: (sql) => engine.execute(sql),
    close: () => engine.close(),
  };
}

/** Export deps on the local lake, plus the DuckDB session training sets (`features history`) join in. */
export interface LocalExportDeps extends ExportDeps {
  openEngine(asOf: Date): Promise<ExportEngine>;
  readonly writeSplits: SplitPartsWriter;
}

export interface LocalExportOptions {
  /** Rows per Parquet part. @default 1000000 */
  readonly rowsPerPart?: number;
}

export function localExportDeps(
  config: LocalConfig,
  overrides: Partial<ExportDeps> & LocalExportOptions = {},
): LocalExportDeps {
  const { rowsPerPart, ...rest } = overrides;
  const openEngine = (asOf: Date) => openLocalExportEngine(config, asOf);
  return {
    ...localPipelineDeps(config),
    openEngine,
    writer: new DuckDbExportWriter({
      openEngine: (asOf, dataset, committedRuns) =>
        openLocalExportEngine(
          { ...config, duckdbMemory: config.duckdbMemory ?? EXPORT_MEMORY_LIMIT },
          asOf,
          dataset,
          committedRuns,
        ),
      ...(rowsPerPart ? { rowsPerPart } : {}),
    }),
    writeSplits: (engine, query) => writeSplitParts(engine, query, rowsPerPart),
    healRunIndex: true,
    ...rest,
  };
}
