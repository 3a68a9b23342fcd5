/**
 * The run index of a dataset: its committed runs' results, so a reader opens a few index objects
 * instead of every commit marker. The marker stays the commit point and the index is derived from
 * it: each commit appends a one-run entry, and a reader that finds entries outside the newest
 * compacted segment writes the next segment holding them all. Segments are create-only, so a
 * crashed or racing write loses nothing: readers always reconcile with the marker listing.
 *
 * A compacted segment is JSON lines: a header naming the dataset, the generation, its kind and the
 * number of entries, then one entry per line in run-id order. A `full` segment holds every run
 * committed when it was written; a `delta` holds the runs the segments before it lacked. Readers
 * take the newest full segment and the deltas after it; a full one is written once enough deltas
 * have gathered, so the index stores each run a bounded number of times per full segment instead
 * of rewriting everything at every compaction. A segment whose header or count does not match is
 * ignored (older segments, the append entries or the markers still say everything).
 */

export interface RunIndexEntryShape {
  readonly runId: string;
}

export interface SegmentHeader {
  readonly runIndex: 1;
  readonly dataset: string;
  readonly generation: number;
  readonly kind: SegmentKind;
  readonly entries: number;
}

export type SegmentKind = "full" | "delta";

/** An index entry is the marker without its sample rows (for people, read from the marker itself). */
export function indexEntry<E extends RunIndexEntryShape & { readonly sample?: unknown }>(
  marker: E,
): Omit<E, "sample"> {
  const { sample: _sample, ...entry } = marker;
  return entry;
}

function byRunId(a: RunIndexEntryShape, b: RunIndexEntryShape): number {
  return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}

export function renderSegment(
  dataset: string,
  generation: number,
  kind: SegmentKind,
  entries: readonly RunIndexEntryShape[],
): string {
  const header: SegmentHeader = { runIndex: 1, dataset, generation, kind, entries: entries.length };
  const lines = [header, ...[...entries].sort(byRunId)].map((e) => JSON.stringify(e));
  return `${lines.join("\n")}\n`;
}

/** The segment's entries, or undefined when it is not a whole segment of this dataset. */
export function parseSegment<E extends RunIndexEntryShape>(
  text: string,
  dataset: string,
): { header: SegmentHeader; entries: E[] } | undefined {
  const lines = text.split("\n").filter((l) => l.length > 0);
  try {
    const header = JSON.parse(lines[0] ?? "null") as SegmentHeader | null;
    if (
      header?.runIndex !== 1 ||
      header.dataset !== dataset ||
      (header.kind !== "full" && header.kind !== "delta") ||
      header.entries !== lines.length - 1
    )
      return undefined;
    const entries = lines.slice(1).map((l) => JSON.parse(l) as E);
    if (entries.some((e) => typeof e?.runId !== "string")) return undefined;
    return { header, entries };
  } catch {
    return undefined;
  }
}

/** The generation a compacted segment's key names (`…/<generation>.jsonl`). */
export function generationOf(key: string): number {
  const m = /(\d+)\.jsonl$/.exec(key);
  return m ? Number(m[1]) : 0;
}

/**
 * Reconciliation: of the committed run ids (from the marker listing), those the indexed entries do
 * not hold. Only these are read one by one.
 */
export function unindexed(committed: readonly string[], indexed: ReadonlyMap<string, unknown>): string[] {
  return committed.filter((id) => !indexed.has(id));
}

/**
 * The committed runs in run-id order (the markers' key order): indexed entries first, then those
 * read for the reconciliation. A run without a marker is not committed, whatever an index says.
 */
export function committedEntries<E extends RunIndexEntryShape>(
  committed: readonly string[],
  indexed: ReadonlyMap<string, E>,
  read: readonly (E | undefined)[],
): E[] {
  const byId = new Map(indexed);
  for (const e of read) if (e) byId.set(e.runId, e);
  return [...committed].sort().flatMap((id) => {
    const e = byId.get(id);
    return e ? [e] : [];
  });
}
