/**
 * Split parts of a query on Athena, into local scratch: one count query, then one UNLOAD per
 * non-empty split to a fresh staging prefix of the exports bucket (the only way out of Athena),
 * each object downloaded in key order as `<split>/part-<n>.parquet`. For training sets, whose
 * publisher hashes the local folder; dataset exports copy server-side instead
 * (athena-export-writer.ts).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { exportStagingPrefix, partRelpath } from "../../contract/export-keys.js";
import { QueryError } from "../../core/errors.js";
import { splitCounts, splitCountsSql, unloadSplitSql } from "../../core/export/snapshot-sql.js";
import type { Select } from "../../core/sql-builder.js";
import type { SplitPartsWriter, WrittenSplits } from "../../ports/export-writer.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ExportEngine } from "../../ports/query-engine.js";

/** What one count query and one UNLOAD per non-empty split left in the staging prefix. */
export interface Unloaded {
  readonly rows: Record<string, number>;
  /** Statements run, in order. */
  readonly statements: string[];
  /** Per non-empty split, its unloaded objects in key order. */
  readonly objects: { readonly split: string; readonly keys: string[] }[];
}

/**
 * The count query, then one UNLOAD per non-empty split to `<stagingPrefix><split>/` of the exports
 * bucket; an UNLOAD that left no object fails, naming the split and its row count.
 */
export async function unloadSplits(
  engine: ExportEngine,
  exports: ObjectStore,
  req: { snapshot: Select; columns: readonly string[]; splits: readonly string[]; stagingPrefix: string },
): Promise<Unloaded> {
  const countSql = splitCountsSql(req.snapshot);
  const statements = [countSql];
  const rows = splitCounts((await engine.query(countSql)).rows, req.splits);
  const objects: { split: string; keys: string[] }[] = [];
  for (const split of req.splits) {
    if (rows[split] === 0) continue;
    const prefix = `${req.stagingPrefix}${split}/`;
    const sql = unloadSplitSql({
      snapshot: req.snapshot,
      columns: req.columns,
      split,
      location: `s3://${exports.bucket}/${prefix}`,
    });
    statements.push(sql);
    await engine.query(sql);
    const keys: string[] = [];
    for await (const o of exports.list(prefix)) if (o.size > 0 && !o.key.endsWith("/")) keys.push(o.key);
    if (keys.length === 0)
      throw new QueryError(`UNLOAD of split ${split} (${rows[split]} rows) wrote no file under ${prefix}`);
    objects.push({ split, keys: keys.sort() });
  }
  return { rows, statements, objects };
}

export function athenaSplitPartsWriter(
  exports: ObjectStore,
  attemptId: () => string = randomUUID,
): SplitPartsWriter {
  return async (engine, req): Promise<WrittenSplits> => {
    const snapshot: Select =
      typeof req.snapshot === "string"
        ? { select: ["*"], from: `(${req.snapshot}) AS "query"` }
        : req.snapshot;
    const { rows, statements, objects } = await unloadSplits(engine, exports, {
      snapshot,
      columns: req.columns,
      splits: req.splits,
      stagingPrefix: exportStagingPrefix(attemptId(), "parts"),
    });
    const parts: { relpath: string; file: string }[] = [];
    for (const { split, keys } of objects) {
      await fs.mkdir(path.join(req.dataDir, split), { recursive: true });
      for (const [i, key] of keys.entries()) {
        const relpath = partRelpath(split, i);
        const file = path.join(req.dataDir, ...relpath.split("/"));
        await exports.download(key, file);
        parts.push({ relpath, file });
      }
    }
    return { rows, parts, statements };
  };
}
