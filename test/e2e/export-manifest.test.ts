/**
 * An export's manifest does not grow with the runs that fed it: it names the warehouse snapshot
 * (DVC directory hash, files, rows, bytes) and one source list, stored once per snapshot, names
 * every warehouse file read with its md5. Through the CLI, on penguins cut into 10 and then 60
 * uploads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExportResult } from "../../src/pipeline/export/export.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { exportJson, manifestOf, md5, sourcesOf } from "./export-support.js";

const PENGUINS = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8")) as unknown[];
const ROWS_PER_UPLOAD = 5;

/** Uploads `from` … `to - 1` (5 rows each), ingested by one CLI run. */
async function ingestUploads(dir: string, lake: string, from: number, to: number): Promise<void> {
  const files: string[] = [];
  for (let i = from; i < to; i++) {
    const file = path.join(dir, `penguins-${String(i).padStart(3, "0")}.json`);
    fs.writeFileSync(file, JSON.stringify(PENGUINS.slice(i * ROWS_PER_UPLOAD, (i + 1) * ROWS_PER_UPLOAD)));
    files.push(file);
  }
  const r = await runCli("ingest", ...files, "--dataset", "penguins", "--lake", lake, "--json");
  if (r.code > 1) throw new Error(`ingest failed (${r.code}): ${r.stderr}`);
}

const bytesOf = (lake: string, key: string) => fs.statSync(path.join(lake, "exports", key)).size;

describe("an export's manifest over a growing history", () => {
  let dir: string;
  let lake: string;
  let at10: ExportResult;
  let at60: ExportResult;

  beforeAll(async () => {
    // Prepare: 10 committed runs, an export; 50 more, an export
    dir = await tempDir("export-manifest");
    lake = path.join(dir, "lake");
    await ingestUploads(dir, lake, 0, 10);
    at10 = await exportJson("penguins", "--lake", lake);
    await ingestUploads(dir, lake, 10, 60);
    at60 = await exportJson("penguins", "--lake", lake);
  }, 120_000);

  it("keeps the manifest's size when the runs grow sixfold", () => {
    // Act
    const small = manifestOf(lake, at10);
    const large = manifestOf(lake, at60);
    // Assess: the same fields, only numbers and hashes differ
    expect([at10.sources, at60.sources]).toEqual([10, 60]);
    expect([small.manifestFormat, small.sources, large.sources]).toEqual([2, undefined, undefined]);
    expect(large.snapshot).toMatchObject({ files: 60 });
    expect(Math.abs(bytesOf(lake, at60.keys!.manifest) - bytesOf(lake, at10.keys!.manifest))).toBeLessThan(
      32,
    );
  });

  it("names, in the source list, every warehouse file the export read with the md5 of its bytes", async () => {
    // Prepare: what the commit markers say was committed
    const markers = fs.readdirSync(path.join(lake, "warehouse", "_runs", "penguins"));
    const committed = markers
      .map((m) => JSON.parse(fs.readFileSync(path.join(lake, "warehouse", "_runs", "penguins", m), "utf8")))
      .flatMap((m: { outputs: { warehouse?: string } }) =>
        m.outputs.warehouse ? [m.outputs.warehouse] : [],
      );
    // Act
    const sources = await sourcesOf(lake, at60);
    const snapshot = manifestOf(lake, at60).snapshot!;
    // Assess
    expect(sources.map((s) => s.key).sort()).toEqual(committed.sort());
    for (const s of sources) {
      const bytes = fs.readFileSync(path.join(lake, "warehouse", s.key));
      expect([s.md5, s.size]).toEqual([md5(bytes), bytes.length]);
    }
    expect(snapshot.rows).toBe(sources.reduce((n, s) => n + s.rows, 0));
    expect(snapshot.size).toBe(sources.reduce((n, s) => n + s.size, 0));
    // The snapshot is the export's one lineage input, by the same hash.
    const start = JSON.parse(
      fs.readFileSync(
        path.join(lake, "lineage", "openlineage", "export.penguins", at60.runId!, "START.json"),
        "utf8",
      ),
    );
    expect(start.inputs[0].facets.version.datasetVersion).toBe(snapshot.md5);
  });

  it("stores a snapshot's source list once, shared by every export of that snapshot", async () => {
    // Act: the same snapshot, split otherwise
    const other = await exportJson("penguins", "--lake", lake, "--split", "train=50,test=50");
    // Assess
    expect(other.version).not.toBe(at60.version);
    expect(manifestOf(lake, other).snapshot).toEqual(manifestOf(lake, at60).snapshot);
    expect(fs.readdirSync(path.join(lake, "exports", "penguins", "_snapshots"))).toHaveLength(2);
  });
});
