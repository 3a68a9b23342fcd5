/**
 * The run index through the ObjectStore port (the same objects on the local lake and on S3): each
 * commit appends its entry, readers take the newest compacted segment, list the marker keys (one
 * page per 1,000 runs on S3) and read only the runs the segment lacks — from their append entry, or
 * from the marker when even that write was lost — then heal: the missing entries are appended and,
 * once enough have gathered, a new segment holds them (a delta, or every run once enough deltas
 * follow the last full segment; see core/warehouse/run-index.ts).
 */
import {
  MARKER_PREFIX,
  markerKey,
  runIdOfKey,
  runIndexAppendKey,
  runIndexCompactKey,
  runIndexCompactPrefix,
} from "../../contract/keys.js";
import { type IngestResult, renderCommitMarker } from "../../contract/records.js";
import { ObjectNotFoundError } from "../../core/errors.js";
import { mapLimit } from "../../core/map-limit.js";
import {
  committedEntries,
  generationOf,
  indexEntry,
  parseSegment,
  renderSegment,
  unindexed,
} from "../../core/warehouse/run-index.js";
import { putOnce } from "../../ports/conditional-put.js";
import { keysUnder, type ObjectStore } from "../../ports/object-store.js";

/** Entries outside the compacted segments before a reader writes the next segment. */
export const COMPACT_AFTER = 16;
/** Deltas after a full segment before the next segment is full again. */
export const DELTAS_PER_FULL = 16;
const READ_CONCURRENCY = 16;

export interface RunIndexRead {
  /** Committed runs (any status), in run-id order. */
  readonly runs: IngestResult[];
  /** The run ids whose commit markers the read listed: the runs are a function of this set alone. */
  readonly committed: readonly string[];
  /** Runs read one by one because the newest compacted segment lacked them. */
  readonly unindexed: number;
  /** Entries this read appended (their append had been lost) and the segment it wrote, if any. */
  readonly healed: number;
  readonly compacted?: number;
}

export interface RunIndexOptions {
  /** Write missing entries and compact (readers with write access to the warehouse). */
  readonly heal?: boolean;
}

/** After a commit: the run's entry, create-only (a re-delivery or a racing writer writes the same). */
export async function appendToRunIndex(warehouse: ObjectStore, result: IngestResult): Promise<void> {
  await putOnce(
    warehouse,
    runIndexAppendKey(result.dataset, result.runId),
    renderCommitMarker(indexEntry(result)),
  );
}

async function text(store: ObjectStore, key: string): Promise<string | undefined> {
  try {
    return Buffer.from(await store.get(key)).toString("utf8");
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The indexed entries: the newest full segment that reads whole and every whole delta after it; the
 * number of deltas; and the highest generation listed (whole or not), which the next one follows.
 */
async function compactedEntries(
  warehouse: ObjectStore,
  dataset: string,
  compactKeys: readonly string[],
): Promise<{ indexed: Map<string, IngestResult>; deltas: number; full: boolean; lastGeneration: number }> {
  const lastGeneration = compactKeys.length ? generationOf(compactKeys[compactKeys.length - 1]!) : 0;
  const segments: IngestResult[][] = [];
  let deltas = 0;
  let full = false;
  for (let i = compactKeys.length - 1; i >= 0; i--) {
    const body = await text(warehouse, compactKeys[i]!);
    const segment = body === undefined ? undefined : parseSegment<IngestResult>(body, dataset);
    if (!segment) continue;
    segments.push(segment.entries);
    full = segment.header.kind === "full";
    if (full) break;
    deltas++;
  }
  const indexed = new Map<string, IngestResult>();
  for (const entries of segments.reverse()) for (const e of entries) indexed.set(e.runId, e);
  return { indexed, deltas, full, lastGeneration };
}

/**
 * The run ids of a dataset's commit markers: one listing, no object read. A marker is written once
 * and never rewritten, so the same ids mean the same committed runs (what `readRunIndex` returns).
 */
export async function committedRunIds(warehouse: ObjectStore, dataset: string): Promise<string[]> {
  const markers = await keysUnder(warehouse, `${MARKER_PREFIX}${dataset}/`);
  return markers.filter((k) => k.endsWith(".json")).map(runIdOfKey);
}

async function listIndex(
  warehouse: ObjectStore,
  dataset: string,
): Promise<{ compactKeys: string[]; committed: string[] }> {
  const [compact, committed] = await Promise.all([
    keysUnder(warehouse, runIndexCompactPrefix(dataset)),
    committedRunIds(warehouse, dataset),
  ]);
  return { compactKeys: compact.filter((k) => k.endsWith(".jsonl")).sort(), committed };
}

/** The committed runs of a dataset, from the index reconciled with the marker listing. */
export async function readRunIndex(
  warehouse: ObjectStore,
  dataset: string,
  options: RunIndexOptions = {},
): Promise<RunIndexRead> {
  const { compactKeys, committed } = await listIndex(warehouse, dataset);
  const { indexed, deltas, full, lastGeneration } = await compactedEntries(warehouse, dataset, compactKeys);
  const missing = unindexed(committed, indexed);
  const lost: IngestResult[] = [];
  const read = await mapLimit(missing, READ_CONCURRENCY, async (runId) => {
    const fromIndex = await text(warehouse, runIndexAppendKey(dataset, runId));
    if (fromIndex !== undefined) return JSON.parse(fromIndex) as IngestResult;
    const marker = await text(warehouse, markerKey(dataset, runId));
    if (marker === undefined) return undefined;
    const entry = indexEntry(JSON.parse(marker) as IngestResult);
    lost.push(entry);
    return entry;
  });
  const runs = committedEntries(committed, indexed, read);
  if (!options.heal) return { runs, committed, unindexed: missing.length, healed: 0 };
  for (const entry of lost) await appendToRunIndex(warehouse, entry);
  if (missing.length < COMPACT_AFTER)
    return { runs, committed, unindexed: missing.length, healed: lost.length };
  // Create-only: when two readers compact at once, one segment wins and the other's runs are
  // read from their entries until the next compaction.
  const generation = lastGeneration + 1;
  const kind = full && deltas < DELTAS_PER_FULL ? "delta" : "full";
  const entries = kind === "full" ? runs : runs.filter((r) => !indexed.has(r.runId));
  const wrote = await putOnce(
    warehouse,
    runIndexCompactKey(dataset, generation),
    renderSegment(dataset, generation, kind, entries),
    "application/x-ndjson",
  );
  return {
    runs,
    committed,
    unindexed: missing.length,
    healed: lost.length,
    ...(wrote ? { compacted: generation } : {}),
  };
}
