/**
 * On the local lake the export reads the run index once: the DuckDB views are built over the runs
 * the driver listed, so the snapshot reads what its manifest names. A run committed while the
 * snapshot is written still fails the export before anything is published: the marker listing
 * after the write differs from the driver's, and the index read again shows a run the snapshot
 * instant covers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { localExportDeps } from "../../cli/deps/export.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { localConfig } from "../../src/contract/env.js";
import type { IngestResult } from "../../src/contract/records.js";
import { SnapshotChangedError } from "../../src/core/errors.js";
import { exportDataset } from "../../src/pipeline/export/export.js";
import type { ExportWriter } from "../../src/ports/export-writer.js";
import { VEGA } from "../support/cli.js";
import { putCommittedMarker } from "../support/committed-marker.js";
import { tempDir } from "../support/temp.js";
import { ingest } from "./export-support.js";

async function exportWhile(during: (lake: string) => Promise<void>) {
  const lake = path.join(await tempDir("export-listing"), "lake");
  const { runId } = await ingest(lake, path.join(VEGA, "penguins.json"), "penguins");
  const deps = localExportDeps(localConfig({ lake }));
  const listed: (string[] | undefined)[] = [];
  const writer: ExportWriter<IngestResult> = {
    engine: "duckdb",
    async write(snapshot, target) {
      listed.push(snapshot.committedRuns?.map((r) => r.runId));
      await during(lake);
      return deps.writer.write(snapshot, target);
    },
  };
  const made = exportDataset({ ...deps, writer }, { dataset: "penguins" });
  return { lake, runId, listed, made };
}

describe("an export on the local lake", () => {
  it("hands the engine the runs the driver listed, and publishes when none committed since", async () => {
    // Act
    const { runId, listed, made } = await exportWhile(async () => {});
    // Assess
    await expect(made).resolves.toMatchObject({ status: "exported", sources: 1, totalRows: 343 });
    expect(listed).toEqual([[runId]]);
  });

  it("fails, publishing nothing, when a run the snapshot instant covers commits during the write", async () => {
    // Act: a run ingested (2024) before the snapshot instant commits while the snapshot is written
    const { lake, made } = await exportWhile((l) =>
      putCommittedMarker(localLakeStores(l).warehouse, "penguins", 1),
    );
    // Assess
    await expect(made).rejects.toThrow(SnapshotChangedError);
    await expect(made).rejects.toThrow(/1 committed since listing, 0 replaced/);
    expect(fs.existsSync(path.join(lake, "exports", "penguins"))).toBe(false);
  });
});
