/**
 * `lakeline features history` on real data (vega-datasets stocks.csv, monthly prices by symbol)
 * ingested through the CLI over many runs, each raw blob uploaded on the day it would have arrived:
 * half-year batches 20 days after the half ends, a correction that arrives after the batch it
 * corrects, two same-day blobs disagreeing on one price, and a duplicated record within a blob.
 * Every entity row of the training set is compared with a row-by-row reference computed from what
 * the test itself uploaded (rows, upload times, run ids), in both knowledge modes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/adapters/duckdb/database.js";
import { runCli, VEGA } from "../support/cli.js";
import { type HistoryRow, pointInTime } from "../support/point-in-time.js";
import { tempDir } from "../support/temp.js";

const DAY = 86_400_000;
const TTL = 92 * DAY; // schemas/stocks/views/stock_prices.v1.json
const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

interface Price {
  readonly symbol: string;
  readonly date: string;
  readonly price: number;
  readonly ev: number;
}

function parseStocks(): Price[] {
  const lines = fs.readFileSync(path.join(VEGA, "stocks.csv"), "utf8").trim().split("\n").slice(1);
  return lines.map((l) => {
    const [symbol, date, price] = l.split(",") as [string, string, string];
    const [mon, day, year] = date.split(" ") as [string, string, string];
    return { symbol, date, price: Number(price), ev: Date.UTC(Number(year), MONTHS[mon]!, Number(day)) };
  });
}

interface Blob {
  readonly name: string;
  readonly rows: readonly Price[];
  readonly uploadedAt: number;
}

/** A small deterministic PRNG (mulberry32): the entity rows are random but the same every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blobsOf(prices: readonly Price[]): Blob[] {
  const blobs: Blob[] = [];
  for (let year = 2000; year <= 2010; year++) {
    for (const half of [0, 1]) {
      const from = Date.UTC(year, half * 6, 1);
      const to = Date.UTC(year, half * 6 + 6, 1);
      const rows = prices.filter((p) => p.ev >= from && p.ev < to);
      if (rows.length > 0)
        blobs.push({ name: `stocks-${year}-h${half + 1}.csv`, rows, uploadedAt: to + 20 * DAY });
    }
  }
  const at = (symbol: string, y: number, m: number) =>
    prices.find((p) => p.symbol === symbol && p.ev === Date.UTC(y, m, 1))!;
  const fix = (p: Price, factor: number): Price => ({
    ...p,
    price: Math.round(p.price * factor * 100) / 100,
  });
  // Corrections of Dec 2009 arriving 5 days after the batch holding the originals (2010-01-20).
  blobs.push({
    name: "stocks-corrections-2009-12.csv",
    rows: ["IBM", "AAPL"].map((s) => fix(at(s, 2009, 11), 1.05)),
    uploadedAt: Date.UTC(2010, 0, 25),
  });
  // Two blobs uploaded the same instant, disagreeing on GOOG's June 2008 price: the run id decides.
  const tieAt = Date.UTC(2008, 5, 20);
  blobs.push({ name: "stocks-tie-a.csv", rows: [fix(at("GOOG", 2008, 5), 1.01)], uploadedAt: tieAt });
  blobs.push({ name: "stocks-tie-b.csv", rows: [fix(at("GOOG", 2008, 5), 0.99)], uploadedAt: tieAt });
  // One blob recording MSFT's May 2007 price twice: the later record wins.
  const may = at("MSFT", 2007, 4);
  blobs.push({
    name: "stocks-dup-record.csv",
    rows: [fix(may, 1.02), fix(may, 0.98)],
    uploadedAt: Date.UTC(2007, 4, 10),
  });
  return blobs;
}

const csv = (rows: readonly Price[]) =>
  `symbol,date,price\n${rows.map((r) => `${r.symbol},${r.date},${r.price}`).join("\n")}\n`;

let dir: string;
let lake: string;
let history: HistoryRow[];
const entities: { symbol: string; t: number }[] = [];

beforeAll(async () => {
  dir = await tempDir("features");
  lake = path.join(dir, "lake");
  const uploads = path.join(dir, "uploads");
  fs.mkdirSync(uploads);
  const blobs = blobsOf(parseStocks());
  history = [];
  for (const b of blobs) {
    const file = path.join(uploads, b.name);
    fs.writeFileSync(file, csv(b.rows));
    // The raw object as S3 would hold it: uploaded at that instant (its LastModified is _ingested_at).
    const raw = path.join(lake, "raw", "stocks", "training", b.name);
    fs.mkdirSync(path.dirname(raw), { recursive: true });
    fs.copyFileSync(file, raw);
    fs.utimesSync(raw, new Date(b.uploadedAt), new Date(b.uploadedAt));
    const out = await runCli("ingest", file, "--dataset", "stocks", "--lake", lake, "--json");
    const result = JSON.parse(out.stdout);
    expect(result.status, out.stdout).toBe("ok");
    expect(result.rowsWritten).toBe(b.rows.length);
    expect(Date.parse(result.ingestedAt)).toBe(b.uploadedAt);
    for (const [i, r] of b.rows.entries())
      history.push({
        key: r.symbol,
        ev: r.ev,
        ing: b.uploadedAt,
        run: result.runId,
        srow: i + 1,
        values: [r.price],
      });
  }
  // Entity rows: random instants over the decade for every symbol and one never ingested, plus the
  // instants around each special case.
  const rand = prng(16);
  const symbols = ["AAPL", "AMZN", "GOOG", "IBM", "MSFT", "NFLX"];
  const start = Date.UTC(1999, 11, 1);
  const end = Date.UTC(2010, 11, 31);
  for (let i = 0; i < 600; i++)
    entities.push({
      symbol: symbols[Math.floor(rand() * symbols.length)]!,
      t: start + Math.floor(rand() * (end - start)),
    });
  for (const [symbol, iso] of [
    ["IBM", "2010-01-22T12:00:00Z"], // original Dec 2009 price: the correction is not known yet
    ["IBM", "2010-01-28T00:00:00Z"], // the correction
    ["AAPL", "2010-01-25T00:00:00.000Z"], // uploaded exactly then: known
    ["AAPL", "2010-01-24T23:59:59.999Z"], // one millisecond before
    ["GOOG", "2008-06-25T00:00:00Z"], // the same-instant tie
    ["GOOG", "2008-07-25T00:00:00Z"], // the half-year batch, ingested later, wins the same event time
    ["MSFT", "2007-05-15T00:00:00Z"], // the duplicated record
    ["MSFT", "2010-03-03T00:00:00Z"], // Dec 2009 (known since 2010-01-20) is exactly 92 days old: still served
    ["MSFT", "2010-03-03T00:00:01Z"], // and now expired
    ["AMZN", "2000-01-01T00:00:00Z"], // before anything was ingested
  ] as const)
    entities.push({ symbol, t: Date.parse(iso) });
  fs.writeFileSync(
    path.join(dir, "entities.csv"),
    `symbol,event_timestamp,label\n${entities.map((e, i) => `${e.symbol},${new Date(e.t).toISOString()},${i % 2}`).join("\n")}\n`,
  );
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function trainingSet(...args: string[]) {
  const out = await runCli(
    "features",
    "history",
    "--lake",
    lake,
    "--entities",
    path.join(dir, "entities.csv"),
    "--features",
    "stock_prices:price",
    "--label",
    "label",
    "--json",
    ...args,
  );
  expect(out.code, out.stderr).toBe(0);
  const result = JSON.parse(out.stdout);
  const db = await Database.open({ threads: 1 });
  try {
    const rows = await db.all(
      `SELECT symbol, event_timestamp, label, stock_prices__price AS price FROM read_parquet('${path.join(lake, "exports", result.keys.data)}/**/*.parquet')`,
    );
    return { result, rows };
  } finally {
    db.close();
  }
}

function byRow(rows: readonly Record<string, unknown>[]): Map<string, unknown> {
  return new Map(
    rows.map((r) => [`${r.symbol}@${(r.event_timestamp as Date).toISOString()}@${r.label}`, r.price]),
  );
}

describe("features history on stocks ingested over 25 runs", () => {
  it("serves, on every entity row, the value the row-by-row reference chooses (knowledge time: the row's timestamp)", async () => {
    // Act
    const { result, rows } = await trainingSet("--split", "all=100");
    // Assess
    expect(result.totalRows).toBe(entities.length);
    expect(rows).toHaveLength(entities.length);
    const got = byRow(rows);
    const asOf = Date.parse(result.asOf);
    let served = 0;
    entities.forEach((e, i) => {
      const hit = pointInTime(history, { key: e.symbol, t: e.t }, { ttlMs: TTL, knowledge: "row", asOf });
      const want = hit ? hit.values[0] : null;
      if (want !== null) served++;
      expect(
        got.get(`${e.symbol}@${new Date(e.t).toISOString()}@${i % 2}`),
        `${e.symbol} at ${new Date(e.t).toISOString()}`,
      ).toBe(want);
    });
    expect(result.served.stock_prices__price).toBe(served);
    // Enough of both outcomes for the comparison to mean something.
    expect(served).toBeGreaterThan(100);
    expect(entities.length - served).toBeGreaterThan(100);
  });

  it("never serves a correction before it arrived, resolves ties as stated, and expires values after the TTL", async () => {
    // Act
    const { rows } = await trainingSet("--split", "all=100");
    // Assess
    const got = byRow(rows);
    const at = (symbol: string, iso: string) =>
      got.get(
        `${symbol}@${new Date(iso).toISOString()}@${entities.findIndex((e) => e.symbol === symbol && e.t === Date.parse(iso)) % 2}`,
      );
    const dec = (s: string) => history.filter((h) => h.key === s && h.ev === Date.UTC(2009, 11, 1));
    expect(at("IBM", "2010-01-22T12:00:00Z")).toBe(dec("IBM")[0]!.values[0]); // the original
    expect(at("IBM", "2010-01-28T00:00:00Z")).toBe(dec("IBM")[1]!.values[0]); // the correction
    expect(at("AAPL", "2010-01-25T00:00:00.000Z")).toBe(dec("AAPL")[1]!.values[0]);
    expect(at("AAPL", "2010-01-24T23:59:59.999Z")).toBe(dec("AAPL")[0]!.values[0]);
    const june = history.filter((h) => h.key === "GOOG" && h.ev === Date.UTC(2008, 5, 1));
    const tied = june.filter((h) => h.ing === Date.UTC(2008, 5, 20));
    expect(tied).toHaveLength(2);
    const winner = tied[0]!.run > tied[1]!.run ? tied[0]! : tied[1]!;
    expect(at("GOOG", "2008-06-25T00:00:00Z")).toBe(winner.values[0]);
    expect(at("GOOG", "2008-07-25T00:00:00Z")).toBe(
      june.find((h) => h.ing > Date.UTC(2008, 5, 20))!.values[0],
    );
    const may = history.filter(
      (h) => h.key === "MSFT" && h.ev === Date.UTC(2007, 4, 1) && h.ing === Date.UTC(2007, 4, 10),
    );
    expect(at("MSFT", "2007-05-15T00:00:00Z")).toBe(may[1]!.values[0]); // record 2 of the blob
    expect(at("MSFT", "2010-03-03T00:00:00Z")).toBe(
      history.find((h) => h.key === "MSFT" && h.ev === Date.UTC(2009, 11, 1))!.values[0],
    );
    expect(at("MSFT", "2010-03-03T00:00:01Z")).toBeNull();
    expect(at("AMZN", "2000-01-01T00:00:00Z")).toBeNull();
    expect(rows.filter((r) => r.symbol === "NFLX").every((r) => r.price === null)).toBe(true);
  });

  it("with --knowledge as-of serves what the lake knows now (corrections included), again agreeing with the reference", async () => {
    // Act
    const { result, rows } = await trainingSet("--knowledge", "as-of", "--split", "all=100");
    // Assess
    const got = byRow(rows);
    const asOf = Date.parse(result.asOf);
    const differs = entities.filter((e, i) => {
      const want =
        pointInTime(history, { key: e.symbol, t: e.t }, { ttlMs: TTL, knowledge: "as-of", asOf })
          ?.values[0] ?? null;
      expect(got.get(`${e.symbol}@${new Date(e.t).toISOString()}@${i % 2}`)).toBe(want);
      const strict =
        pointInTime(history, { key: e.symbol, t: e.t }, { ttlMs: TTL, knowledge: "row", asOf })?.values[0] ??
        null;
      return want !== strict;
    });
    // Backfill mode sees values before their upload: many rows differ from the strict set.
    expect(differs.length).toBeGreaterThan(50);
  });

  it("is a versioned, repeatable, split export whose lineage reaches every raw blob", async () => {
    // Prepare
    const events = path.join(lake, "lineage", "mlmd", "events");
    const eventsBefore = fs.readdirSync(events).length;
    // Act
    const asOf = new Date().toISOString();
    const first = await trainingSet("--as-of", asOf);
    const runEvents = fs.readdirSync(events).length - eventsBefore;
    const again = await trainingSet("--as-of", asOf);
    const lineage = await runCli(
      "lineage",
      first.result.version,
      "--direction",
      "up",
      "--format",
      "json",
      "--lake",
      lake,
    );
    const manifest = JSON.parse(
      fs.readFileSync(path.join(lake, "exports", first.result.keys.manifest), "utf8"),
    );
    // Assess
    expect(first.result.status).toBe("exported");
    expect(again.result.status).toBe("unchanged");
    expect(again.result.version).toBe(first.result.version);
    expect(Object.values(first.result.rows as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      entities.length,
    );
    expect(first.result.rows.train).toBeGreaterThan(first.result.rows.test);
    expect(fs.existsSync(path.join(lake, "exports", first.result.keys.dvcFile))).toBe(true);
    expect(manifest.tieBreak).toEqual([
      "event_time DESC",
      "_ingested_at DESC",
      "_run_id DESC",
      "_source_row DESC",
    ]);
    expect(manifest.sources).toHaveLength(fs.readdirSync(path.join(dir, "uploads")).length);
    // Lineage of the run: the entity file and the table's snapshot in, the training set out — not
    // one input per warehouse file; the files are the snapshot's members record.
    expect(manifest.sources.length).toBeGreaterThan(3);
    expect(runEvents).toBe(3);
    expect(lineage.code, lineage.stderr).toBe(0);
    const nodes = JSON.parse(lineage.stdout).nodes as { kind: string; name?: string; type?: string }[];
    const names = new Set(nodes.map((n) => n.name));
    const snapshots = nodes.filter((n) => n.kind === "artifact" && n.type === "WarehouseSnapshot");
    expect(snapshots.map((n) => n.name)).toEqual(["stocks"]);
    for (const b of fs.readdirSync(path.join(dir, "uploads")))
      expect(names, b).toContain(`stocks/training/${b}`);
  });

  it("names the file, line and reason of a bad entity row", async () => {
    // Prepare
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, "symbol,event_timestamp\nAAPL,2005-01-01\nMSFT,last tuesday\n");
    // Act
    const out = await runCli(
      "features",
      "history",
      "--lake",
      lake,
      "--entities",
      bad,
      "--features",
      "stock_prices:price",
    );
    const missing = await runCli(
      "features",
      "history",
      "--lake",
      lake,
      "--entities",
      bad,
      "--features",
      "stock_prices:price",
      "--timestamp",
      "ts",
    );
    // Assess
    expect(out.code).toBe(64);
    expect(out.stderr).toContain(
      "entity file bad.csv line 3: last tuesday in event_timestamp is not an ISO 8601 timestamp",
    );
    expect(missing.stderr).toContain("entity file bad.csv: missing column ts");
  });
});
