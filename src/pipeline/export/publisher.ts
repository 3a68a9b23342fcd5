/**
 * Writing into a DVC 3 remote: objects are content-addressed under `files/md5/<2>/<30>`, a
 * directory is one more object, `<md5>.dir`, holding its JSON manifest (the exact bytes hashed).
 * `dvc pull` with a `.dvc` file naming `<md5>.dir` fetches that object, then every file it lists.
 * Conditional puts make every write idempotent: an object that exists already has these bytes.
 */
import * as path from "node:path";
import {
  DATA_DIR,
  EXPORT_PIPELINE_VERSION,
  type ExportKeys,
  type ExportManifest,
  exportKeys,
  MANIFEST_FORMAT,
  type ManifestSnapshot,
  renderManifest,
  versionOf,
} from "../../contract/export-keys.js";
import { type DvcDirEntry, dvcDirJson, dvcObjectPath, renderDvcFile } from "../../core/hash/dvc.js";
import { splitWarnings } from "../../core/split/hygiene.js";
import { SPLIT_BUCKETS, splitRanges } from "../../core/split/spec.js";
import { glueType } from "../../core/warehouse/table.js";
import { copyOnce, putFileOnce, putOnce } from "../../ports/conditional-put.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef } from "../lineage/recorder.js";
import { dirDigest, type DirHash as HashedDir } from "../shared/hash-files.js";
import type { Published } from "../shared/run-step.js";
import type { ExportContext, ExportMade, ExportPlan, MadePart } from "./context.js";
import type { ExportResult } from "./deps.js";
import { emptyExport } from "./driver.js";
import { manifestSnapshot, putSnapshotSources, sourceList } from "./sources.js";

export interface DvcDirectory {
  /** Local folder holding the files. */
  readonly dir: string;
  readonly entries: readonly DvcDirEntry[];
}

/** Upload each file's object and then the `.dir` object (so a listed file is never missing). Returns keys written. */
export async function pushDvcObjects(
  store: ObjectStore,
  directory: DvcDirectory,
  md5Dir: string,
): Promise<string[]> {
  const written: string[] = [];
  for (const e of directory.entries) {
    const key = dvcObjectPath(e.md5);
    if (await putFileOnce(store, key, path.join(directory.dir, ...e.relpath.split("/")))) written.push(key);
  }
  const dirKey = dvcObjectPath(md5Dir);
  if (await putOnce(store, dirKey, dvcDirJson(directory.entries))) written.push(dirKey);
  return written;
}

/** The `.dvc` file for a directory output at `outPath` (relative to the `.dvc` file). */
export function dvcFileFor(md5Dir: string, size: number, nfiles: number, outPath: string): string {
  return renderDvcFile({ md5: md5Dir, size, nfiles, path: outPath });
}

/**
 * The export publisher: the data folder's DVC hash names the version; DVC objects, the data files and
 * the manifest are written with conditional puts, and the `.dvc` file, written last, commits it.
 * An export whose `.dvc` file exists already is unchanged (same inputs, same bytes, same version).
 */
export async function publishExport(ctx: ExportContext, made: ExportMade): Promise<Published<ExportResult>> {
  const { plan } = ctx;
  const { x } = plan;
  const { rows, totalRows } = made;
  const asOf = plan.snapshotAt.toISOString();
  if (totalRows === 0) {
    const reason = `the snapshot of ${x.dataset} has no rows${x.where ? ` matching ${x.where}` : ""}`;
    const sources = plan.sources.length;
    return {
      result: emptyExport(plan.base, { asOf, rows, sources, runId: plan.runId, reason }),
      outputs: [],
    };
  }
  const hashed = dirDigest(made.parts);
  const version = versionOf(hashed.md5);
  const keys = exportKeys(x.dataset, version);
  const exports = plan.deps.stores.exports;
  const exists = await exports.head(keys.dvcFile);
  if (!exists) await pushExport(exports, ctx, made, hashed, keys);
  const result: ExportResult = {
    ...plan.base,
    status: exists ? "unchanged" : "exported",
    asOf,
    version,
    md5: hashed.md5,
    rows,
    totalRows,
    nfiles: hashed.nfiles,
    size: hashed.size,
    sources: plan.sources.length,
    keys,
    runId: plan.runId,
    warnings: exportWarnings(plan, made),
  };
  return { result, outputs: [exportOutput(plan, made, hashed, keys)] };
}

/** A part under `key`: uploaded from scratch, or copied server-side from the staging area. */
async function putPartOnce(exports: ObjectStore, part: MadePart, key: string): Promise<boolean> {
  return "file" in part ? putFileOnce(exports, key, part.file) : copyOnce(exports, part.stagedKey, key);
}

async function pushExport(
  exports: ObjectStore,
  ctx: ExportContext,
  made: ExportMade,
  hashed: HashedDir,
  keys: ExportKeys,
): Promise<void> {
  // Each DVC object, then the `.dir` object (so a listed file is never missing), then the data files.
  for (const part of made.parts) await putPartOnce(exports, part, dvcObjectPath(part.md5));
  await putOnce(exports, dvcObjectPath(hashed.md5), dvcDirJson(hashed.entries));
  for (const part of made.parts) await putPartOnce(exports, part, `${keys.data}/${part.relpath}`);
  // The source list before the manifest naming it, as every object before what lists it.
  const snapshot = manifestSnapshot(ctx.plan);
  await putSnapshotSources(exports, snapshot, () => sourceList(ctx.plan, snapshot));
  const manifest = exportManifest(ctx.plan, made, hashed, snapshot);
  await putOnce(exports, keys.manifest, renderManifest(manifest), "application/json");
  await putOnce(
    exports,
    keys.dvcFile,
    dvcFileFor(hashed.md5, hashed.size, hashed.nfiles, DATA_DIR),
    "text/yaml",
  );
}

function exportOutput(plan: ExportPlan, made: ExportMade, hashed: HashedDir, keys: ExportKeys): DatasetRef {
  const { x } = plan;
  return {
    namespace: plan.deps.stores.exports.namespace,
    name: keys.data,
    version: hashed.md5,
    artifactType: "Export",
    size: hashed.size,
    rowCount: made.totalRows,
    fields: x.columns.map((c) => ({ name: c.name, type: glueType(c.type) })),
    properties: {
      asOf: plan.snapshotAt.toISOString(),
      environment: x.environment,
      split: plan.splitText,
      nfiles: hashed.nfiles,
      ...Object.fromEntries(Object.entries(made.rows).map(([k, v]) => [`rows.${k}`, v])),
    },
  };
}

/** Split hygiene (core/split/hygiene.ts): the label in a named key, shares far from the request. */
function exportWarnings(plan: ExportPlan, made: ExportMade): string[] {
  const { x } = plan;
  const label = x.schema.label ? x.schema.features.find((f) => f.name === x.schema.label) : undefined;
  return splitWarnings({
    spec: x.spec,
    rows: made.rows,
    keyColumns: x.keyColumns.map((c) => c.name),
    ...(label && x.keyNamed ? { labelColumn: label.column } : {}),
  });
}

function exportManifest(
  plan: ExportPlan,
  made: ExportMade,
  hashed: HashedDir,
  snapshot: ManifestSnapshot,
): ExportManifest {
  const { x } = plan;
  return {
    manifestFormat: MANIFEST_FORMAT,
    dataset: x.dataset,
    md5: hashed.md5,
    version: versionOf(hashed.md5),
    environment: x.environment,
    asOf: plan.snapshotAt.toISOString(),
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
    rows: made.rows,
    totalRows: made.totalRows,
    warnings: exportWarnings(plan, made),
    files: hashed.entries.map((e) => ({ relpath: e.relpath, md5: e.md5, size: e.size })),
    snapshot,
    query: made.query,
    engine: made.engine,
    runId: plan.runId,
    pipelineVersion: EXPORT_PIPELINE_VERSION,
  };
}
