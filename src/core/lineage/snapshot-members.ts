/**
 * Snapshot inputs: an export reads a warehouse snapshot (one artifact) made of many warehouse files.
 * It records one INPUT event on the snapshot and one members record; the per-file input events a
 * walk needs (file → export) are derived here, with the ids they would have had if stored, so a
 * lake whose exports stored them (older versions) and one that derives them answer the same graph.
 */
import { artifactId, artifactUri, eventId, LINEAGE_KEYS } from "./ids.js";
import type { DatasetRef, EventRecord, SnapshotMembersRecord } from "./types.js";
import { isInputEvent } from "./types.js";

const refId = (ref: DatasetRef) => artifactId(artifactUri(ref.namespace, ref.name), ref.version);

/** The one record naming a snapshot's members (content-keyed: every export of that snapshot shares it). */
export function snapshotMembersWrite(
  snapshot: DatasetRef,
  members: readonly DatasetRef[],
): {
  key: string;
  value: SnapshotMembersRecord;
} {
  const value: SnapshotMembersRecord = {
    snapshotId: refId(snapshot),
    members: [...new Set(members.map(refId))].sort(),
  };
  return { key: LINEAGE_KEYS.snapshotMembers(value.snapshotId), value };
}

/** The input event `e` on a snapshot, as the input event it implies on one of its members. */
export function memberEvent(e: EventRecord, memberId: string): EventRecord {
  return {
    id: eventId(e.executionId, memberId, e.type),
    artifactId: memberId,
    executionId: e.executionId,
    type: e.type,
    time: e.time,
  };
}

/** Stored events plus, for every input event on a snapshot with members, one per member; by id, once. */
export function expandSnapshotInputs(
  events: readonly EventRecord[],
  members: ReadonlyMap<string, readonly string[]>,
): EventRecord[] {
  const out = new Map(events.map((e) => [e.id, e]));
  for (const e of events) {
    if (!isInputEvent(e.type)) continue;
    for (const m of members.get(e.artifactId) ?? []) {
      const derived = memberEvent(e, m);
      if (!out.has(derived.id)) out.set(derived.id, derived);
    }
  }
  // Sorted by id, as events read from the store are (their keys are their ids).
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
