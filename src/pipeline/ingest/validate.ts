/** Validation without writing anything: the same staged batch and decision the ingest uses. */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { scratchDir } from "../../contract/env.js";
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { Anomaly } from "../../core/validate/anomaly.js";
import type { EngineOptions, IngestEngine } from "../../ports/ingest-engine.js";
import { decideBatch } from "./decide.js";

export interface ValidationReport {
  readonly file: string;
  readonly dataset: string;
  readonly schemaVersion: number;
  readonly environment: string;
  readonly format: string;
  readonly rowsRead: number;
  readonly rowsValid: number;
  readonly rowsQuarantined: number;
  readonly anomalies: Anomaly[];
  /** Whether ingest would reject the whole blob, and why. */
  readonly wouldReject?: string;
  readonly sample: { row: number | null; reasons: string[] }[];
  readonly statistics?: DatasetStatistics;
}

export async function validateFile(args: {
  file: string;
  dataset: string;
  environment: string;
  schemas: SchemaRegistry;
  schemaVersion?: number;
  previous?: DatasetStatistics;
  engine: IngestEngine;
  database?: EngineOptions;
}): Promise<ValidationReport> {
  const { schema } = args.schemas.loadChecked(args.dataset, args.schemaVersion);
  const environment = args.environment.toUpperCase();
  const scratch = await fs.mkdtemp(path.join(scratchDir(), "lakeline-validate-"));
  try {
    const batch = await args.engine.stage({
      key: path.basename(args.file),
      localPath: args.file,
      scratch,
      schema,
      environment,
      ...(args.database ? { options: args.database } : {}),
    });
    try {
      const decision = await decideBatch({
        batch,
        schema,
        environment,
        ...(args.previous ? { previous: args.previous } : {}),
      });
      return {
        file: args.file,
        dataset: args.dataset,
        schemaVersion: schema.version,
        environment,
        format: batch.format,
        rowsRead: decision.statistics.rowsRead,
        rowsValid: decision.statistics.rowsValid,
        rowsQuarantined: decision.statistics.rowsQuarantined,
        anomalies: decision.anomalies,
        ...(decision.rejectReason ? { wouldReject: decision.rejectReason } : {}),
        sample: await batch.sampleRejected(10),
        statistics: decision.statistics,
      };
    } finally {
      batch.close();
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
