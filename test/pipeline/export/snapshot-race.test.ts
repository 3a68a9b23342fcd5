/**
 * The engine reads committed runs as data when its query runs, after the driver listed them. A run
 * that commits in between must not end up read but missing from the manifest: the export fails,
 * retryably, before publishing anything; a run the snapshot cannot read changes nothing.
 */
import { describe, expect, it } from "vitest";
import { AthenaExportWriter } from "../../../src/adapters/aws/athena-export-writer.js";
import { SnapshotChangedError } from "../../../src/core/errors.js";
import { driveExport } from "../../../src/pipeline/export/driver.js";
import { executeExport } from "../../../src/pipeline/export/executor.js";
import type { ExportEngine, QueryResult } from "../../../src/ports/query-engine.js";
import { markerExportDeps, putCommittedMarker } from "../../support/committed-marker.js";
import { MemoryStore } from "../../support/memory-store.js";

const md5 = (n: number) => n.toString(16).padStart(32, "0");

/** Runs 0–2 (minutes 0, 10, 20) are listed; `during` commits more while Athena counts rows. */
async function exportWhile(during: (warehouse: MemoryStore) => Promise<void>) {
  const warehouse = new MemoryStore("warehouse");
  const exports = new MemoryStore("exports");
  for (const i of [0, 1, 2])
    await putCommittedMarker(warehouse, "penguins", i, { minute: i * 10, sourceMd5: md5(i) });
  let once = false;
  const athena: ExportEngine = {
    name: "athena",
    async query(sql: string): Promise<QueryResult> {
      if (!once) {
        once = true;
        await during(warehouse);
      }
      const unload = /TO 's3:\/\/exports\/([^']+)'/.exec(sql);
      if (unload) await exports.put(`${unload[1]}q1_00000`, "parquet bytes");
      return { columns: [], rows: unload ? [] : [{ split: "train", rows: 3 }] };
    },
    async close() {},
  };
  const deps = markerExportDeps(
    warehouse,
    exports,
    new AthenaExportWriter({ openEngine: async () => athena, exports, attemptId: () => "a" }),
  );
  const driven = await driveExport(deps, { dataset: "penguins" });
  if (!("plan" in driven)) throw new Error("nothing to export");
  return executeExport({ plan: { ...driven.plan, runId: "export-run" }, dataDir: "/nonexistent" });
}

describe("a run committed while an export runs", () => {
  it("fails the export when the new run started before the snapshot instant", async () => {
    // Act
    const made = exportWhile((w) => putCommittedMarker(w, "penguins", 3, { minute: 15, sourceMd5: md5(3) }));
    // Assess
    await expect(made).rejects.toThrow(SnapshotChangedError);
    await expect(made).rejects.toThrow(/1 committed since listing, 0 replaced.*retry the export/);
  });

  it("fails the export when a re-processing replaced a listed run", async () => {
    // Act: run 4 re-processes run 1's blob after the snapshot instant
    const made = exportWhile((w) => putCommittedMarker(w, "penguins", 4, { minute: 30, sourceMd5: md5(1) }));
    // Assess
    await expect(made).rejects.toThrow(/0 committed since listing, 1 replaced by a re-processing/);
  });

  it("goes on when the new run is after the snapshot instant (its rows are not read)", async () => {
    // Act
    const made = await exportWhile((w) =>
      putCommittedMarker(w, "penguins", 5, { minute: 30, sourceMd5: md5(5) }),
    );
    // Assess
    expect(made.rows).toEqual({ train: 3, eval: 0, test: 0 });
  });

  it("goes on when nothing committed in between", async () => {
    // Act
    const made = await exportWhile(async () => {});
    // Assess
    expect(made.totalRows).toBe(3);
  });
});
