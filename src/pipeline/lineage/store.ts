import { MLMD_FOLDERS, OPENLINEAGE_PREFIX } from "../../core/lineage/ids.js";
import type { RunEvent } from "../../core/lineage/openlineage.js";
import { expandSnapshotInputs } from "../../core/lineage/snapshot-members.js";
import type {
  ArtifactRecord,
  AssociationRecord,
  AttributionRecord,
  ContextRecord,
  EventRecord,
  ExecutionRecord,
  ExecutionStateRecord,
  LineageSnapshot,
  SnapshotMembersRecord,
} from "../../core/lineage/types.js";
import { mapLimit } from "../../core/map-limit.js";
import { putOnce as putOnceRaw } from "../../ports/conditional-put.js";
import type { ObjectStore } from "../../ports/object-store.js";

/** Parallel reads when loading a snapshot: enough to hide S3 latency without exhausting sockets. */
const READ_CONCURRENCY = 16;

/**
 * Create-only put. Returns false when the record already exists, which for content-keyed records
 * means "already recorded" — by an earlier attempt or by a concurrent one.
 */
export function putOnce(store: ObjectStore, key: string, value: unknown): Promise<boolean> {
  return putOnceRaw(store, key, `${JSON.stringify(value)}\n`, "application/json");
}

/** Every JSON record under a prefix, in key order. */
export async function readRecords<T>(store: ObjectStore, prefix: string): Promise<T[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) if (info.key.endsWith(".json")) keys.push(info.key);
  return mapLimit(
    keys,
    READ_CONCURRENCY,
    async (key) => JSON.parse(Buffer.from(await store.get(key)).toString("utf8")) as T,
  );
}

/** Every record as stored: a snapshot input is one event (rebuilding the index needs exactly these). */
export async function loadStoredRecords(store: ObjectStore): Promise<LineageSnapshot> {
  const [artifacts, executions, executionStates, events, contexts, attributions, associations] =
    await Promise.all([
      readRecords<ArtifactRecord>(store, MLMD_FOLDERS.artifacts),
      readRecords<ExecutionRecord>(store, MLMD_FOLDERS.executions),
      readRecords<ExecutionStateRecord>(store, MLMD_FOLDERS.executionStates),
      readRecords<EventRecord>(store, MLMD_FOLDERS.events),
      readRecords<ContextRecord>(store, MLMD_FOLDERS.contexts),
      readRecords<AttributionRecord>(store, MLMD_FOLDERS.attributions),
      readRecords<AssociationRecord>(store, MLMD_FOLDERS.associations),
    ]);
  return { artifacts, executions, executionStates, events, contexts, attributions, associations };
}

/** Every snapshot's members, by snapshot artifact id. */
export async function readSnapshotMembers(store: ObjectStore): Promise<Map<string, readonly string[]>> {
  const records = await readRecords<SnapshotMembersRecord>(store, MLMD_FOLDERS.snapshotMembers);
  return new Map(records.map((r) => [r.snapshotId, r.members]));
}

/** Every record, with each snapshot input expanded into an input per member (the graph queries walk). */
export async function loadSnapshot(store: ObjectStore): Promise<LineageSnapshot> {
  const [stored, members] = await Promise.all([loadStoredRecords(store), readSnapshotMembers(store)]);
  if (members.size === 0) return stored;
  return { ...stored, events: expandSnapshotInputs(stored.events, members) };
}

/** Every stored OpenLineage RunEvent, oldest first (ties keep START before terminal events). */
export async function readOpenLineageEvents(store: ObjectStore): Promise<RunEvent[]> {
  const events = await readRecords<RunEvent>(store, OPENLINEAGE_PREFIX);
  const rank = (t: string) => (t === "START" ? 0 : t === "RUNNING" || t === "OTHER" ? 1 : 2);
  return events.sort(
    (a, b) =>
      Date.parse(a.eventTime) - Date.parse(b.eventTime) ||
      rank(a.eventType) - rank(b.eventType) ||
      a.run.runId.localeCompare(b.run.runId),
  );
}
