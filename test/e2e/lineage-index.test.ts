/**
 * The lineage index on a lake the CLI built: penguins ingested in uploads and exported, before and
 * after the first `lakeline lineage` query. A subgraph answered from the index equals the one walked
 * over every record, for every artifact and direction; it reads only its own nodes' records; and a
 * lake recorded before the index is indexed on its first query.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FsObjectStore } from "../../src/adapters/local/fs-store.js";
import { LINEAGE_INDEX_PREFIX, LINEAGE_INDEX_READY } from "../../src/contract/keys.js";
import type { Direction } from "../../src/core/lineage/graph.js";
import { findIndexedArtifacts, indexedSubgraph } from "../../src/pipeline/lineage/lineage-index.js";
import { lineageOf, loadSnapshot } from "../../src/pipeline/lineage/query.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { exportJson, ingest } from "./export-support.js";

const PENGUINS: unknown[] = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8"));

class CountingStore extends FsObjectStore {
  gets = 0;
  override async get(key: string): Promise<Uint8Array> {
    this.gets++;
    return super.get(key);
  }
}

describe("the lineage index", () => {
  let dir: string;
  let lake: string;
  const rawKeys: string[] = [];
  let firstQuery: string;
  const lineage = (...args: string[]) => runCli("lineage", ...args, "--lake", lake);
  const upload = async (i: number) => {
    const file = path.join(dir, `penguins-${i}.json`);
    fs.writeFileSync(file, JSON.stringify(PENGUINS.slice(i * 60, (i + 1) * 60)));
    await ingest(lake, file, "penguins");
  };
  const store = () => new CountingStore(path.join(lake, "lineage"), "lineage");

  beforeAll(async () => {
    // Prepare: two uploads and an export, one query (the index becomes ready), then two more and another export.
    dir = await tempDir("lineage-index");
    lake = path.join(dir, "lake");
    for (const i of [0, 1]) await upload(i);
    await exportJson("penguins", "--lake", lake);
    const snapshot = await loadSnapshot(store());
    rawKeys.push(...snapshot.artifacts.filter((a) => a.type === "RawBlob").map((a) => a.name));
    firstQuery = (await lineage(rawKeys[0]!, "--json")).stdout;
    for (const i of [2, 3]) await upload(i);
    await exportJson("penguins", "--lake", lake);
  }, 120_000);

  it("answers every artifact and direction as the walk over every record does, including runs after the first query", async () => {
    // Prepare
    const s = store();
    const snapshot = await loadSnapshot(s);

    // Act / Assess
    expect(await s.head(LINEAGE_INDEX_READY)).toBeDefined();
    expect(snapshot.artifacts.filter((a) => a.type === "Export")).toHaveLength(2);
    for (const artifact of snapshot.artifacts)
      for (const direction of ["up", "down", "both"] as Direction[]) {
        const roots = await findIndexedArtifacts(s, artifact.name);
        expect(roots.map((a) => a.id)).toContain(artifact.id);
        expect(await indexedSubgraph(s, roots, { direction })).toEqual(
          lineageOf(snapshot, artifact.name, { direction }),
        );
      }
  });

  it("finds artifacts by key, URI, version and hash prefix", async () => {
    const s = store();
    const snapshot = await loadSnapshot(s);
    const exported = snapshot.artifacts.find((a) => a.type === "Export")!;
    const ids = async (ref: string) => (await findIndexedArtifacts(s, ref)).map((a) => a.id);

    expect(await ids(exported.uri)).toEqual([exported.id]);
    expect(await ids(exported.id)).toEqual([exported.id]);
    expect(await ids(exported.version!)).toContain(exported.id);
    expect(await ids(exported.version!.replace(/\.dir$/, ""))).toContain(exported.id);
    expect(await ids(exported.version!.slice(0, 8))).toContain(exported.id);
    expect(await ids("no-such-artifact")).toEqual([]);
  });

  it("reads the records of the nodes it returns, not every record", async () => {
    const s = store();
    const total = (await loadSnapshot(s)).events.length;
    s.gets = 0;

    const graph = await indexedSubgraph(s, await findIndexedArtifacts(s, rawKeys[1]!), { direction: "down" });

    expect(graph.nodes.length).toBeGreaterThan(1);
    expect(s.gets).toBeLessThanOrEqual(2 * graph.nodes.length + 1);
    expect(s.gets).toBeLessThan(total);
  });

  it("indexes a lake recorded before the index on its first query, and --reindex rebuilds it", async () => {
    // Prepare: the lake as an older version left it.
    fs.rmSync(path.join(lake, "lineage", LINEAGE_INDEX_PREFIX), { recursive: true });

    // Act
    const again = await lineage(rawKeys[0]!, "--json");
    const reindexed = await lineage("--reindex");

    // Assess
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).roots).toEqual(JSON.parse(firstQuery).roots);
    expect(JSON.parse(again.stdout).nodes.length).toBeGreaterThan(JSON.parse(firstQuery).nodes.length);
    expect(reindexed.code).toBe(0);
    expect(reindexed.stderr).toMatch(/^lineage index: \d+ artifacts, \d+ events\n$/);
  });
});
