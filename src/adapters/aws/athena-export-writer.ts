/**
 * The export writer on Athena: one count query, then one UNLOAD per non-empty split to a fresh
 * staging prefix of the exports bucket (the only way out of Athena). Each unloaded object is
 * streamed once through md5 (nothing lands on the function's disk); the publisher then copies it,
 * server-side, to its part key. Athena chooses file names and row order, so its bytes are not
 * reproducible; the export is still content-addressed, and its rows and splits are DuckDB's.
 */
import { createHash, randomUUID } from "node:crypto";
import { runsTableName } from "../../contract/committed-view.js";
import { exportStagingPrefix, partRelpath } from "../../contract/export-keys.js";
import { snapshotSelect } from "../../core/export/snapshot-sql.js";
import { mapLimit } from "../../core/map-limit.js";
import { renderSelect } from "../../core/sql-builder.js";
import {
  type ExportPart,
  type ExportSnapshot,
  type ExportTarget,
  type ExportWriter,
  snapshotPlanOf,
  type WrittenExport,
} from "../../ports/export-writer.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ExportEngine } from "../../ports/query-engine.js";
import { unloadSplits } from "./athena-split-parts.js";

export interface AthenaExportWriterOptions {
  readonly openEngine: () => Promise<ExportEngine>;
  /** The exports zone; UNLOAD writes into its bucket. */
  readonly exports: ObjectStore;
  /** Names a staging attempt (UNLOAD needs an empty location). @default crypto.randomUUID */
  readonly attemptId?: () => string;
}

/** Objects hashed at once: enough to keep the network busy, few enough for a small function. */
const HASH_CONCURRENCY = 4;

/** md5 and size of each object, streamed (never written to disk), in the order given. */
async function md5Objects(
  store: ObjectStore,
  keys: readonly string[],
): Promise<{ md5: string; size: number }[]> {
  return mapLimit(keys, HASH_CONCURRENCY, async (key) => {
    const hash = createHash("md5");
    let size = 0;
    for await (const chunk of await store.getStream(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { md5: hash.digest("hex"), size };
  });
}

export class AthenaExportWriter implements ExportWriter {
  readonly engine = "athena" as const;
  constructor(private readonly options: AthenaExportWriterOptions) {}

  async write(snapshot: ExportSnapshot, target: ExportTarget): Promise<WrittenExport> {
    const { exports } = this.options;
    const stagingPrefix = exportStagingPrefix(target.runId, (this.options.attemptId ?? randomUUID)());
    const snapshotQuery = snapshotSelect(snapshotPlanOf(snapshot, runsTableName(snapshot.dataset)), "athena");
    const query = renderSelect(snapshotQuery);
    const splits = snapshot.spec.parts.map((p) => p.name);
    const engine = await this.options.openEngine();
    try {
      const { rows, statements, objects } = await unloadSplits(engine, exports, {
        snapshot: snapshotQuery,
        columns: snapshot.columns,
        splits,
        stagingPrefix,
      });
      const parts: ExportPart[] = [];
      for (const { split, keys } of objects) {
        const digests = await md5Objects(exports, keys);
        for (const [i, stagedKey] of keys.entries())
          parts.push({ relpath: partRelpath(split, i), stagedKey, ...digests[i]! });
      }
      return { engine: "athena", query, rows, parts, statements };
    } finally {
      await engine.close();
    }
  }
}
