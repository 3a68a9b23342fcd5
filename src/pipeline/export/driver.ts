/**
 * The driver's view of the warehouse: which committed ingest runs an export may read, and the
 * DVC md5 of each warehouse file they wrote. Read from the commit markers through the ObjectStore
 * port, so the same code runs on the local lake and on S3.
 */

import type { ManifestSource } from "../../contract/export-keys.js";
import type { IngestResult } from "../../contract/records.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { readMarkers } from "../shared/markers.js";
import { md5Stored } from "../shared/publish.js";

/** A warehouse file an export reads: what the manifest lists, plus the raw blob it came from. */
export interface SourceFile extends ManifestSource {
  readonly sourceMd5: string | null;
}

/** Runs of `dataset` committed with warehouse rows, ingested at or before `asOf`, in the environment. */
export async function committedSourceRuns(
  store: ObjectStore,
  dataset: string,
  environment: string,
  asOf: Date,
): Promise<IngestResult[]> {
  const runs = (await readMarkers(store, dataset, asOf)).filter(
    (m) => m.status === "ok" && m.outputs.warehouse && m.environment.toUpperCase() === environment,
  );
  return runs.sort((a, b) =>
    a.outputs.warehouse! < b.outputs.warehouse! ? -1 : a.outputs.warehouse! > b.outputs.warehouse! ? 1 : 0,
  );
}

const HASH_CONCURRENCY = 8;

/**
 * The warehouse files of the runs, with their md5s, in key order: from the commit marker, or for a
 * marker without them (written by an older version) by hashing the file.
 */
export async function sourceFiles(store: ObjectStore, runs: readonly IngestResult[]): Promise<SourceFile[]> {
  const out: SourceFile[] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      const run = runs[i]!;
      const key = run.outputs.warehouse!;
      const { warehouseMd5, warehouseBytes } = run.outputs;
      const digest =
        warehouseMd5 !== undefined && warehouseBytes !== undefined
          ? { md5: warehouseMd5, size: warehouseBytes }
          : await md5Stored(store, key);
      out[i] = {
        key,
        ...digest,
        runId: run.runId,
        ingestedAt: run.ingestedAt,
        rows: run.rowsWritten,
        sourceMd5: run.sourceMd5,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, runs.length) }, worker));
  return out;
}
