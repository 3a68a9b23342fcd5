/**
 * A run reports its phases as it goes (what `lakeline ingest` shows for a single long file):
 * staging, then writing, then publishing — and a blob rejected or routed stops after staging.
 */
import * as fs from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import type { IngestPhase } from "../../src/pipeline/ingest/ingest.js";
import { PENGUINS_FILE, tempLake } from "../reliability/support.js";

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

async function phasesOf(file: string, name: string) {
  const lake = await tempLake("phases");
  roots.push(lake.root);
  const phases: [IngestPhase, string][] = [];
  const deps = localIngestDeps(lake, { onPhase: (phase, key) => phases.push([phase, key]) });
  const key = await uploadRaw(deps.stores.raw, file, name, "training");
  const response = await localIngestInvoker(deps)(await notificationFor(deps.stores.raw, key));
  return { phases, key, result: response.results[0]! };
}

describe("ingest phases", () => {
  it("are staging, writing, publishing, in that order, for the blob's key", async () => {
    const { phases, key, result } = await phasesOf(PENGUINS_FILE, "penguins");
    expect(result.status).toBe("ok");
    expect(phases).toEqual([
      ["stage", key],
      ["write", key],
      ["publish", key],
    ]);
  });

  it("stop after staging when the blob is rejected whole", async () => {
    const lake = await tempLake("phases-bad");
    roots.push(lake.root);
    const bad = `${lake.root}/bad.csv`;
    await fs.writeFile(bad, "");
    const { phases, result } = await phasesOf(bad, "penguins");
    expect(result.status).toBe("rejected");
    expect(phases.map(([p]) => p)).toEqual(["stage"]);
  });
});
