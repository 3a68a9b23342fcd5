/**
 * Online values after `lakeline reprocess`, through the CLI on stocks.csv: the warehouse views read
 * each source blob's latest processing, and so must the online store. Two blobs are ingested under
 * v2; one is re-processed under the stricter v1 (v2 widened its domains; going back to v1 is the one
 * way a re-processing can land fewer rows, since a new version may only widen them): IBM is not one
 * of v1's symbols and v1's prices stop at 100, so the latest processing drops every IBM row and
 * AAPL's later rows. Online values must then come
 * from the re-processing (AAPL's last price ≤ 100, MSFT's same row from the new run, IBM gone), the
 * other blob's values stay, `features check` passes — and still does after `features materialize`
 * re-drives every run, the replaced one included.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/contract/records.js";
import type { OnlineLookup } from "../../src/pipeline/features/online-read.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ROWS = fs
  .readFileSync(path.join(VEGA, "stocks.csv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => {
    const [symbol, date, price] = l.split(",") as [string, string, string];
    const [mon, day, year] = date.split(" ") as [string, string, string];
    const iso = `${year}-${String(MONTHS.indexOf(mon) + 1).padStart(2, "0")}-${day.padStart(2, "0")}T00:00:00.000000Z`;
    return { line: l, symbol, iso, price: Number(price) };
  });
const BLOB_A = ["AAPL", "MSFT", "IBM"];

/** The row with the latest date per symbol among `rows`, computed here from the CSV text. */
function latestBySymbol(rows: typeof ROWS): Map<string, (typeof ROWS)[number]> {
  const out = new Map<string, (typeof ROWS)[number]>();
  for (const r of rows) if (!out.has(r.symbol) || out.get(r.symbol)!.iso < r.iso) out.set(r.symbol, r);
  return out;
}

let dir: string;
let lake: string;
let schemas: string;
let first: Record<string, IngestResult>;
let reprocessed: IngestResult & { online?: { view: string; corrected?: number; removed?: number }[] };
const cli = (...args: string[]) => runCli(...args, "--lake", lake, "--schemas", schemas);

async function online(symbol: string): Promise<OnlineLookup> {
  const out = await cli("features", "get", "--view", "stock_prices", "--entity", symbol, "--json");
  return JSON.parse(out.stdout) as OnlineLookup;
}

async function check() {
  const out = await cli("features", "check", "--json");
  return { code: out.code, result: JSON.parse(out.stdout) };
}

beforeAll(async () => {
  // Prepare: two blobs of stocks under v1, then a stricter v2 released
  dir = await tempDir("features-reprocess");
  lake = path.join(dir, "lake");
  schemas = path.join(dir, "schemas");
  fs.cpSync("schemas", schemas, { recursive: true });
  const shipped = JSON.parse(fs.readFileSync(path.join(schemas, "stocks", "v1.json"), "utf8"));
  const strict = {
    ...shipped,
    features: shipped.features.map((f: { name: string; domain?: object }) =>
      f.name === "symbol"
        ? { ...f, domain: { values: ["AAPL", "AMZN", "GOOG", "MSFT"] } }
        : f.name === "price"
          ? { ...f, domain: { min: 0, max: 100 } }
          : f,
    ),
    policy: { ...shipped.policy, maxBadRowFraction: 0.6 },
  };
  fs.writeFileSync(path.join(schemas, "stocks", "v1.json"), JSON.stringify(strict, null, 2));
  fs.writeFileSync(
    path.join(schemas, "stocks", "v2.json"),
    JSON.stringify({ ...shipped, version: 2, policy: strict.policy }, null, 2),
  );
  first = {};
  for (const [name, inA] of [
    ["stocks-a.csv", true],
    ["stocks-b.csv", false],
  ] as const) {
    const file = path.join(dir, name);
    const lines = ROWS.filter((r) => BLOB_A.includes(r.symbol) === inA).map((r) => r.line);
    fs.writeFileSync(file, `symbol,date,price\n${lines.join("\n")}\n`);
    const out = await cli("ingest", file, "--dataset", "stocks", "--json");
    expect(out.code, out.stderr).toBe(0);
    first[name] = JSON.parse(out.stdout) as IngestResult;
    expect(first[name]).toMatchObject({ schemaVersion: 2, rowsQuarantined: 0 });
  }
  expect((await cli("features", "check", "--json")).code).toBe(0);
  // Act
  const out = await cli(
    "reprocess",
    "stocks",
    "--key",
    "stocks/training/stocks-a.csv",
    "--schema-version",
    "1",
    "--json",
  );
  // Exit 1: ERROR anomalies (the quarantined rows), the run itself committed
  expect(out.code, out.stderr + out.stdout).toBe(1);
  reprocessed = JSON.parse(out.stdout);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("online values after a re-processing", () => {
  it("re-processes blob A under v1, quarantining IBM and AAPL above 100", () => {
    const a = ROWS.filter((r) => BLOB_A.includes(r.symbol));
    const kept = a.filter((r) => r.symbol !== "IBM" && r.price <= 100);
    expect(reprocessed).toMatchObject({
      status: "ok",
      schemaVersion: 1,
      rowsRead: a.length,
      rowsWritten: kept.length,
      rowsQuarantined: a.length - kept.length,
    });
    // MSFT's last row, now from the new run, is newer by ingest time: an ordinary write. AAPL's
    // last kept row is older than the stored one: a correction. IBM has none left: removed.
    expect(reprocessed.online).toEqual([
      { view: "stock_prices", entities: 2, written: 1, corrected: 1, removed: 1 },
    ]);
  });

  it("serves blob A's entities from the re-processing and blob B's as before", async () => {
    const kept = ROWS.filter((r) =>
      BLOB_A.includes(r.symbol) ? r.symbol !== "IBM" && r.price <= 100 : true,
    );
    const expected = latestBySymbol(kept);
    for (const symbol of ["AAPL", "MSFT", "AMZN", "GOOG"]) {
      const got = await online(symbol);
      const want = expected.get(symbol)!;
      expect([got.found, got.values?.price, got.eventTime], symbol).toEqual([true, want.price, want.iso]);
      expect(got.source?.runId, symbol).toBe(
        BLOB_A.includes(symbol) ? reprocessed.runId : first["stocks-b.csv"]!.runId,
      );
    }
    // AAPL's value is an earlier row than the one the first processing stored
    expect(expected.get("AAPL")!.iso < "2010-03-01").toBe(true);
    expect(await online("IBM")).toMatchObject({ found: false, values: null });
  });

  it("passes features check, and still does after every run is materialized again", async () => {
    const checked = await check();
    const again = await cli("features", "materialize", "--json");
    const rechecked = await check();
    expect(checked.code).toBe(0);
    const stocks = checked.result.views.find((v: { view: string }) => v.view === "stock_prices");
    expect(stocks).toMatchObject({ entities: 4, online: 4, matching: 4, mismatches: [] });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `run ${first["stocks-a.csv"]!.runId} was replaced by run ${reprocessed.runId}`,
    );
    expect(rechecked.code).toBe(0);
    expect((await online("AAPL")).source?.runId).toBe(reprocessed.runId);
    expect((await online("IBM")).found).toBe(false);
  });
});
