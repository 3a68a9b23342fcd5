/**
 * The warehouse files an export read. The manifest (format 2) names the snapshot — its DVC directory
 * hash, file count, rows and bytes — and one shared object lists the files, so the manifest's size
 * does not grow with the runs that fed the export. Manifests of format 1 list them inline; both read
 * the same through `exportSources`.
 */
import {
  type ExportManifest,
  type ManifestSnapshot,
  type ManifestSource,
  renderSnapshotSources,
  SNAPSHOT_SOURCES_FORMAT,
  type SnapshotSources,
  snapshotSourcesKey,
} from "../../contract/export-keys.js";
import { ExportSourcesError, ObjectNotFoundError } from "../../core/errors.js";
import { dvcDirHash } from "../../core/hash/dvc.js";
import { putOnce } from "../../ports/conditional-put.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ExportPlan, SourceFile } from "./context.js";

/** The snapshot as the manifest names it. */
export function manifestSnapshot(plan: ExportPlan): ManifestSnapshot {
  // The driver's lineage input is the snapshot: its version is the DVC hash of (key, md5) per file.
  const ref = plan.inputs[0]!;
  const md5 = ref.version!;
  const sources = snapshotSourcesKey(plan.x.dataset, md5);
  return { md5, files: plan.sources.length, rows: ref.rowCount ?? 0, size: ref.size ?? 0, sources };
}

/** A warehouse file read, as a manifest (an export's source list, a training set's) names it. */
export function manifestSource(s: SourceFile): ManifestSource {
  return { key: s.key, md5: s.md5, size: s.size, runId: s.runId, ingestedAt: s.ingestedAt, rows: s.rows };
}

/** The source list `snapshot.sources` names: every file the plan reads, in key order. */
export function sourceList(plan: ExportPlan, snapshot: ManifestSnapshot): SnapshotSources {
  const { sources: _, ...totals } = snapshot;
  const sources = plan.sources.map(manifestSource);
  return { snapshotFormat: SNAPSHOT_SOURCES_FORMAT, dataset: plan.x.dataset, ...totals, sources };
}

/**
 * Writes the source list once (create-only: every export of the snapshot writes the same bytes); an
 * export of a snapshot already listed does not even render it.
 */
export async function putSnapshotSources(
  exports: ObjectStore,
  snapshot: ManifestSnapshot,
  list: () => SnapshotSources,
): Promise<void> {
  if (await exports.head(snapshot.sources)) return;
  await putOnce(exports, snapshot.sources, renderSnapshotSources(list()), "application/json");
}

/**
 * Every warehouse file an export read, with its md5: inline in a format-1 manifest, else from the
 * source list its snapshot names, checked against the snapshot's hash and file count.
 */
export async function exportSources(
  exports: ObjectStore,
  manifest: ExportManifest,
): Promise<ManifestSource[]> {
  if (!manifest.snapshot) return [...(manifest.sources ?? [])];
  const { sources: key, md5, files } = manifest.snapshot;
  let body: string;
  try {
    body = Buffer.from(await exports.get(key)).toString("utf8");
  } catch (err) {
    if (!(err instanceof ObjectNotFoundError)) throw err;
    throw new ExportSourcesError(
      `export ${manifest.dataset}/${manifest.version}: its source list ${key} is missing`,
      { key },
      { cause: err },
    );
  }
  const list = JSON.parse(body) as SnapshotSources;
  const hash = dvcDirHash(list.sources.map((s) => ({ relpath: s.key, md5: s.md5 })));
  if (hash !== md5 || list.sources.length !== files)
    throw new ExportSourcesError(
      `export ${manifest.dataset}/${manifest.version}: source list ${key} lists ${list.sources.length} ` +
        `files hashing to ${hash}, the manifest's snapshot is ${files} files hashing to ${md5}`,
      { key, expected: md5, actual: hash },
    );
  return [...list.sources];
}
