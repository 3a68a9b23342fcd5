/**
 * Snapshot inputs: an export reads a warehouse snapshot (one artifact) made of many warehouse files.
 * It records one INPUT event on the snapshot and one members record; the per-file input events a
 * walk needs (file → export) are derived here, with the ids they would have had if stored, so a
 * lake whose exports stored them (older versions) and one that derives them answer the same graph.
 */
import { dvcDirHash } from "../hash/dvc.js";
import { artifactId, artifactUri, eventId, LINEAGE_KEYS } from "./ids.js";
import type { DatasetRef, EventRecord, Properties, SnapshotMembersRecord } from "./types.js";
import { isInputEvent } from "./types.js";

const refId = (ref: DatasetRef) => artifactId(artifactUri(ref.namespace, ref.name), ref.version);

/** A warehouse file a snapshot is made of: its key, the md5 lineage knows it by, its bytes and rows. */
export interface SnapshotFile {
  readonly key: string;
  readonly md5?: string;
  readonly size?: number;
  readonly rows: number;
}

/**
 * A snapshot of `dataset`'s warehouse table as one dataset, versioned by the DVC directory hash of
 * its files (relpath = key, md5): the same files give the same version, and the ref does not grow
 * with them. Its properties are the file count, then `properties`.
 */
export function warehouseSnapshot(
  namespace: string,
  dataset: string,
  files: readonly SnapshotFile[],
  properties: Properties,
): DatasetRef {
  return {
    namespace,
    name: dataset,
    version: dvcDirHash(files.map((f) => ({ relpath: f.key, md5: f.md5 ?? "" }))),
    artifactType: "WarehouseSnapshot",
    size: files.reduce((n, f) => n + (f.size ?? 0), 0),
    rowCount: files.reduce((n, f) => n + f.rows, 0),
    properties: { files: files.length, ...properties },
  };
}

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
