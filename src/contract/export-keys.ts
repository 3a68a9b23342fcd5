/**
 * Where an export lives in the exports zone, and what describes it. The zone is also a DVC remote
 * (see dvc-remote.ts), so each export is both browsable and `dvc pull`-able:
 *
 *   <dataset>/<version>/data/<split>/part-<n>.parquet   the rows, n = 0, 1, … (empty splits have no file)
 *   <dataset>/<version>/manifest.json                   what was exported, from what, how
 *   <dataset>/<version>/<dataset>.dvc                   DVC 3 pointer to data/ — written last: the commit
 *   files/md5/<2>/<30>                                  DVC objects: every data file, and the .dir list
 *
 * `<version>` is the md5 of the data folder's DVC manifest: the `.dvc` file's `md5` without its
 * ".dir" suffix (a folder named "….dir" reads like a file extension to people and tools).
 */
import type { SplitRange } from "../core/split/spec.js";

export const EXPORT_PIPELINE_VERSION = "lakeline-export/1";
export const MANIFEST_FORMAT = 1;
export const DATA_DIR = "data";

export interface ExportKeys {
  readonly root: string;
  readonly data: string;
  readonly manifest: string;
  readonly dvcFile: string;
}

export function exportKeys(dataset: string, version: string): ExportKeys {
  const root = `${dataset}/${version}`;
  return {
    root,
    data: `${root}/${DATA_DIR}`,
    manifest: `${root}/manifest.json`,
    dvcFile: `${root}/${dataset}.dvc`,
  };
}

/**
 * Where Athena UNLOADs an export run's output before it is hashed and published as a DVC remote:
 * `_staging/<exportRunId>/<attempt>/<split>/`. Nothing reads it once the run has published (or
 * failed), so the stack expires it.
 */
export const EXPORT_STAGING_PREFIX = "_staging/";
/** Staged files are deleted this many days after they were written (an export runs at most 15 min). */
export const EXPORT_STAGING_EXPIRATION_DAYS = 1;

/** Where Athena UNLOADs one attempt of an export run before its files are downloaded into scratch. */
export function exportStagingPrefix(runId: string, attempt: string): string {
  return `${EXPORT_STAGING_PREFIX}${runId}/${attempt}/`;
}

export function partRelpath(split: string, part: number): string {
  return `${split}/part-${part}.parquet`;
}

/** `<md5>.dir` → `<md5>`. */
export function versionOf(md5Dir: string): string {
  return md5Dir.replace(/\.dir$/, "");
}

export interface ManifestFile {
  readonly relpath: string;
  readonly md5: string;
  readonly size: number;
}

export interface ManifestSource {
  readonly key: string;
  readonly md5: string;
  readonly size: number;
  readonly runId: string;
  readonly ingestedAt: string;
  readonly rows: number;
}

export interface ExportManifest {
  readonly manifestFormat: number;
  readonly dataset: string;
  /** DVC hash of `data/`: `<md5>.dir`. */
  readonly md5: string;
  readonly version: string;
  readonly environment: string;
  /** The snapshot instant: the latest `_ingested_at` among the runs read. */
  readonly asOf: string;
  readonly schemaVersion: number;
  readonly format: "parquet";
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly split: {
    readonly parts: readonly SplitRange[];
    readonly seed: string;
    readonly key: readonly { readonly name: string; readonly type: string }[];
    readonly buckets: number;
    /** How a row's bucket is computed (see src/core/split/canonical.ts). */
    readonly hash: string;
  };
  readonly where: string | null;
  readonly rows: Readonly<Record<string, number>>;
  readonly totalRows: number;
  /** What a trainer should know about the split (label in the key, shares off the request). */
  readonly warnings: readonly string[];
  readonly files: readonly ManifestFile[];
  readonly sources: readonly ManifestSource[];
  /** The snapshot query, in the dialect of the engine that ran it. */
  readonly query: string;
  readonly engine: "duckdb" | "athena";
  readonly runId: string;
  readonly pipelineVersion: string;
}

export function renderManifest(m: ExportManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
