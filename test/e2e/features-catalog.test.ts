/**
 * Discovery through the CLI: `features list`, `describe` and the HTML catalog, on a lake holding
 * stocks and weather and one training set — definitions, types, owners, freshness, statistics and
 * lineage to the raw blobs and to the training set that used the view.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogView } from "../../src/pipeline/features/catalog.js";
import { domText, dumpDom, HAS_CHROMIUM, SKIP_REASON } from "../support/chromium.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let dir: string;
let lake: string;
let trainingSetVersion: string;

beforeAll(async () => {
  dir = await tempDir("catalog");
  lake = path.join(dir, "lake");
  for (const [file, dataset] of [
    ["stocks.csv", "stocks"],
    ["weather.csv", "weather"],
  ] as const)
    expect((await runCli("ingest", path.join(VEGA, file), "--dataset", dataset, "--lake", lake)).code).toBe(
      0,
    );
  const entities = path.join(dir, "entities.csv");
  fs.writeFileSync(
    entities,
    "symbol,event_timestamp\nAAPL,2030-01-01T00:00:00Z\nMSFT,2030-01-01T00:00:00Z\n",
  );
  const out = await runCli(
    "features",
    "history",
    "--entities",
    entities,
    "--features",
    "stock_prices:price",
    "--knowledge",
    "as-of",
    "--name",
    "prices_demo",
    "--lake",
    lake,
    "--json",
  );
  trainingSetVersion = JSON.parse(out.stdout).version;
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("feature discovery", () => {
  it("lists every view with its dataset, entity, TTL, owner and freshness", async () => {
    const out = await runCli("features", "list", "--lake", lake, "--json");
    const views = JSON.parse(out.stdout) as CatalogView[];
    expect(views.map((v) => [v.view, v.dataset, v.entities, v.ttl, v.owner])).toEqual([
      ["daily_weather", "weather", ["location"], "3d", "climate-team"],
      ["origin_delays", "flights", ["origin"], "1d", "ops-analytics"],
      ["stock_prices", "stocks", ["symbol"], "92d", "markets-data"],
    ]);
    const stocks = views.find((v) => v.view === "stock_prices")!;
    expect(stocks.freshness).toMatchObject({
      rows: 560,
      entities: 5,
      latestEventTime: "2010-03-01T00:00:00.000Z",
      onlineEntities: 5,
    });
    expect(views.find((v) => v.view === "origin_delays")!.freshness).toMatchObject({ rows: 0, entities: 0 });
  });

  it("describes a view with types, statistics and lineage to its raw blob and training set", async () => {
    const v = JSON.parse(
      (await runCli("features", "describe", "stock_prices", "--lake", lake, "--json")).stdout,
    ) as CatalogView;
    expect(v.features).toEqual([
      expect.objectContaining({
        name: "price",
        type: "double",
        owner: "markets-data",
        description: "monthly closing price in US dollars",
        statistics: expect.objectContaining({
          present: 560,
          missing: 0,
          numeric: expect.objectContaining({ min: 5.97, max: 707 }),
        }),
      }),
    ]);
    expect(v.lineage.rawBlobs).toEqual(["stocks/training/stocks.csv"]);
    expect(v.lineage.trainingSets).toEqual([
      expect.objectContaining({ name: "prices_demo", version: trainingSetVersion, rows: 2 }),
    ]);
    const human = await runCli("features", "describe", "stock_prices", "--lake", lake);
    expect(human.stdout).toContain(`used by training set prices_demo ${trainingSetVersion}`);
  });

  it("writes an HTML catalog with every view, feature, owner and the training set", async () => {
    const out = await runCli("features", "catalog", "--lake", lake, "--out", path.join(dir, "catalog.html"));
    const html = fs.readFileSync(out.stdout.trim(), "utf8");
    for (const text of [
      "stock_prices",
      "daily_weather",
      "origin_delays",
      "markets-data",
      "temp_max",
      trainingSetVersion,
      "stocks/training/stocks.csv",
    ])
      expect(html).toContain(text);
    expect(html).toContain("daily maximum temperature in °C");
    expect(html).not.toMatch(/<script/i);
  });

  it("says with --json where the page is and what it lists", async () => {
    const file = path.join(dir, "catalog-json.html");
    const out = await runCli("features", "catalog", "--lake", lake, "--out", file, "--json");
    const list = JSON.parse(
      (await runCli("features", "list", "--lake", lake, "--json")).stdout,
    ) as CatalogView[];
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      file,
      views: 3,
      features: list.reduce((n, v) => n + v.features.length, 0),
    });
    expect(fs.existsSync(file)).toBe(true);
  });

  // The reason is in the title so a skipped run says why in any reporter.
  it(`renders the catalog in headless Chromium: views, features, owners, freshness and working lineage links${HAS_CHROMIUM ? "" : ` [SKIPPED: ${SKIP_REASON}]`}`, async (ctx) => {
    if (!HAS_CHROMIUM) ctx.skip(SKIP_REASON);
    // Prepare: the page where the CLI puts it by default, inside the lake
    const page = (await runCli("features", "catalog", "--lake", lake)).stdout.trim();
    expect(page).toBe(path.join(lake, "features-catalog.html"));

    // Act
    const dom = await dumpDom(page, path.join(dir, "chromium-profile"));

    // Assess: per view section, the text a reader sees
    const section = (view: string) => {
      const m = new RegExp(`<section id="${view}">([\\s\\S]*?)</section>`).exec(dom);
      expect(m, `section ${view} in the rendered DOM`).not.toBeNull();
      return m![1]!;
    };
    expect(domText(dom)).toContain("3 view(s), 7 feature(s)");
    const stocks = domText(section("stock_prices"));
    for (const text of [
      "stock_prices v1",
      "Owner: markets-data.",
      "dataset stocks (TRAINING rows)",
      "entity symbol",
      "freshness 560 rows, 5 entities; latest event 2010-03-01T00:00:00.000Z",
      "event time price_date; TTL 92d",
      "5 entities online",
      "price double monthly closing price in US dollars markets-data price 560 present, 0 missing; min 5.97",
      "Fed by 1 committed run(s) of stocks from 1 raw blob(s): stocks/training/stocks.csv.",
      `Training sets that used it: prices_demo version ${trainingSetVersion}, as of`,
    ])
      expect(stocks).toContain(text);
    const weather = domText(section("daily_weather"));
    expect(weather).toContain("temp_max double daily maximum temperature in °C climate-team");
    expect(weather).toContain("Owner: climate-team.");
    expect(weather).toContain("Training sets that used it: none yet");
    expect(domText(section("origin_delays"))).toContain(
      "freshness 0 rows, 0 entities; latest event –, latest ingest –; 0 entities online",
    );
    // Lineage links, resolved as the browser resolves them against the page: the raw blob itself
    // and the training set's manifest naming the same version.
    const hrefs = [...section("stock_prices").matchAll(/<a href="([^"]+)">/g)].map(
      (m) => new URL(m[1]!.replaceAll("&amp;", "&"), `file://${page}`),
    );
    expect(hrefs.map((u) => path.relative(lake, decodeURIComponent(u.pathname)))).toEqual([
      path.join("raw", "stocks", "training", "stocks.csv"),
      path.join("exports", "training-sets", "prices_demo", trainingSetVersion, "manifest.json"),
    ]);
    const [raw, manifest] = hrefs.map((u) => fs.readFileSync(decodeURIComponent(u.pathname), "utf8"));
    expect(raw).toBe(fs.readFileSync(path.join(VEGA, "stocks.csv"), "utf8"));
    expect(JSON.parse(manifest!)).toMatchObject({ name: "prices_demo", version: trainingSetVersion });
  }, 180_000);
});
