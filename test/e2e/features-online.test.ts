/**
 * The online store through the CLI on real data (stocks.csv split into blobs, weather.csv): values
 * are materialised after each committed run, re-delivered and out-of-order commit notifications
 * leave the latest row per entity, late-arriving older rows never overwrite newer ones, and
 * `features check` proves online = latest warehouse row — and fails, naming the entity, when not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMaterializer } from "../../cli/deps/features.js";
import { localConfig } from "../../src/contract/env.js";
import type { MaterializeResult } from "../../src/pipeline/features/materialize.js";
import type { OnlineLookup } from "../../src/pipeline/features/online-read.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let dir: string;
let lake: string;
let runs: { dataset: string; runId: string }[];
const header = "symbol,date,price";
const lines = fs.readFileSync(path.join(VEGA, "stocks.csv"), "utf8").trim().split("\n").slice(1);

/** The last record of each symbol in stocks.csv (records are in date order per symbol). */
function latestPrices(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const [symbol, , price] = l.split(",");
    out[symbol!] = Number(price);
  }
  return out;
}

async function ingestJson(file: string, dataset: string) {
  const out = await runCli("ingest", file, "--dataset", dataset, "--lake", lake, "--json");
  expect(out.code, out.stdout + out.stderr).toBe(0);
  return out.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function check() {
  const out = await runCli("features", "check", "--lake", lake, "--json");
  return { code: out.code, stderr: out.stderr, result: JSON.parse(out.stdout) };
}

beforeAll(async () => {
  dir = await tempDir("online");
  lake = path.join(dir, "lake");
  // Three blobs of stocks in one CLI call (two at a time, as parallel Lambdas), then weather.
  const thirds = [0, 1, 2].map((i) => lines.filter((_, j) => j % 3 === i));
  const files = thirds.map((rows, i) => {
    const f = path.join(dir, `stocks-part${i}.csv`);
    fs.writeFileSync(f, `${header}\n${rows.join("\n")}\n`);
    return f;
  });
  const out = await runCli(
    "ingest",
    ...files,
    "--dataset",
    "stocks",
    "--lake",
    lake,
    "--json",
    "--concurrency",
    "2",
  );
  expect(out.code, out.stderr).toBe(0);
  const results = out.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const weather = await ingestJson(path.join(VEGA, "weather.csv"), "weather");
  runs = [...results, ...weather].map((r) => ({ dataset: r.dataset, runId: r.runId }));
  expect(results.every((r) => r.online?.[0]?.view === "stock_prices")).toBe(true);
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("online features", () => {
  it("serves the latest price of every symbol with its raw blob, and features check passes", async () => {
    // Act
    const got: [string, OnlineLookup][] = [];
    for (const s of Object.keys(latestPrices())) {
      const out = await runCli(
        "features",
        "get",
        "--view",
        "stock_prices",
        "--entity",
        s,
        "--lake",
        lake,
        "--json",
      );
      got.push([s, JSON.parse(out.stdout)]);
    }
    const checked = await check();
    // Assess
    for (const [symbol, r] of got) {
      expect(r.found).toBe(true);
      expect(r.values?.price, symbol).toBe(latestPrices()[symbol]);
      expect(r.eventTime).toBe("2010-03-01T00:00:00.000000Z");
      expect(r.source?.key).toMatch(/^stocks\/training\/stocks-part[012]\.csv$/);
      expect(r.expired).toBe(true); // March 2010 is long past the view's 92-day TTL
    }
    expect(checked.code).toBe(0);
    expect(checked.result.ok).toBe(true);
    const byView = Object.fromEntries(checked.result.views.map((v: { view: string }) => [v.view, v]));
    expect(byView.stock_prices).toMatchObject({ entities: 5, online: 5, matching: 5 });
    expect(byView.daily_weather).toMatchObject({ entities: 2, online: 2, matching: 2 });
  });

  it("leaves the latest values when commits are re-delivered or arrive in reverse order", async () => {
    // Prepare
    const materialize = localMaterializer(localConfig({ lake }));
    fs.rmSync(path.join(lake, "online"), { recursive: true, force: true });
    // Act: newest-first, then everything again.
    const reversed: MaterializeResult[] = [];
    for (const r of [...runs].reverse()) reversed.push(...(await materialize(r.dataset, r.runId)).results);
    const again: MaterializeResult[] = [];
    for (const r of runs) again.push(...(await materialize(r.dataset, r.runId)).results);
    const checked = await check();
    // Assess
    const stock = (rs: typeof reversed) =>
      rs.flatMap((r) => r.views).filter((v) => v.view === "stock_prices");
    expect(stock(reversed).reduce((a, v) => a + v.older, 0)).toBeGreaterThan(0);
    expect(stock(again).every((v) => v.written === 0)).toBe(true);
    expect(checked.result.ok).toBe(true);
  });

  it("never lets a late-arriving older row overwrite a newer one", async () => {
    // Prepare: IBM and AAPL prices of 2005, arriving now.
    const late = path.join(dir, "stocks-late-2005.csv");
    fs.writeFileSync(late, `${header}\nIBM,Jun 1 2005,1.23\nAAPL,Jun 1 2005,4.56\n`);
    // Act
    const [result] = await ingestJson(late, "stocks");
    const ibm = JSON.parse(
      (
        await runCli(
          "features",
          "get",
          "--view",
          "stock_prices",
          "--entity",
          "symbol=IBM",
          "--lake",
          lake,
          "--json",
        )
      ).stdout,
    );
    const checked = await check();
    // Assess
    expect(result.online).toEqual([{ view: "stock_prices", entities: 2, written: 0 }]);
    expect(ibm.values.price).toBe(latestPrices().IBM);
    expect(checked.result.ok).toBe(true);
  });

  it("of an entity's rows at its newest event time, serves the last record of the run", async () => {
    // Prepare: a lake of its own; ZZZ has two rows in its newest month, and an older one after them.
    const own = path.join(dir, "ties");
    const file = path.join(dir, "stocks-ties.csv");
    fs.writeFileSync(
      file,
      `${header}\nZZZ,Mar 1 2010,1.5\nZZZ,Jan 1 2010,9.5\nZZZ,Mar 1 2010,2.5\nZZZ,Feb 1 2010,3.5\n`,
    );
    // Act
    const ingested = await runCli("ingest", file, "--dataset", "stocks", "--lake", own, "--json");
    const got = JSON.parse(
      (await runCli("features", "get", "--view", "stock_prices", "--entity", "ZZZ", "--lake", own, "--json"))
        .stdout,
    );
    // Assess
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(JSON.parse(ingested.stdout).online).toEqual([{ view: "stock_prices", entities: 1, written: 1 }]);
    expect(got.values.price).toBe(2.5);
    expect(got.eventTime).toBe("2010-03-01T00:00:00.000000Z");
  });

  it("fails features check, naming the entity, when the online store disagrees with the warehouse", async () => {
    // Prepare
    const file = path.join(lake, "online", "stock_prices.json");
    const store = JSON.parse(fs.readFileSync(file, "utf8"));
    store.items['["MSFT"]'].values.price = 1;
    fs.writeFileSync(file, JSON.stringify(store));
    // Act
    const checked = await check();
    const human = await runCli("features", "check", "--lake", lake);
    // Assess
    expect(checked.code).toBe(1);
    expect(checked.result.ok).toBe(false);
    const mismatch = checked.result.views.find((v: { view: string }) => v.view === "stock_prices").mismatches;
    expect(mismatch).toEqual([expect.objectContaining({ key: '["MSFT"]', problem: "values differ" })]);
    expect(human.stdout).toContain('✗ stock_prices ["MSFT"]: values differ');
    expect(human.stderr).toContain("features check failed: 1 entity differs");
  });

  it("reports an entity with no value, and a malformed key, plainly", async () => {
    const none = await runCli(
      "features",
      "get",
      "--view",
      "stock_prices",
      "--entity",
      "NFLX",
      "--lake",
      lake,
    );
    const bad = await runCli(
      "features",
      "get",
      "--view",
      "stock_prices",
      "--entity",
      "ticker=NFLX",
      "--lake",
      lake,
    );
    const view = await runCli("features", "get", "--view", "nope", "--entity", "x", "--lake", lake);
    expect(none.code).toBe(3);
    expect(none.stdout).toContain("no online value");
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("entity key of this view is symbol; missing symbol; unknown ticker");
    expect(view.stderr).toContain("feature view not found: nope");
  });
});
