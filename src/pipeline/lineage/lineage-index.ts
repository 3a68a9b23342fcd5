/**
 * The lineage index: for every MLMD event, an empty object under its artifact and one under its
 * execution, and for every artifact, one under its object key, URI and version (keys in
 * src/contract/keys.ts). A subgraph query lists the adjacency of the nodes it reaches and reads only
 * the records of the nodes it returns, instead of loading every record of the store. The recorder
 * writes a record's entries just before the record (recorder.ts says why); `ready.json` says every
 * record is indexed (a lake recorded before the index has none until `rebuildLineageIndex`).
 */
import { LINEAGE_INDEX_KEYS, LINEAGE_INDEX_READY, lastSegment } from "../../contract/keys.js";
import { ObjectNotFoundError } from "../../core/errors.js";
import { type Direction, type LineageGraph, lineageSubgraph, subgraphIds } from "../../core/lineage/graph.js";
import { eventId, LINEAGE_KEYS, MLMD_FOLDERS } from "../../core/lineage/ids.js";
import { memberEvent } from "../../core/lineage/snapshot-members.js";
import type {
  ArtifactRecord,
  EventRecord,
  EventType,
  ExecutionRecord,
  ExecutionStateRecord,
  LineageSnapshot,
} from "../../core/lineage/types.js";
import { isInputEvent } from "../../core/lineage/types.js";
import { mapLimit } from "../../core/map-limit.js";
import { putOnce } from "../../ports/conditional-put.js";
import { keysUnder, type ObjectStore } from "../../ports/object-store.js";
import { SnapshotMembers } from "./snapshot-members.js";
import { loadStoredRecords } from "./store.js";

const CONCURRENCY = 16;
const HEX_PREFIX = /^[0-9a-f]{6,32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The index keys of the records a plan phase wrote (artifacts and events; others need none). */
export function indexKeysOf(writes: readonly { key: string; value: unknown }[]): string[] {
  const keys: string[] = [];
  for (const { key, value } of writes) {
    if (key.startsWith(MLMD_FOLDERS.artifacts)) {
      const a = value as ArtifactRecord;
      keys.push(`${LINEAGE_INDEX_KEYS.byName(a.name)}${a.id}`, `${LINEAGE_INDEX_KEYS.byUri(a.uri)}${a.id}`);
      if (a.version) keys.push(`${LINEAGE_INDEX_KEYS.byVersion(a.version)}${a.id}`);
    } else if (key.startsWith(MLMD_FOLDERS.events)) {
      const e = value as EventRecord;
      keys.push(
        LINEAGE_INDEX_KEYS.artifactLink(e.artifactId, e.type, e.executionId),
        LINEAGE_INDEX_KEYS.executionLink(e.executionId, e.type, e.artifactId),
      );
    }
  }
  return keys;
}

/** Create-only: an entry written twice (a retry, a racing run, a rebuild) is the same empty object. */
export async function writeIndexKeys(store: ObjectStore, keys: readonly string[]): Promise<void> {
  await mapLimit(keys, CONCURRENCY, (key) => putOnce(store, key, ""));
}

export async function lineageIndexReady(store: ObjectStore): Promise<boolean> {
  return (await store.head(LINEAGE_INDEX_READY)) !== undefined;
}

/**
 * Index every record the store holds (a lake recorded before the index), then mark it ready. Runs
 * recording meanwhile index themselves, so nothing recorded during the rebuild is missed.
 */
export async function rebuildLineageIndex(
  store: ObjectStore,
): Promise<{ artifacts: number; events: number }> {
  const snapshot = await loadStoredRecords(store);
  const writes = [
    ...snapshot.artifacts.map((a) => ({ key: LINEAGE_KEYS.artifact(a.id), value: a })),
    ...snapshot.events.map((e) => ({ key: LINEAGE_KEYS.event(e.id), value: e })),
  ];
  await writeIndexKeys(store, indexKeysOf(writes));
  const counts = { artifacts: snapshot.artifacts.length, events: snapshot.events.length };
  // An empty store stays as it was: its first runs index themselves, and a query finds nothing anyway.
  if (writes.length > 0) await putOnce(store, LINEAGE_INDEX_READY, `${JSON.stringify(counts)}\n`);
  return counts;
}

async function readRecord<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as T;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Artifacts a user means by `ref`, as `findArtifacts` finds them over every record: an artifact id,
 * a URI, an object key, a DVC version, or else a hex prefix of a version.
 */
export async function findIndexedArtifacts(store: ObjectStore, ref: string): Promise<ArtifactRecord[]> {
  const lookups = [
    LINEAGE_INDEX_KEYS.byName(ref),
    LINEAGE_INDEX_KEYS.byUri(ref),
    LINEAGE_INDEX_KEYS.byVersion(ref),
    LINEAGE_INDEX_KEYS.byVersion(`${ref}.dir`),
  ];
  const ids = new Set((await Promise.all(lookups.map((p) => keysUnder(store, p)))).flat().map(lastSegment));
  if (UUID.test(ref) && (await store.head(LINEAGE_KEYS.artifact(ref)))) ids.add(ref);
  if (ids.size === 0 && HEX_PREFIX.test(ref))
    for (const key of await keysUnder(store, LINEAGE_INDEX_KEYS.versionsStartingWith(ref)))
      ids.add(lastSegment(key));
  const records = await mapLimit([...ids].sort(), CONCURRENCY, (id) =>
    readRecord<ArtifactRecord>(store, LINEAGE_KEYS.artifact(id)),
  );
  return records.filter((a): a is ArtifactRecord => a !== undefined);
}

/** The event types a walk follows from a node: towards its producers (up) or its consumers (down). */
function typesFollowed(artifact: boolean, up: boolean): EventType[] {
  return artifact === up ? ["OUTPUT", "DECLARED_OUTPUT"] : ["INPUT", "DECLARED_INPUT"];
}

/** The events of one type of a node, from its index folder (`<prefix><eventType>/<other id>`). */
async function storedLinksOf(
  store: ObjectStore,
  id: string,
  artifact: boolean,
  type: EventType,
): Promise<EventRecord[]> {
  const folder = artifact ? LINEAGE_INDEX_KEYS.artifactLinks(id) : LINEAGE_INDEX_KEYS.executionLinks(id);
  const prefix = `${folder}${type}/`;
  return (await keysUnder(store, prefix)).map((key) => {
    const other = key.slice(prefix.length);
    const artifactId = artifact ? id : other;
    const executionId = artifact ? other : id;
    return { id: eventId(executionId, artifactId, type), artifactId, executionId, type, time: "" };
  });
}

/**
 * A node's events of one type, with snapshot inputs expanded (core/lineage/snapshot-members.ts):
 * an execution that read a snapshot read each of its members, and a member is read by every
 * execution that read a snapshot holding it.
 */
async function linksOf(
  store: ObjectStore,
  snapshots: SnapshotMembers,
  id: string,
  artifact: boolean,
  type: EventType,
): Promise<EventRecord[]> {
  const stored = await storedLinksOf(store, id, artifact, type);
  if (!isInputEvent(type)) return stored;
  if (!artifact) {
    const derived = await mapLimit(stored, CONCURRENCY, async (e) =>
      (await snapshots.of(e.artifactId)).map((m) => memberEvent(e, m)),
    );
    return [...stored, ...derived.flat()];
  }
  const readers = await mapLimit(await snapshots.holding(id), CONCURRENCY, (s) =>
    storedLinksOf(store, s, true, type),
  );
  return [...stored, ...readers.flat().map((e) => memberEvent(e, id))];
}

const byEventId = (a: EventRecord, b: EventRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The events the walk needs: for each direction, the events it follows from each node it reaches
 * (an export's many inputs are never listed on the way down), loaded until every node reached has
 * them. A walk ignores the events of the other direction, so the union walks as every event would.
 */
async function reachableEvents(
  store: ObjectStore,
  roots: readonly string[],
  options: { direction: Direction; depth?: number | undefined },
): Promise<EventRecord[]> {
  const events = new Map<string, EventRecord>();
  const loaded = new Set<string>();
  const snapshots = new SnapshotMembers(store);
  for (const up of [true, false]) {
    if (options.direction === (up ? "down" : "up")) continue;
    const walk = { direction: (up ? "up" : "down") as Direction, depth: options.depth };
    for (;;) {
      const ids = subgraphIds([...events.values()].sort(byEventId), roots, walk);
      const todo = [
        ...[...ids.artifactIds].map((id) => ({ id, artifact: true })),
        ...[...ids.executionIds].map((id) => ({ id, artifact: false })),
      ].filter((n) => !loaded.has(`${n.id}|${up}`));
      if (todo.length === 0) break;
      const found = await mapLimit(
        todo.flatMap((n) => typesFollowed(n.artifact, up).map((type) => ({ ...n, type }))),
        CONCURRENCY,
        (n) => linksOf(store, snapshots, n.id, n.artifact, n.type),
      );
      for (const n of todo) loaded.add(`${n.id}|${up}`);
      for (const e of found.flat()) events.set(e.id, e);
    }
  }
  return [...events.values()].sort(byEventId);
}

/** The subgraph around `roots`, reading the records of its nodes only. */
export async function indexedSubgraph(
  store: ObjectStore,
  roots: readonly ArtifactRecord[],
  options: { direction: Direction; depth?: number | undefined },
): Promise<LineageGraph> {
  const rootIds = roots.map((a) => a.id);
  const events = await reachableEvents(store, rootIds, options);
  const { artifactIds, executionIds } = subgraphIds(events, rootIds, options);
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : 1);
  const artifacts = await mapLimit([...artifactIds], CONCURRENCY, (id) =>
    readRecord<ArtifactRecord>(store, LINEAGE_KEYS.artifact(id)),
  );
  const executions = await mapLimit([...executionIds], CONCURRENCY, (id) =>
    readRecord<ExecutionRecord>(store, LINEAGE_KEYS.execution(id)),
  );
  const states = await mapLimit([...executionIds], CONCURRENCY, async (id) => {
    const keys = await keysUnder(store, `${MLMD_FOLDERS.executionStates}${id}/`);
    return mapLimit(keys, CONCURRENCY, (key) => readRecord<ExecutionStateRecord>(store, key));
  });
  const snapshot: LineageSnapshot = {
    artifacts: artifacts.filter((a): a is ArtifactRecord => a !== undefined).sort(byId),
    executions: executions.filter((e): e is ExecutionRecord => e !== undefined).sort(byId),
    executionStates: states.flat().filter((s): s is ExecutionStateRecord => s !== undefined),
    events,
    contexts: [],
    attributions: [],
    associations: [],
  };
  return lineageSubgraph(snapshot, rootIds, options);
}
