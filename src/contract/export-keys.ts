/**
 * Where an export lives in the exports zone, and what describes it. The zone is also a DVC remote
 * (see dvc-remote.ts), so each export is both browsable and `dvc pull`-able:
 *
 *   <dataset>/<version>/data/<split>/part-<n>.parquet   the rows, n = 0, 1, … (empty splits have no file)
 *   <dataset>/<version>/manifest.json                   what was exported, from what, how
 *   <dataset>/<version>/<dataset>.dvc                   DVC 3 pointer to data/ — written last: the commit
 *   <dataset>/_snapshots/<snapshot md5>.json            the warehouse files a snapshot is made of, once
 *   files/md5/<2>/<30>                                  DVC objects: every data file, and the .dir list
 *
 * `<version>` is the md5 of the data folder's DVC manifest: the `.dvc` file's `md5` without its
 * ".dir" suffix (a folder named "….dir" reads like a file extension to people and tools).
 */
import type { SplitRange } from "../core/split/spec.js";

export const EXPORT_PIPELINE_VERSION = "lakeline-export/1";
/** 1: `sources` listed every warehouse file inline; 2: `snapshot` names them in one shared object. */
export const MANIFEST_FORMAT = 2;
export const SNAPSHOT_SOURCES_FORMAT = 1;
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
 * The source list of a warehouse snapshot: `<dataset>/_snapshots/<md5>.json`, keyed by the
 * snapshot's DVC directory hash (`<md5>.dir` over the files' keys and md5s). That hash fixes the
 * files, and with them every field the list holds (a file's size and rows, and the run named in its
 * key), so every export of one snapshot shares one object. `_snapshots` never clashes with a
 * version folder (32 hex digits).
 */
export function snapshotSourcesKey(dataset: string, snapshotMd5: string): string {
  return `${dataset}/_snapshots/${versionOf(snapshotMd5)}.json`;
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

/** The warehouse snapshot an export read, in its manifest (format 2). */
export interface ManifestSnapshot {
  /**
   * DVC directory hash (`<md5>.dir`) of the warehouse files read, relpath = warehouse key: the
   * version of the export's `WarehouseSnapshot` lineage input.
   */
  readonly md5: string;
  readonly files: number;
  /** Rows the files' runs wrote (before the environment, as-of and `where` filters). */
  readonly rows: number;
  readonly size: number;
  /** Key, in the exports zone, of the source list (`SnapshotSources`): every file, with its md5. */
  readonly sources: string;
}

/** The object `ManifestSnapshot.sources` names. */
export interface SnapshotSources {
  readonly snapshotFormat: number;
  readonly dataset: string;
  readonly md5: string;
  readonly files: number;
  readonly rows: number;
  readonly size: number;
  /** In key order. */
  readonly sources: readonly ManifestSource[];
}

/** One source per line: greppable, and the same snapshot always gives the same bytes. */
export function renderSnapshotSources(s: SnapshotSources): string {
  const { sources, ...head } = s;
  const lines = sources.map((f) => `    ${JSON.stringify(f)}`).join(",\n");
  const fields = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return `{\n${fields.join("\n")}\n  "sources": [${sources.length ? `\n${lines}\n  ` : ""}]\n}\n`;
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
  /** Format 2: the warehouse snapshot read; its files are listed in the object it names. */
  readonly snapshot?: ManifestSnapshot;
  /** Format 1 only: every warehouse file read, inline. */
  readonly sources?: readonly ManifestSource[];
  /** The snapshot query, in the dialect of the engine that ran it. */
  readonly query: string;
  readonly engine: "duckdb" | "athena";
  readonly runId: string;
  readonly pipelineVersion: string;
}

export function renderManifest(m: ExportManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
