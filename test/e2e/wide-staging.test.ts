/**
 * A wide CSV table staged in two parts by columns (the way of tables too wide for more than one DuckDB
 * worker and staged on disk: 300 columns × 200k rows) lands the same warehouse rows, quarantine rows
 * and reasons, and statistics as one staged in memory. One generated 300-column file with bad cells
 * in known places goes through the local ingest pipeline (upload → notification → ingest → publish)
 * twice: as sized (in memory), and with the engine told to stage it in parts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { wideDataset, wideSchema, writeWideCsv } from "../../scripts/bench/wide-input.js";
import { StagedBatch } from "../../src/adapters/duckdb/batch.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import type { Staging } from "../../src/adapters/duckdb/split-staging.js";
import type { IngestEngine } from "../../src/ports/ingest-engine.js";
import { tempLake } from "../support/temp.js";

const SPEC = { columns: 300, rows: 600, seed: 11, badEvery: 23 };
const DATASET = wideDataset(SPEC.columns);
/** Lineage columns that differ from run to run. */
const PER_RUN = "_ingested_at, _run_id";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** The DuckDB engine, staging where `staging` says (or where it sizes the blob), noting where it did. */
function engine(staging: Staging | undefined, taken: Staging[]): IngestEngine {
  return {
    async stage(request) {
      const batch = await StagedBatch.stage({
        ...request,
        limits: request.limits ?? DEFAULT_LIMITS,
        ...(request.options ? { database: request.options } : {}),
        ...(staging ? { staging } : {}),
      });
      taken.push(batch.staging);
      return batch;
    },
  };
}

/** `file` ingested into a new lake: its outcome, warehouse rows, quarantine rows and statistics. */
async function ingest(file: string, staging: Staging | undefined) {
  const lake = await tempLake("wide-staging");
  roots.push(lake.root);
  fs.mkdirSync(path.join(lake.schemasDir, DATASET), { recursive: true });
  fs.writeFileSync(path.join(lake.schemasDir, DATASET, "v1.json"), JSON.stringify(wideSchema(SPEC.columns)));
  const taken: Staging[] = [];
  const deps = localIngestDeps(lake, { engine: engine(staging, taken) });
  const key = await uploadRaw(deps.stores.raw, file, DATASET, "training");
  const response = await localIngestInvoker(deps)(await notificationFor(deps.stores.raw, key));
  const result = response.results[0]!;
  const parquet = (zone: string) => `read_parquet('${path.join(lake.lakeDir, zone)}/**/*.parquet')`;
  const reports = path.join(lake.lakeDir, "warehouse", "_reports", DATASET);
  const [run] = fs.readdirSync(reports);
  const statistics = JSON.parse(fs.readFileSync(path.join(reports, run!, "statistics.json"), "utf8"));
  const db = await Database.open();
  try {
    return {
      taken,
      result: { status: result.status, rowsWritten: result.rowsWritten, quarantined: result.rowsQuarantined },
      warehouse: await db.all(
        `SELECT * EXCLUDE (${PER_RUN}) FROM ${parquet(`warehouse/${DATASET}`)} ORDER BY _source_row`,
      ),
      quarantine: await db.all(
        `SELECT _source_row, _reasons, _record FROM ${parquet("quarantine")} ORDER BY _source_row`,
      ),
      statistics: { ...statistics, runId: undefined },
    };
  } finally {
    db.close();
  }
}

describe("a wide CSV table staged in two parts", () => {
  it("lands the same warehouse rows, quarantine and statistics as one staged in memory", async () => {
    // Prepare
    const lake = await tempLake("wide-staging-input");
    roots.push(lake.root);
    const file = path.join(lake.root, `${DATASET}-600.csv`);
    await writeWideCsv(file, SPEC);

    // Act
    const asSized = await ingest(file, undefined);
    const inParts = await ingest(file, "split");

    // Assess: each went the way it was meant to, and both landed the same rows and statistics.
    expect({ asSized: asSized.taken, inParts: inParts.taken }).toEqual({
      asSized: ["memory"],
      inParts: ["split"],
    });
    expect(asSized.quarantine.length).toBeGreaterThan(20);
    expect(asSized.warehouse.length + asSized.quarantine.length).toBe(SPEC.rows);
    expect(asSized.statistics.features).toHaveLength(SPEC.columns);
    expect({ ...inParts, taken: [] }).toEqual({ ...asSized, taken: [] });
  });
});
