/**
 * The ingest use case: one raw object in, validated Parquet + quarantine + statistics + lineage out.
 * Driver (identity, schema, previous statistics) → executor (the staged DuckDB batch) → publisher
 * (conditional writes, reports, commit marker, lineage). Every input row ends in the warehouse or
 * in quarantine; a blob that cannot be read at all is rejected whole with its reason recorded.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { md5File } from "../adapters/local/hash-fs.js";
import {
  BlobFormatError,
  errorMessage,
  InvalidKeyError,
  LakelineError,
  ObjectExistsError,
} from "../core/errors.js";
import { deterministicUuid } from "../core/hash/uuid.js";
import { parseRawKey } from "../core/keys.js";
import type { DatasetSchema } from "../core/schema/types.js";
import type { Anomaly } from "../core/validate/anomaly.js";
import { StagedBatch } from "../engine/duckdb/batch.js";
import type { DatabaseOptions } from "../engine/duckdb/database.js";
import { DEFAULT_LIMITS, type ReadLimits } from "../engine/duckdb/reader.js";
import type { DatasetRef, LineageRecorder, RunHandle } from "../lineage/recorder.js";
import type { Clock } from "../ports/clock.js";
import type { LakeStores, ObjectStore } from "../ports/object-store.js";
import type { SchemaRegistry } from "../schema/registry.js";
import { decideBatch } from "./decide.js";
import { markerKey, runKeys, statsPrefix } from "./layout.js";
import { publishFile, putFileOnce, putOnce } from "./put-once.js";
import { publishReports } from "./reports.js";
import type { IngestResult } from "./result.js";

export const PIPELINE_VERSION = "lakeline-ingest/1";

export interface IngestDeps {
  readonly stores: LakeStores;
  readonly schemas: SchemaRegistry;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  /** Local scratch space (Lambda: /tmp). */
  readonly scratchDir: string;
  readonly limits?: ReadLimits;
  readonly database?: DatabaseOptions;
  /** Blobs larger than this are routed to the scale-out path instead of processed here. */
  readonly maxBlobBytes?: number;
}

/** The object an S3 notification names. */
export interface ObjectRef {
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

export interface IngestOptions {
  /** Overrides the environment taken from the key. */
  readonly environment?: string;
  readonly schemaVersion?: number;
}

/** Blob-level problems that reject the blob (recorded, not retried); anything else fails the run. */
function isRejection(err: unknown): err is LakelineError {
  return (
    err instanceof LakelineError &&
    ["BlobFormatError", "SchemaNotFoundError", "SchemaFormatError", "InvalidKeyError", "UsageError"].includes(
      err.name,
    )
  );
}

async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  if (!(await store.head(key))) return undefined;
  return JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as T;
}

export async function ingestObject(
  deps: IngestDeps,
  ref: ObjectRef,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const { stores } = deps;
  const raw = stores.raw;
  const info = await raw.head(ref.key).catch((err: unknown) => {
    if (err instanceof InvalidKeyError) return err;
    throw err;
  });
  if (info instanceof InvalidKeyError) return rejectUnaddressable(deps, ref, info);
  if (!info) throw new LakelineError(`raw object not found: ${raw.bucket}/${ref.key}`, { key: ref.key });
  const ingestedAt = info.lastModified ?? deps.clock.now();
  const base = {
    rawKey: ref.key,
    rawBucket: raw.bucket,
    sourceBytes: info.size,
    ingestedAt: ingestedAt.toISOString(),
  };

  // Driver: who is this run? Everything below is keyed by the deterministic run id.
  let dataset = "_invalid";
  let environment = (options.environment ?? "TRAINING").toUpperCase();
  let loaded: { schema: DatasetSchema; md5: string; file: string } | undefined;
  let identityError: unknown;
  try {
    const parsed = parseRawKey(ref.key);
    dataset = parsed.dataset;
    environment = (options.environment ?? parsed.environment).toUpperCase();
    loaded = deps.schemas.load(dataset, options.schemaVersion);
  } catch (err) {
    if (!isRejection(err)) throw err;
    identityError = err;
  }
  const schemaVersion = loaded?.schema.version ?? null;
  const runId = deterministicUuid(
    "ingest",
    raw.bucket,
    ref.key,
    ref.versionId ?? ref.etag ?? info.versionId ?? info.etag ?? "",
    PIPELINE_VERSION,
    String(schemaVersion ?? "none"),
  );
  const committed = await readJson<IngestResult>(stores.warehouse, markerKey(dataset, runId));
  if (committed) return committed;

  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-ingest-"));
  let run: RunHandle | undefined;
  let completed = false;
  let staging: Promise<{ batch: StagedBatch } | { error: unknown }> | undefined;
  try {
    const local = raw.localPath?.(ref.key) ?? path.join(scratch, "blob");
    if (local.startsWith(scratch)) await raw.download(ref.key, local);
    // Staging (DuckDB, all cores) starts once the blob is hashed (hashing alongside it measured slower:
    // both are CPU-bound on two cores) and overlaps lineage START and the content claim; a path that
    // returns early closes the speculative batch.
    const { md5 } = await md5File(local);
    const tooLarge = deps.maxBlobBytes !== undefined && info.size > deps.maxBlobBytes;
    if (loaded && !identityError && !tooLarge) {
      const schema = loaded.schema;
      staging = StagedBatch.stage({
        key: ref.key,
        localPath: local,
        scratch,
        schema,
        environment,
        limits: deps.limits ?? DEFAULT_LIMITS,
        ...(deps.database ? { database: deps.database } : {}),
      }).then(
        (batch) => ({ batch }),
        (error: unknown) => ({ error }),
      );
    }

    const keys = runKeys(dataset, environment, ingestedAt, md5, runId);
    const input: DatasetRef = {
      namespace: raw.namespace,
      name: ref.key,
      version: md5,
      artifactType: "RawBlob",
      size: info.size,
    };
    const schemaRef: DatasetRef[] = loaded
      ? [
          {
            namespace: `file://${path.dirname(loaded.file)}`,
            name: path.basename(loaded.file),
            version: loaded.md5,
            artifactType: "Schema",
            properties: { dataset, version: loaded.schema.version },
          },
        ]
      : [];
    const started = await deps.lineage.start({
      runId,
      jobName: `ingest.${dataset}`,
      executionType: "Ingest",
      eventTime: deps.clock.now(),
      inputs: [input, ...schemaRef],
      parameters: { environment, schemaVersion: schemaVersion ?? "none", pipelineVersion: PIPELINE_VERSION },
      contexts: [{ type: "Dataset", name: dataset }],
    });
    // Once COMPLETE is out, every output exists and only the marker can be missing: a later FAIL
    // would leave lineage saying "failed" for a run that replay merely commits.
    run = {
      ...started,
      complete: async (args) => {
        await started.complete(args);
        completed = true;
      },
    };
    const common = { ...base, dataset, environment, schemaVersion, sourceMd5: md5, runId };

    const reject = async (
      reason: string,
      counts: { rowsRead: number; format: string | null; anomalies: Anomaly[] },
    ): Promise<IngestResult> => {
      const blobName = path.posix.basename(ref.key);
      await putOnce(
        stores.quarantine,
        `${keys.rejectedDir}/reason.json`,
        JSON.stringify({ ...common, reason, anomalies: counts.anomalies }, null, 2),
      );
      await putFileOnce(stores.quarantine, `${keys.rejectedDir}/${blobName}`, local);
      const result: IngestResult = {
        ...common,
        format: counts.format,
        rowsRead: counts.rowsRead,
        rowsWritten: 0,
        rowsQuarantined: counts.rowsRead,
        anomalies: counts.anomalies,
        outputs: { rejected: `${keys.rejectedDir}/` },
        status: "rejected",
        reason,
      };
      await run!.complete({
        eventTime: deps.clock.now(),
        outputs: [
          {
            namespace: stores.quarantine.namespace,
            name: `${keys.rejectedDir}/${blobName}`,
            version: md5,
            artifactType: "QuarantineFile",
            rowCount: counts.rowsRead,
            properties: { reason },
          },
        ],
      });
      await putOnce(stores.warehouse, keys.marker, JSON.stringify(result, null, 2));
      return result;
    };

    if (identityError || !loaded)
      return await reject(errorMessage(identityError), { rowsRead: 0, format: null, anomalies: [] });
    const { schema } = loaded;
    if (tooLarge) {
      const reason = `blob of ${info.size} bytes exceeds the ${deps.maxBlobBytes}-byte limit of one invocation; routed to the scale-out path (see README: scale-out)`;
      const result: IngestResult = {
        ...common,
        format: null,
        rowsRead: 0,
        rowsWritten: 0,
        rowsQuarantined: 0,
        anomalies: [],
        outputs: {},
        status: "routed",
        reason,
      };
      await putOnce(
        stores.failed,
        `_routed/${dataset}/${runId}.json`,
        JSON.stringify({ ...result, ref }, null, 2),
      );
      await run.complete({ eventTime: deps.clock.now(), outputs: [] });
      await putOnce(stores.warehouse, keys.marker, JSON.stringify(result, null, 2));
      return result;
    }

    // Content dedupe: the first run to claim these bytes owns them; later uploads are recorded as duplicates.
    if (schema.policy.dedupeByContent) {
      try {
        await stores.warehouse.put(keys.content, JSON.stringify({ runId, rawKey: ref.key, md5 }), {
          ifNoneMatch: true,
        });
      } catch (err) {
        if (!(err instanceof ObjectExistsError)) throw err;
        const claim = await readJson<{ runId: string; rawKey: string }>(stores.warehouse, keys.content);
        if (claim && claim.runId !== runId) {
          const original = await readJson<IngestResult>(stores.warehouse, markerKey(dataset, claim.runId));
          const result: IngestResult = {
            ...common,
            format: original?.format ?? null,
            rowsRead: 0,
            rowsWritten: 0,
            rowsQuarantined: 0,
            anomalies: [],
            outputs: {},
            status: "duplicate",
            reason: `byte-identical to ${claim.rawKey} (md5 ${md5}), already ingested by run ${claim.runId}`,
            duplicateOf: claim.rawKey,
          };
          await run.complete({ eventTime: deps.clock.now(), outputs: [] });
          await putOnce(stores.warehouse, keys.marker, JSON.stringify(result, null, 2));
          return result;
        }
      }
    }

    // Executor: stage, measure, decide.
    const staged = await staging!;
    staging = undefined;
    if ("error" in staged) {
      if (staged.error instanceof BlobFormatError)
        return await reject(staged.error.reason, { rowsRead: 0, format: null, anomalies: [] });
      throw staged.error;
    }
    const batch = staged.batch;
    try {
      const previous = await previousStatistics(
        stores.warehouse,
        statsPrefix(dataset, environment),
        keys.stats,
      );
      // The valid rows are written while statistics are computed (two connections, both cores); a
      // blob that policy then rejects leaves only a scratch file behind.
      const validFile = path.join(scratch, "valid.parquet");
      const lineageValues = {
        ingestedAt,
        sourceKey: ref.key,
        sourceMd5: md5,
        schemaVersion: schema.version,
        environment,
        runId,
      };
      const [written, decided] = await Promise.allSettled([
        batch.writeValid(validFile, lineageValues),
        decideBatch({ batch, schema, environment, previous }),
      ]);
      if (decided.status === "rejected") throw decided.reason;
      if (written.status === "rejected") throw written.reason;
      const decision = decided.value;
      const { statistics, anomalies } = decision;
      if (decision.rejectReason) {
        return await reject(decision.rejectReason, {
          rowsRead: statistics.rowsRead,
          format: batch.blob.format,
          anomalies,
        });
      }
      // Publisher: files are whole in scratch; each appears atomically under its final key.
      const outputs: { warehouse?: string; quarantine?: string } = {};
      const produced: DatasetRef[] = [];
      const fields = schema.features.map((f) => ({ name: f.column, type: f.type }));
      if (statistics.rowsValid > 0) {
        produced.push(
          await publishFile(stores.warehouse, keys.warehouse, validFile, {
            artifactType: "WarehouseFile",
            rowCount: written.value,
            fields,
            statistics,
          }),
        );
        outputs.warehouse = keys.warehouse;
      }
      if (statistics.rowsQuarantined > 0) {
        const file = path.join(scratch, "quarantine.parquet");
        const rowCount = await batch.writeQuarantine(file, lineageValues);
        produced.push(
          await publishFile(stores.quarantine, keys.quarantine, file, {
            artifactType: "QuarantineFile",
            rowCount,
          }),
        );
        outputs.quarantine = keys.quarantine;
      }
      const sample = await batch.sampleRejected();
      const result: IngestResult = {
        ...common,
        format: batch.blob.format,
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
        sample,
      };
      const reportRefs = await publishReports({
        store: stores.warehouse,
        keys,
        result,
        statistics,
        anomalies,
        previous,
        schema,
      });
      produced.push(...reportRefs);
      await run.complete({ eventTime: deps.clock.now(), outputs: produced });
      await putOnce(stores.warehouse, keys.marker, JSON.stringify(result, null, 2));
      return result;
    } finally {
      batch.close();
    }
  } catch (err) {
    if (run && !completed)
      await run
        .fail({ eventTime: deps.clock.now(), error: err instanceof Error ? err : new Error(String(err)) })
        .catch(() => {});
    const failure = {
      ...base,
      dataset,
      environment,
      schemaVersion,
      runId,
      ref,
      options,
      error: errorMessage(err),
      errorName: (err as Error)?.name,
      failedAt: deps.clock.now().toISOString(),
    };
    await putOnce(stores.failed, `${dataset}/${runId}.json`, JSON.stringify(failure, null, 2)).catch(
      () => {},
    );
    throw err;
  } finally {
    // A path that returned before using the speculative batch still owns it.
    const unused = await staging;
    if (unused && "batch" in unused) unused.batch.close();
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A notification naming a key lakeline cannot address (`..`, absolute, NUL — S3 allows such keys)
 * would fail on every retry; it is recorded as rejected instead, with the reason in quarantine.
 * The blob itself stays untouched in the raw zone: it cannot be read without escaping a zone.
 */
async function rejectUnaddressable(
  deps: IngestDeps,
  ref: ObjectRef,
  err: InvalidKeyError,
): Promise<IngestResult> {
  const { stores } = deps;
  const runId = deterministicUuid(
    "ingest",
    stores.raw.bucket,
    ref.key,
    ref.versionId ?? ref.etag ?? "",
    PIPELINE_VERSION,
    "none",
  );
  const marker = markerKey("_invalid", runId);
  const committed = await readJson<IngestResult>(stores.warehouse, marker);
  if (committed) return committed;
  const rejectedDir = `_invalid/_rejected/${runId}`;
  const result: IngestResult = {
    dataset: "_invalid",
    environment: "TRAINING",
    schemaVersion: null,
    rawKey: ref.key,
    rawBucket: stores.raw.bucket,
    sourceMd5: null,
    sourceBytes: 0,
    format: null,
    rowsRead: 0,
    rowsWritten: 0,
    rowsQuarantined: 0,
    anomalies: [],
    outputs: { rejected: `${rejectedDir}/` },
    runId,
    status: "rejected",
    reason: err.message,
    ingestedAt: deps.clock.now().toISOString(),
  };
  await putOnce(stores.quarantine, `${rejectedDir}/reason.json`, JSON.stringify({ ...result, ref }, null, 2));
  await putOnce(stores.warehouse, marker, JSON.stringify(result, null, 2));
  return result;
}

async function previousStatistics(store: ObjectStore, prefix: string, currentKey: string) {
  let latest: string | undefined;
  for await (const o of store.list(prefix)) if (o.key < currentKey) latest = o.key;
  return latest ? readJson<import("../core/stats/types.js").DatasetStatistics>(store, latest) : undefined;
}
