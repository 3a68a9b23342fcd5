/**
 * The export writer on Athena: one count query, then one UNLOAD per non-empty split to a fresh
 * staging prefix of the exports bucket (the only way out of Athena). Athena chooses file names and
 * row order, so its bytes are not reproducible; the export is still content-addressed, and its rows
 * and splits are DuckDB's.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { runsTableName } from "../../contract/committed-view.js";
import { exportStagingPrefix, partRelpath } from "../../contract/export-keys.js";
import { QueryError } from "../../core/errors.js";
import { snapshotSql, splitCounts, splitCountsSql, unloadSplitSql } from "../../core/export/snapshot-sql.js";
import type {
  ExportPart,
  ExportSnapshot,
  ExportTarget,
  ExportWriter,
  WrittenExport,
} from "../../ports/export-writer.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { ExportEngine } from "../../ports/query-engine.js";

export interface AthenaExportWriterOptions {
  readonly openEngine: () => Promise<ExportEngine>;
  /** The exports zone; UNLOAD writes into its bucket. */
  readonly exports: ObjectStore;
  /** Names a staging attempt (UNLOAD needs an empty location). @default crypto.randomUUID */
  readonly attemptId?: () => string;
}

export class AthenaExportWriter implements ExportWriter {
  readonly engine = "athena" as const;
  constructor(private readonly options: AthenaExportWriterOptions) {}

  async write(snapshot: ExportSnapshot, target: ExportTarget): Promise<WrittenExport> {
    const { exports } = this.options;
    const stagingPrefix = exportStagingPrefix(target.runId, (this.options.attemptId ?? randomUUID)());
    const query = snapshotSql(
      {
        table: snapshot.dataset,
        columns: snapshot.columns,
        keyColumns: snapshot.keyColumns,
        spec: snapshot.spec,
        environment: snapshot.environment,
        snapshotAt: snapshot.snapshotAt,
        runsTable: runsTableName(snapshot.dataset),
        asOf: snapshot.asOf,
        ...(snapshot.where ? { where: snapshot.where } : {}),
      },
      "athena",
    );
    const splits = snapshot.spec.parts.map((p) => p.name);
    const engine = await this.options.openEngine();
    try {
      const statements: string[] = [];
      const countSql = splitCountsSql(`(${query}) AS "export"`);
      statements.push(countSql);
      const rows = splitCounts((await engine.query(countSql)).rows, splits);
      const parts: ExportPart[] = [];
      for (const split of splits) {
        if (rows[split] === 0) continue;
        const prefix = `${stagingPrefix}${split}/`;
        const sql = unloadSplitSql({
          snapshot: query,
          columns: snapshot.columns,
          split,
          location: `s3://${exports.bucket}/${prefix}`,
        });
        statements.push(sql);
        await engine.query(sql);
        const keys: string[] = [];
        for await (const o of exports.list(prefix)) if (o.size > 0 && !o.key.endsWith("/")) keys.push(o.key);
        if (keys.length === 0)
          throw new QueryError(
            `export: UNLOAD of split ${split} (${rows[split]} rows) wrote no file under ${prefix}`,
          );
        await fs.mkdir(path.join(target.dataDir, split), { recursive: true });
        for (const [i, key] of keys.sort().entries()) {
          const relpath = partRelpath(split, i);
          const file = path.join(target.dataDir, ...relpath.split("/"));
          await exports.download(key, file);
          parts.push({ relpath, file });
        }
      }
      return { engine: "athena", query, rows, parts, statements };
    } finally {
      await engine.close();
    }
  }
}
