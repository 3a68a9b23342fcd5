/**
 * An export's identities are persisted: its run id, its snapshot's version (the lineage input) and
 * the snapshot's members record must be what earlier versions computed for the same runs, or
 * re-running an export would record a new run and lakes' lineage would stop joining up. And the
 * warehouse files it read stay readable from manifests of either format.
 */
import { describe, expect, it } from "vitest";
import { renderSnapshotSources, type SnapshotSources } from "../../../src/contract/export-keys.js";
import { ExportSourcesError } from "../../../src/core/errors.js";
import { md5Hex } from "../../../src/core/hash/dvc.js";
import { snapshotMembersWrite } from "../../../src/core/lineage/snapshot-members.js";
import { driveExport } from "../../../src/pipeline/export/driver.js";
import { exportSources, manifestSnapshot, sourceList } from "../../../src/pipeline/export/sources.js";
import type { ExportWriter } from "../../../src/ports/export-writer.js";
import { markerExportDeps, putCommittedMarker } from "../../support/committed-marker.js";
import { MemoryStore } from "../../support/memory-store.js";

async function planOver(runs: number) {
  const warehouse = new MemoryStore("warehouse");
  const exports = new MemoryStore("exports");
  for (let i = 0; i < runs; i++) await putCommittedMarker(warehouse, "penguins", i);
  const deps = markerExportDeps(warehouse, exports, {} as ExportWriter); // planning only
  const driven = await driveExport(deps, { dataset: "penguins" });
  if (!("plan" in driven)) throw new Error("nothing to export");
  return { plan: driven.plan, exports };
}

describe("an export's identities", () => {
  it("are those earlier versions computed for the same 60 runs", async () => {
    // Act
    const { plan } = await planOver(60);
    const members = snapshotMembersWrite(plan.inputs[0]!, plan.files);
    // Assess: values recorded by the code before the manifest and hashing changes
    expect(plan.runId).toBe("10be4078-68bc-5e4f-8fc8-ee394c7305f6");
    expect(plan.inputs[0]!.version).toBe("ed7d9f01c7d74c0446a7ee86ce860070.dir");
    expect(members.key).toBe("mlmd/snapshot_members/9dcb884f-f634-54ed-b109-7daafcdec6c8.json");
    expect(members.value.members[0]).toBe("050b4314-a234-57f0-a5cf-c31602246aa2");
    expect(md5Hex(JSON.stringify(members.value))).toBe("7313c166e0444dbc636b31f39b2993c3");
  });
});

describe("the warehouse files an export read", () => {
  it("are read from the source list a format-2 manifest names, checked against the snapshot hash", async () => {
    // Prepare
    const { plan, exports } = await planOver(12);
    const snapshot = manifestSnapshot(plan);
    const list = sourceList(plan, snapshot);
    await exports.put(snapshot.sources, renderSnapshotSources(list));
    const manifest = { manifestFormat: 2, dataset: "penguins", version: "v", snapshot } as const;
    // Act
    const sources = await exportSources(exports, manifest as never);
    // Assess
    expect(sources.map((s) => s.runId)).toEqual(plan.runs.map((r) => r.runId));
    expect(sources.map((s) => s.md5)).toEqual(plan.sources.map((s) => s.md5));
    expect(snapshot).toMatchObject({ md5: plan.inputs[0]!.version, files: 12, rows: 36, size: 12_000 });
  });

  it("are read inline from a format-1 manifest", async () => {
    // Prepare: a manifest as exports wrote it before the source list
    const { plan, exports } = await planOver(3);
    const inline = plan.sources.map(({ sourceMd5: _, ...s }) => s);
    const manifest = { manifestFormat: 1, dataset: "penguins", version: "v", sources: inline };
    // Act / Assess
    expect(await exportSources(exports, manifest as never)).toEqual(inline);
  });

  it("refuse a source list that is missing or does not hash to the snapshot", async () => {
    // Prepare: a list with one file dropped
    const { plan, exports } = await planOver(4);
    const snapshot = manifestSnapshot(plan);
    const list = sourceList(plan, snapshot);
    const manifest = { manifestFormat: 2, dataset: "penguins", version: "v", snapshot } as never;
    const missing = exportSources(exports, manifest);
    const cut: SnapshotSources = { ...list, sources: list.sources.slice(1) };
    await exports.put(snapshot.sources, renderSnapshotSources(cut));
    // Act / Assess
    await expect(missing).rejects.toThrow(ExportSourcesError);
    await expect(missing).rejects.toThrow(/source list penguins\/_snapshots\/[0-9a-f]{32}\.json is missing/);
    await expect(exportSources(exports, manifest)).rejects.toThrow(/lists 3 files hashing to .*4 files/);
  });
});
