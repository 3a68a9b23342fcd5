/**
 * A training set on Athena reads its committed runs as data, as an export does: through the real
 * planner, driver and Athena executor (markers in memory, the entity file loaded by a real local
 * DuckDB, Athena faked by a recorder), the SQL sent to Athena for 10,000 committed runs of the
 * view's dataset is the SQL for 10 runs once instants are masked, far under Athena's 262,144-character
 * limit, while the driver still names every warehouse file read (the training set's lineage).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaSplitPartsWriter } from "../../../src/adapters/aws/athena-split-parts.js";
import { openPlainEngine } from "../../../src/adapters/duckdb/plain-engine.js";
import { FsObjectStore } from "../../../src/adapters/local/fs-store.js";
import { SchemaRegistry } from "../../../src/contract/schema-registry.js";
import { ViewRegistry } from "../../../src/contract/view-registry.js";
import { executeHistory } from "../../../src/pipeline/features/history-execute.js";
import { driveHistory, type HistoryDeps, planHistory } from "../../../src/pipeline/features/history-plan.js";
import type { LineageRecorder } from "../../../src/pipeline/lineage/recorder.js";
import { fixedClock } from "../../../src/ports/clock.js";
import type { ExportEngine, QueryResult } from "../../../src/ports/query-engine.js";
import { putCommittedMarker, RUN_ID_PREFIX } from "../../support/committed-marker.js";
import { MemoryStore } from "../../support/memory-store.js";
import { SCHEMAS_DIR, tempDir } from "../../support/temp.js";

const ATHENA_QUERY_LIMIT = 262_144;

let work: string;
/** One unloaded part, a real Parquet file of the training set's columns. */
let part: Buffer;

beforeAll(async () => {
  work = await tempDir("history-runs");
  const file = path.join(work, "part.parquet");
  const db = await openPlainEngine();
  await db.query(
    `COPY (SELECT 'AAPL' AS symbol, TIMESTAMP '2024-06-01 00:00:00' AS event_timestamp, 1.5 AS stock_prices__price) TO '${file}' (FORMAT parquet)`,
  );
  await db.close();
  part = await fs.readFile(file);
  await fs.writeFile(path.join(work, "entities.csv"), "symbol,event_timestamp\nAAPL,2024-06-01T00:00:00Z\n");
});

afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/** Athena as a recorder: counts say 1 train row; each UNLOAD leaves one Parquet object under its location. */
function recordingAthena(exports: FsObjectStore, statements: string[]): ExportEngine {
  return {
    name: "athena",
    async query(sql: string): Promise<QueryResult> {
      statements.push(sql);
      const unload = /TO 's3:\/\/exports\/([^']+)'/.exec(sql);
      if (unload) await exports.put(`${unload[1]}q1_00000`, part);
      const rows = /^SELECT\s+"_split" AS "split"/.test(sql) ? [{ split: "train", rows: 1 }] : [];
      return { columns: [], rows };
    },
    async close() {},
  };
}

async function trainingSetOver(n: number) {
  const warehouse = new MemoryStore("warehouse");
  const exportsDir = path.join(work, `exports-${n}`);
  await fs.mkdir(exportsDir);
  const exports = new FsObjectStore(exportsDir, "exports");
  for (let i = 0; i < n; i++) await putCommittedMarker(warehouse, "stocks", i);
  const statements: string[] = [];
  let attempt = 0;
  const deps: HistoryDeps = {
    stores: { warehouse, exports },
    schemas: new SchemaRegistry(SCHEMAS_DIR),
    views: new ViewRegistry(SCHEMAS_DIR),
    lineage: {} as LineageRecorder, // the step's lineage is not exercised here
    clock: fixedClock("2024-12-31T00:00:00.000Z"),
    scratchDir: work,
    writer: undefined as never, // dataset exports only
    openEngine: async () => recordingAthena(exports, statements),
    openLocal: () => openPlainEngine(),
    writeSplits: athenaSplitPartsWriter(exports, () => `attempt-${attempt++}`),
  };
  const req = { entities: path.join(work, "entities.csv"), features: "stock_prices:price" };
  const plan = planHistory(deps, req);
  const driven = await driveHistory(deps, req, plan);
  const dataDir = path.join(work, `data-${n}`);
  await fs.mkdir(dataDir);
  const written = await executeHistory(deps, req, plan, driven, dataDir);
  return { statements, written, driven };
}

describe("a training set over many committed runs on Athena", () => {
  it("sends the same SQL for 10,000 runs of the view's dataset as for 10", async () => {
    // Act
    const small = await trainingSetOver(10);
    const large = await trainingSetOver(10_000);
    // Assess: the statements differ only in instants and in the staging attempt's names
    const masked = (sql: string) =>
      sql
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<instant>")
        .replace(/_staging\/[^']+/g, "<staging>")
        .replace(/_lakeline_entities_[0-9a-z_]+/g, "<entities>");
    expect(large.statements.map(masked)).toEqual(small.statements.map(masked));
    expect(large.statements.map((s) => s.length)).toEqual(small.statements.map((s) => s.length));
    const queries = large.statements.filter((s) => /^(SELECT|UNLOAD)/.test(s));
    expect(queries).toHaveLength(2);
    for (const sql of queries) {
      expect(sql.length).toBeLessThan(ATHENA_QUERY_LIMIT / 20);
      expect(sql).toContain(`FROM "stocks_runs" WHERE "dataset" = 'stocks'`);
      expect(sql).not.toContain(RUN_ID_PREFIX);
    }
    expect(large.written.query).not.toContain(RUN_ID_PREFIX);
    expect(large.driven.sources).toHaveLength(10_000);
    expect(small.driven.sources).toHaveLength(10);
  }, 60_000);
});
