/**
 * The export reads its committed runs as data: through the real driver, executor and publisher
 * (markers and exports in memory, Athena faked by a recorder), the SQL sent to Athena for 10,000
 * committed runs is the SQL for 10 runs, far under Athena's 262,144-character limit, while every
 * run and warehouse file that fed the export stays listed (in the source list the manifest names).
 */
import { describe, expect, it } from "vitest";
import { AthenaExportWriter } from "../../../src/adapters/aws/athena-export-writer.js";
import { driveExport } from "../../../src/pipeline/export/driver.js";
import { executeExport } from "../../../src/pipeline/export/executor.js";
import { publishExport } from "../../../src/pipeline/export/publisher.js";
import { exportSources } from "../../../src/pipeline/export/sources.js";
import type { ExportEngine, QueryResult } from "../../../src/ports/query-engine.js";
import { markerExportDeps, putCommittedMarker } from "../../support/committed-marker.js";
import { MemoryStore } from "../../support/memory-store.js";

const ATHENA_QUERY_LIMIT = 262_144;

/** Athena as a recorder: counts say 3 train rows; each UNLOAD leaves one object under its location. */
function recordingAthena(exports: MemoryStore, statements: string[]): ExportEngine {
  return {
    name: "athena",
    async query(sql: string): Promise<QueryResult> {
      statements.push(sql);
      const unload = /TO 's3:\/\/exports\/([^']+)'/.exec(sql);
      if (unload) await exports.put(`${unload[1]}q1_00000`, "parquet bytes");
      const rows = unload ? [] : [{ split: "train", rows: 3 }];
      return { columns: [], rows };
    },
    async close() {},
  };
}

async function exportOver(n: number) {
  const warehouse = new MemoryStore("warehouse");
  const exports = new MemoryStore("exports");
  for (let i = 0; i < n; i++) await putCommittedMarker(warehouse, "penguins", i);
  const statements: string[] = [];
  const deps = markerExportDeps(
    warehouse,
    exports,
    new AthenaExportWriter({
      openEngine: async () => recordingAthena(exports, statements),
      exports,
      attemptId: () => "attempt",
    }),
  );
  const driven = await driveExport(deps, { dataset: "penguins" });
  if (!("plan" in driven)) throw new Error("nothing to export");
  const ctx = { plan: { ...driven.plan, runId: "export-run" }, dataDir: "/nonexistent" };
  const made = await executeExport(ctx);
  const { result } = await publishExport(ctx, made);
  const manifest = JSON.parse(Buffer.from(await exports.get(result.keys!.manifest)).toString("utf8"));
  const sources = await exportSources(exports, manifest);
  const manifestBytes = (await exports.get(result.keys!.manifest)).length;
  return { statements, manifest, manifestBytes, sources, snapshotAt: driven.plan.snapshotAt };
}

describe("export over many committed runs on Athena", () => {
  it("sends the same SQL for 10,000 runs as for 10, and lists every run in the manifest's source list", async () => {
    // Act
    const small = await exportOver(10);
    const large = await exportOver(10_000);
    // Assess: the statements differ only in the snapshot instant (the latest ingest read)
    const instant = (sql: string, at: Date) => sql.replaceAll(at.toISOString(), "<snapshot instant>");
    expect(large.statements).toHaveLength(2);
    expect(large.statements.map((s) => instant(s, large.snapshotAt))).toEqual(
      small.statements.map((s) => instant(s, small.snapshotAt)),
    );
    expect(large.statements.map((s) => s.length)).toEqual(small.statements.map((s) => s.length));
    for (const sql of large.statements) {
      expect(sql.length).toBeLessThan(ATHENA_QUERY_LIMIT / 20);
      expect(sql).toMatch(/FROM "penguins_runs"\s+WHERE "dataset" = 'penguins'/);
      expect(sql).not.toContain("00000000-0000-4000-8000-");
    }
    expect(large.sources).toHaveLength(10_000);
    expect(new Set(large.sources.map((s) => s.runId)).size).toBe(10_000);
    expect(small.sources).toHaveLength(10);
    // The manifest names the snapshot; the list of its files is one object beside it.
    expect(large.manifest.snapshot).toMatchObject({ files: 10_000, rows: 30_000, size: 10_000_000 });
    expect(large.manifestBytes - small.manifestBytes).toBeLessThan(20);
  }, 60_000);
});
