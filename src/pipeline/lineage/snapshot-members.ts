/**
 * Snapshot members as a lineage query needs them, read once per query: which snapshots exist (one
 * listing of their keys), a snapshot's members (one read, when a walk reaches an execution that
 * read it) and, only for a walk down from an artifact, which snapshots hold that artifact.
 */
import { lastSegment } from "../../contract/keys.js";
import { LINEAGE_KEYS, MLMD_FOLDERS } from "../../core/lineage/ids.js";
import type { SnapshotMembersRecord } from "../../core/lineage/types.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { readRecords } from "./store.js";

export class SnapshotMembers {
  private ids: Promise<Set<string>> | undefined;
  private readonly members = new Map<string, Promise<readonly string[]>>();
  private holders: Promise<Map<string, string[]>> | undefined;

  constructor(private readonly store: ObjectStore) {}

  /** The members of snapshot `id`, or none when `id` is not a snapshot with members. */
  async of(id: string): Promise<readonly string[]> {
    if (!(await this.snapshotIds()).has(id)) return [];
    let found = this.members.get(id);
    if (!found) {
      found = this.read(LINEAGE_KEYS.snapshotMembers(id));
      this.members.set(id, found);
    }
    return found;
  }

  /** The snapshots `artifactId` is a member of. */
  async holding(artifactId: string): Promise<readonly string[]> {
    if ((await this.snapshotIds()).size === 0) return [];
    this.holders ??= this.readHolders();
    return (await this.holders).get(artifactId) ?? [];
  }

  private snapshotIds(): Promise<Set<string>> {
    this.ids ??= (async () => {
      const ids = new Set<string>();
      for await (const o of this.store.list(MLMD_FOLDERS.snapshotMembers))
        if (o.key.endsWith(".json")) ids.add(lastSegment(o.key).slice(0, -".json".length));
      return ids;
    })();
    return this.ids;
  }

  private async read(key: string): Promise<readonly string[]> {
    const record = JSON.parse(
      Buffer.from(await this.store.get(key)).toString("utf8"),
    ) as SnapshotMembersRecord;
    return record.members;
  }

  private async readHolders(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const r of await readRecords<SnapshotMembersRecord>(this.store, MLMD_FOLDERS.snapshotMembers)) {
      this.members.set(r.snapshotId, Promise.resolve(r.members));
      for (const m of r.members) {
        const list = out.get(m);
        if (list) list.push(r.snapshotId);
        else out.set(m, [r.snapshotId]);
      }
    }
    return out;
  }
}
