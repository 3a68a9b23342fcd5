/**
 * The export use case: a point-in-time snapshot of a dataset, split repeatably into
 * train/eval/test, written to the exports zone as Parquet that is also a DVC remote.
 * Driver (committed runs ≤ as-of, their files' md5s, deterministic run id) → executor (the snapshot
 * query on DuckDB or Athena, into scratch) → publisher (hash the folder; upload objects, data,
 * manifest and, last, the `.dvc` file with conditional puts; lineage).
 * Same inputs ⇒ same rows in the same order ⇒ same bytes ⇒ same version: re-running is a no-op.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { hashPath } from "../adapters/local/hash-fs.js";
import { deterministicUuid } from "../core/hash/uuid.js";
import { splitWarnings } from "../core/split/hygiene.js";
import { formatSplitSpec, SPLIT_BUCKETS, splitRanges } from "../core/split/spec.js";
import { glueType } from "../core/warehouse/table.js";
import type { DatasetRef, RunHandle } from "../lineage/recorder.js";
import { putFileOnce, putOnce } from "../ports/conditional-put.js";
import { dvcFileFor, pushDvcObjects } from "./dvc-remote.js";
import type { ExportDeps, ExportResult } from "./export-deps.js";
import {
  DATA_DIR,
  EXPORT_PIPELINE_VERSION,
  type ExportManifest,
  exportKeys,
  MANIFEST_FORMAT,
  renderManifest,
  versionOf,
} from "./export-layout.js";
import { type ExportRequest, resolveExport } from "./export-request.js";
import { committedSourceRuns, type SourceFile, sourceFiles } from "./export-sources.js";
import { earliestRunPerSource, snapshotSql } from "./export-sql.js";
import { writeWithAthena, writeWithDuckdb } from "./export-writers.js";

export type { ExportDeps, ExportResult, ExportStatus } from "./export-deps.js";
export type { ExportRequest } from "./export-request.js";
export type { ExportEngine } from "./export-writers.js";

const DEFAULT_ROWS_PER_PART = 1_000_000;

function sourceRef(namespace: string, s: SourceFile): DatasetRef {
  return {
    namespace,
    name: s.key,
    version: s.md5,
    artifactType: "WarehouseFile",
    size: s.size,
    rowCount: s.rows,
    properties: { runId: s.runId, ingestedAt: s.ingestedAt },
  };
}

export async function exportDataset(deps: ExportDeps, request: ExportRequest): Promise<ExportResult> {
  const { stores } = deps;
  const versions = deps.schemas.loadAll(request.dataset).map((l) => l.schema);
  const x = resolveExport(request, versions, deps.clock.now());
  const splitText = formatSplitSpec(x.spec);
  const keyNames = x.keyColumns.map((c) => c.name);
  const base = {
    dataset: x.dataset,
    environment: x.environment,
    ...(request.name ? { name: request.name } : {}),
    requestedAsOf: x.requestedAsOf.toISOString(),
    split: splitText,
    splitKey: keyNames,
    remote: stores.exports.namespace,
  };

  // Driver: the committed runs this snapshot reads, and who this run is.
  const runs = await committedSourceRuns(stores.warehouse, x.dataset, x.environment, x.requestedAsOf);
  if (runs.length === 0) {
    return {
      ...base,
      status: "empty",
      asOf: null,
      version: null,
      md5: null,
      rows: {},
      totalRows: 0,
      nfiles: 0,
      size: 0,
      sources: 0,
      keys: null,
      runId: null,
      reason: `no committed ${x.environment} runs of ${x.dataset} at or before ${base.requestedAsOf}`,
    };
  }
  const sources = await sourceFiles(stores.warehouse, runs);
  const snapshotAt = new Date(Math.max(...runs.map((r) => new Date(r.ingestedAt).getTime())));
  const runId = deterministicUuid(
    "export",
    EXPORT_PIPELINE_VERSION,
    x.dataset,
    x.environment,
    splitText,
    x.spec.seed,
    keyNames.join(","),
    x.where ?? "",
    x.format,
    String(x.schema.version),
    ...sources.map((s) => `${s.key}@${s.md5}`),
  );
  const inputs = sources.map((s) => sourceRef(stores.warehouse.namespace, s));

  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-export-"));
  let run: RunHandle | undefined;
  try {
    run = await deps.lineage.start({
      runId,
      jobName: `export.${x.dataset}`,
      executionType: "Export",
      eventTime: deps.clock.now(),
      inputs,
      parameters: {
        environment: x.environment,
        asOf: snapshotAt.toISOString(),
        split: splitText,
        seed: x.spec.seed,
        splitKey: keyNames.join(","),
        where: x.where ?? "",
        format: x.format,
        schemaVersion: x.schema.version,
        pipelineVersion: EXPORT_PIPELINE_VERSION,
      },
      contexts: [{ type: "Dataset", name: x.dataset }],
    });

    // Executor: the snapshot query, into scratch.
    const dataDir = path.join(scratch, DATA_DIR);
    await fs.mkdir(dataDir);
    const columns = x.columns.map((c) => c.name);
    const engine = await deps.openEngine(snapshotAt);
    let query: string;
    let rows: Record<string, number>;
    try {
      query = snapshotSql(
        {
          table: x.dataset,
          columns,
          keyColumns: x.keyColumns,
          spec: x.spec,
          environment: x.environment,
          snapshotAt,
          runIds: earliestRunPerSource(runs).map((r) => r.runId),
          ...(x.where ? { where: x.where } : {}),
        },
        engine.name,
      );
      const req = { snapshot: query, columns, splits: x.spec.parts.map((p) => p.name), dataDir };
      const written =
        engine.name === "duckdb"
          ? await writeWithDuckdb(engine, req, deps.rowsPerPart ?? DEFAULT_ROWS_PER_PART)
          : await writeWithAthena(engine, req, {
              store: stores.exports,
              stagingPrefix: `_staging/${runId}/${(deps.attemptId ?? randomUUID)()}/`,
            });
      rows = written.rows;
    } finally {
      await engine.close();
    }
    const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
    if (totalRows === 0) {
      await run.complete({ eventTime: deps.clock.now(), outputs: [] });
      return {
        ...base,
        status: "empty",
        asOf: snapshotAt.toISOString(),
        version: null,
        md5: null,
        rows,
        totalRows,
        nfiles: 0,
        size: 0,
        sources: sources.length,
        keys: null,
        runId,
        reason: `the snapshot of ${x.dataset} has no rows${x.where ? ` matching ${x.where}` : ""}`,
      };
    }

    const labelFeature = x.schema.label
      ? x.schema.features.find((f) => f.name === x.schema.label)
      : undefined;
    const warnings = splitWarnings({
      spec: x.spec,
      rows,
      keyColumns: x.keyColumns.map((c) => c.name),
      ...(labelFeature && x.keyNamed ? { labelColumn: labelFeature.column } : {}),
    });
    // Publisher: the folder's DVC hash names the version; the `.dvc` file, written last, commits it.
    const hashed = await hashPath(dataDir);
    if (hashed.kind !== "dir") throw new Error("export data folder is not a directory");
    const version = versionOf(hashed.md5);
    const keys = exportKeys(x.dataset, version);
    const output: DatasetRef = {
      namespace: stores.exports.namespace,
      name: keys.data,
      version: hashed.md5,
      artifactType: "Export",
      size: hashed.size,
      rowCount: totalRows,
      fields: x.columns.map((c) => ({ name: c.name, type: glueType(c.type) })),
      properties: {
        asOf: snapshotAt.toISOString(),
        environment: x.environment,
        split: splitText,
        nfiles: hashed.nfiles,
        ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [`rows.${k}`, v])),
      },
    };
    const exists = await stores.exports.head(keys.dvcFile);
    if (!exists) {
      await pushDvcObjects(stores.exports, { dir: dataDir, entries: hashed.entries }, hashed.md5);
      for (const e of hashed.entries)
        await putFileOnce(
          stores.exports,
          `${keys.data}/${e.relpath}`,
          path.join(dataDir, ...e.relpath.split("/")),
        );
      const manifest: ExportManifest = {
        manifestFormat: MANIFEST_FORMAT,
        dataset: x.dataset,
        md5: hashed.md5,
        version,
        environment: x.environment,
        asOf: snapshotAt.toISOString(),
        schemaVersion: x.schema.version,
        format: x.format,
        columns: x.columns.map((c) => ({ name: c.name, type: glueType(c.type) })),
        split: {
          parts: splitRanges(x.spec),
          seed: x.spec.seed,
          key: x.keyColumns.map((c) => ({ name: c.name, type: glueType(c.type) })),
          buckets: SPLIT_BUCKETS,
          hash: "int(first 8 hex digits of md5(canonical key text)) mod 10000; canonical text: src/core/split/canonical.ts",
        },
        where: x.where,
        rows,
        totalRows,
        warnings,
        files: hashed.entries.map((e) => ({ relpath: e.relpath, md5: e.md5, size: e.size })),
        sources: sources.map((s) => ({
          key: s.key,
          md5: s.md5,
          size: s.size,
          runId: s.runId,
          ingestedAt: s.ingestedAt,
          rows: s.rows,
        })),
        query,
        engine: engine.name,
        runId,
        pipelineVersion: EXPORT_PIPELINE_VERSION,
      };
      await putOnce(stores.exports, keys.manifest, renderManifest(manifest), "application/json");
      await putOnce(
        stores.exports,
        keys.dvcFile,
        dvcFileFor(hashed.md5, hashed.size, hashed.nfiles, DATA_DIR),
        "text/yaml",
      );
    }
    await run.complete({ eventTime: deps.clock.now(), outputs: [output] });
    return {
      ...base,
      status: exists ? "unchanged" : "exported",
      asOf: snapshotAt.toISOString(),
      version,
      md5: hashed.md5,
      rows,
      totalRows,
      nfiles: hashed.nfiles,
      size: hashed.size,
      sources: sources.length,
      keys,
      runId,
      warnings,
    };
  } catch (err) {
    if (run)
      await run
        .fail({ eventTime: deps.clock.now(), error: err instanceof Error ? err : new Error(String(err)) })
        .catch(() => {});
    throw err;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
