/**
 * The ingest executor: everything the staged DuckDB batch has to give — the valid rows as Parquet,
 * statistics and the policy's verdict, the quarantined rows, a sample of reasons — made in scratch,
 * after which the batch is closed so its memory is returned before anything is published.
 */
import * as path from "node:path";
import type { IngestResult } from "../../contract/records.js";
import { BlobFormatError } from "../../core/errors.js";
import type { DatasetSchema } from "../../core/schema/types.js";
import type { DatasetStatistics } from "../../core/stats/types.js";
import type { LineageValues, StagedRecords } from "../../ports/ingest-engine.js";
import { type BatchOutputs, type IngestContext, type IngestMade, rejectedUnread } from "./context.js";

export type { BatchOutputs };

import { md5File } from "../shared/hash-files.js";
import { readMarkers } from "../shared/markers.js";
import { decideBatch } from "./decide.js";
import { previousStatistics } from "./reports.js";
import { withSkew } from "./skew.js";

/**
 * The valid rows are written while statistics are computed (two connections, both cores), and the
 * written file is hashed (its md5 is the warehouse file's version) while the statistics still run,
 * rather than after them, when nothing else would run beside it (300 columns × 200k rows: 0.56 s);
 * rejected rows are written only once policy accepts the blob. The batch is closed on every path.
 */
export async function executeBatch(
  args: {
    batch: StagedRecords;
    schema: DatasetSchema;
    environment: string;
    previous: DatasetStatistics | undefined;
    scratch: string;
  },
  lineage: LineageValues,
): Promise<BatchOutputs> {
  const { batch, schema, environment, previous, scratch } = args;
  try {
    const validFile = path.join(scratch, "valid.parquet");
    const writing = batch.writeValid(validFile, lineage);
    const [written, decided, digest] = await Promise.allSettled([
      writing,
      decideBatch({ batch, schema, environment, ...(previous ? { previous } : {}) }),
      writing.then((rows) => (rows > 0 ? md5File(validFile) : undefined)),
    ]);
    if (decided.status === "rejected") throw decided.reason;
    if (written.status === "rejected") throw written.reason;
    if (digest.status === "rejected") throw digest.reason;
    const { statistics, anomalies, rejectReason } = decided.value;
    const format = batch.format;
    if (rejectReason !== undefined) return { format, statistics, anomalies, rejectReason, sample: [] };
    const quarantineFile = path.join(scratch, "quarantine.parquet");
    const quarantined =
      statistics.rowsQuarantined > 0 ? await batch.writeQuarantine(quarantineFile, lineage) : 0;
    return {
      format,
      statistics,
      anomalies,
      ...(statistics.rowsValid > 0
        ? {
            valid: {
              file: validFile,
              rows: written.value,
              ...(digest.value ? { digest: digest.value } : {}),
            },
          }
        : {}),
      ...(quarantined > 0 ? { quarantine: { file: quarantineFile, rows: quarantined } } : {}),
      sample: await batch.sampleRejected(),
    };
  } finally {
    batch.close();
  }
}

/** The dataset's committed runs (the run index, read once) and the drift baseline among them. */
async function driftBaseline(
  ctx: IngestContext,
): Promise<{ runs: IngestResult[]; previous: DatasetStatistics | undefined }> {
  const { dataset, environment } = ctx.common;
  const { warehouse } = ctx.deps.stores;
  const runs = await readMarkers(warehouse, dataset, undefined, { heal: true });
  const currentKey = ctx.keys.stats;
  return { runs, previous: await previousStatistics(warehouse, runs, { dataset, environment, currentKey }) };
}

/**
 * The executor of one run: unless the driver already decided the outcome, take the staged batch,
 * measure it against the drift baseline and make every output in scratch. A blob the engine cannot
 * read at all is rejected whole; any other staging error fails the run.
 */
export async function executeIngest(ctx: IngestContext): Promise<IngestMade> {
  if (ctx.early) return ctx.early;
  const staged = await ctx.plan.speculative.take();
  if (!staged) throw new Error(`ingest: no staged batch for ${ctx.ref.key}`);
  if ("error" in staged) {
    if (staged.error instanceof BlobFormatError) return rejectedUnread(staged.error.reason);
    throw staged.error;
  }
  const { batch } = staged;
  try {
    const schema = ctx.plan.identity.loaded!.schema;
    const { environment, runId } = ctx.common;
    const { warehouse } = ctx.deps.stores;
    const { runs, previous } = await driftBaseline(ctx);
    ctx.deps.onPhase?.("write", ctx.ref.key);
    const batchMade = await executeBatch(
      { batch, schema, environment, previous, scratch: ctx.scratch },
      {
        ingestedAt: ctx.plan.ingestedAt,
        sourceKey: ctx.ref.key,
        sourceMd5: ctx.md5,
        schemaVersion: schema.version,
        environment,
        runId,
      },
    );
    // SERVING batches are also compared with the TRAINING baseline (training–serving skew).
    const made = {
      ...batchMade,
      anomalies: await withSkew(
        {
          store: warehouse,
          runs,
          schema,
          environment,
          statsKey: ctx.keys.stats,
          sourceKey: ctx.ref.key,
          statistics: batchMade.statistics,
        },
        batchMade.anomalies,
      ),
    };
    if (made.rejectReason === undefined) return { kind: "batch", made, schema, previous };
    const { statistics, anomalies } = made;
    return {
      kind: "rejected",
      reason: made.rejectReason,
      rowsRead: statistics.rowsRead,
      format: made.format,
      anomalies,
      statistics,
      schema,
      ...(previous ? { previous } : {}),
    };
  } finally {
    batch.close();
  }
}
