/**
 * The foundation's acceptance, as a new user would check it: real flights and penguins data through
 * the CLI (upload → S3 notification → ingest handler), then SQL answers compared with DuckDB reading
 * the source files directly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/adapters/duckdb/database.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const ROWS = 60_000;
let lake: string;
let flightsCsv: string;
let ingested: Record<string, unknown>[];

async function direct(sql: string): Promise<Record<string, unknown>[]> {
  const db = await Database.open();
  try {
    return await db.all(sql);
  } finally {
    db.close();
  }
}

async function query(sql: string, ...extra: string[]): Promise<Record<string, unknown>[]> {
  const r = await runCli("query", sql, "--lake", lake, "--format", "json", ...extra);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  // Prepare: a lake, and a flights CSV sliced from the vega-datasets parquet.
  const dir = await tempDir("journey");
  lake = path.join(dir, "lake");
  flightsCsv = path.join(dir, "flights.csv");
  await direct(`COPY (SELECT * FROM '${VEGA}/flights-3m.parquet' LIMIT ${ROWS}) TO '${flightsCsv}' (HEADER)`);
  const r1 = await runCli("ingest", flightsCsv, "--dataset", "flights", "--lake", lake, "--json");
  const r2 = await runCli(
    "ingest",
    path.join(VEGA, "penguins.json"),
    "--dataset",
    "penguins",
    "--lake",
    lake,
    "--json",
  );
  expect(r1.code).toBe(0);
  // penguins.json holds one Sex of "." outside v1's domain: an ERROR anomaly, exit status 1.
  expect(r2.code).toBe(1);
  ingested = [...r1.stdout.trim().split("\n"), ...r2.stdout.trim().split("\n")].map((l) => JSON.parse(l));
});

describe("ingest through the CLI", () => {
  it("reports the documented fields and rows that add up for every file", () => {
    for (const o of ingested) {
      for (const k of [
        "file",
        "dataset",
        "environment",
        "schemaVersion",
        "rawKey",
        "rowsRead",
        "rowsWritten",
        "rowsQuarantined",
        "anomalies",
        "outputs",
        "runId",
        "status",
      ]) {
        expect(o).toHaveProperty(k);
      }
      expect(o.status).toBe("ok");
      expect(o.rowsRead).toBe((o.rowsWritten as number) + (o.rowsQuarantined as number));
    }
    const [flights, penguins] = ingested;
    expect(flights).toMatchObject({
      dataset: "flights",
      environment: "TRAINING",
      schemaVersion: 1,
      rowsRead: ROWS,
      rowsWritten: ROWS,
      rowsQuarantined: 0,
    });
    expect(penguins).toMatchObject({
      dataset: "penguins",
      rowsRead: 344,
      rowsWritten: 343,
      rowsQuarantined: 1,
    });
  });

  it("writes timestamped Parquet under the dataset's Hive partition and keeps the raw blob byte-identical", () => {
    const [flights] = ingested as { outputs: { warehouse: string }; rawKey: string; sourceMd5: string }[];
    expect(flights!.outputs.warehouse).toMatch(
      /^flights\/ingest_date=\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.parquet$/,
    );
    expect(fs.existsSync(path.join(lake, "warehouse", flights!.outputs.warehouse))).toBe(true);
    expect(
      Buffer.compare(fs.readFileSync(path.join(lake, "raw", flights!.rawKey)), fs.readFileSync(flightsCsv)),
    ).toBe(0);
  });

  it("answers count, sums and min/max exactly as DuckDB reading the source CSV", async () => {
    const [lakeline] = await query(
      "SELECT count(*) AS n, sum(delay_min) AS delay, sum(distance_mi) AS distance, min(flight_time) AS first, max(flight_time) AS last, count(DISTINCT origin) AS origins FROM flights",
    );
    const [source] = await direct(
      `SELECT count(*) AS n, sum(delay) AS delay, sum(distance) AS distance, strftime(min(date), '%Y-%m-%dT%H:%M:%S.000Z') AS first, strftime(max(date), '%Y-%m-%dT%H:%M:%S.000Z') AS last, count(DISTINCT origin) AS origins FROM read_csv('${flightsCsv}')`,
    );
    expect(lakeline).toEqual({
      n: Number(source!.n),
      delay: Number(source!.delay),
      distance: Number(source!.distance),
      first: source!.first,
      last: source!.last,
      origins: Number(source!.origins),
    });
  });

  it("counts rows per ingest_date partition as the Parquet files under each partition folder hold them", async () => {
    const partitions = await query(
      "SELECT CAST(ingest_date AS VARCHAR) AS d, count(*) AS n FROM flights GROUP BY 1 ORDER BY 1",
    );
    const folders = fs
      .readdirSync(path.join(lake, "warehouse", "flights"))
      .filter((f) => f.startsWith("ingest_date="));
    const perFolder = await direct(
      `SELECT regexp_extract(filename, 'ingest_date=([0-9-]+)', 1) AS d, count(*) AS n FROM read_parquet('${lake}/warehouse/flights/*/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`,
    );
    expect(folders.map((f) => f.slice("ingest_date=".length))).toEqual(perFolder.map((r) => r.d));
    expect(partitions).toEqual(perFolder.map((r) => ({ d: r.d, n: Number(r.n) })));
    expect(partitions.reduce((sum, p) => sum + (p.n as number), 0)).toBe(ROWS);
  });

  it("answers per-group aggregates on penguins as DuckDB on the JSON does, minus the quarantined row", async () => {
    const rows = await query(
      "SELECT species, count(*) AS n, sum(body_mass_g) AS mass FROM penguins GROUP BY 1 ORDER BY 1",
    );
    const expected = await direct(
      `SELECT "Species" AS species, count(*) AS n, sum("Body Mass (g)") AS mass FROM read_json('${VEGA}/penguins.json') WHERE "Sex" IS DISTINCT FROM '.' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual(expected.map((r) => ({ species: r.species, n: Number(r.n), mass: Number(r.mass) })));
    const [q] = await query("SELECT _source_row, _reasons, _source_key FROM penguins_quarantine");
    expect(q).toEqual({
      _source_row: 337,
      _reasons: ['ENUM_TYPE_UNEXPECTED_STRING_VALUES Sex: "." not in [MALE, FEMALE]'],
      _source_key: "penguins/training/penguins.json",
    });
  });

  it("prints tables, CSV and JSON, and fails clearly on bad SQL", async () => {
    const table = await runCli(
      "query",
      "SELECT species, count(*) AS n FROM penguins GROUP BY 1 ORDER BY 1",
      "--lake",
      lake,
    );
    expect(table.stdout).toContain("Adelie");
    expect(table.stdout).toContain("(3 rows)");
    const csv = await runCli(
      "query",
      "SELECT species, count(*) AS n FROM penguins GROUP BY 1 ORDER BY 1",
      "--lake",
      lake,
      "--format",
      "csv",
    );
    expect(csv.stdout.split("\n").slice(0, 2)).toEqual(["species,n", "Adelie,152"]);
    const bad = await runCli("query", "SELECT nope FROM penguins", "--lake", lake);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lakeline: query: Referenced column "nope" not found/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it("records an OpenLineage START and COMPLETE per run, with raw and output versions as DVC md5s", async () => {
    const r = await runCli("lineage", "--events", "--lake", lake);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const flights = ingested[0] as { runId: string; sourceMd5: string; rawKey: string };
    const mine = events.filter((e) => e.run.runId === flights.runId);
    expect(mine.map((e) => e.eventType).sort()).toEqual(["COMPLETE", "START"]);
    const complete = mine.find((e) => e.eventType === "COMPLETE");
    const input = complete.inputs.find((i: { name: string }) => i.name === flights.rawKey);
    expect(input.facets.version.datasetVersion).toBe(flights.sourceMd5);
    const output = complete.outputs.find((o: { name: string }) => o.name.endsWith(".parquet"));
    const hash = await runCli("hash", path.join(lake, "warehouse", output.name));
    expect(output.facets.version.datasetVersion).toBe(hash.stdout.trim());
  });
});
