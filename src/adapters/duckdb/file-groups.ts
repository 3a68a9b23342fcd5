/** The committed files a dataset view reads, grouped by column layout. */
import type { RunFilter } from "../../core/warehouse/compaction.js";

/** A committed warehouse file (absolute path) and the schema version its run validated with. */
export interface CommittedFile {
  readonly path: string;
  /** Files of one version share their columns; null (not recorded) is a group of its own. */
  readonly schemaVersion: number | null;
  /** A compacted file that also holds runs read elsewhere (or not at all): the rows to take. */
  readonly filter?: RunFilter;
}

/** Files of committed runs: each source blob's latest processing, and every processing (history). */
export interface CommittedRuns {
  readonly warehouse: CommittedFile[];
  readonly quarantine: string[];
  readonly history: { readonly warehouse: CommittedFile[]; readonly quarantine: string[] };
}

export interface PathGroup {
  readonly paths: string[];
  readonly filter?: RunFilter;
}

/**
 * Files by schema version, in version order: one column layout per group. A filtered (compacted)
 * file is a group of its own, right after its version's group, since its filter is its own.
 */
export function byVersion(files: readonly CommittedFile[]): PathGroup[] {
  const groups = new Map<number, PathGroup[]>();
  // -1: files whose run recorded no version (described from their own first file, like the rest).
  for (const f of files) {
    const version = f.schemaVersion ?? -1;
    let of = groups.get(version);
    if (!of) {
      of = [{ paths: [] }];
      groups.set(version, of);
    }
    if (f.filter) of.push({ paths: [f.path], filter: f.filter });
    else of[0]!.paths.push(f.path);
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .flatMap(([, g]) => g)
    .filter((g) => g.paths.length > 0);
}
