/**
 * The feature store on the shipped assets: stocks.csv (dates moved forward 200 months, so its last
 * month is this month and TTLs bite) ingested by the shipped ingest function in two uploads — all
 * but the last month, then the last month arriving late. Then:
 *  - the shipped materializer on S3 ObjectCreated events of the commit markers, out of order and
 *    re-delivered, against moto's DynamoDB; the shipped read function returns the latest values;
 *  - the shipped export function asked for a point-in-time training set, run on Trino as Athena; its
 *    rows and splits equal those of `lakeline features history` on DuckDB over the same warehouse
 *    files — including entity rows between the two uploads (the late month must not leak), rows
 *    past the view's TTL and an unknown entity.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResponse } from "../../functions/ingest.js";
import type { MaterializeResponse } from "../../functions/materialize.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import type { IngestResult } from "../../src/contract/records.js";
import type { HistoryResult } from "../../src/pipeline/features/history.js";
import type { OnlineLookup } from "../../src/pipeline/features/online-read.js";
import { runCli } from "../support/cli.js";
import { type AthenaOnTrino, startAthenaOnTrino } from "./support/athena-on-trino.js";
import { deploy, harness, type Lambda, lambda, upload } from "./support/context.js";
import { deployOnMoto, type MotoDeployment } from "./support/deployment.js";
import { s3ObjectCreated } from "./support/events.js";
import {
  createTrinoJsonTablesAndViews,
  createTrinoTables,
  type GlueTable,
  glueParquetTables,
  glueRunsTables,
  glueViews,
} from "./support/glue-tables.js";
import { downloadPrefix } from "./support/lake.js";
import { type Server, startTrino } from "./support/servers.js";
import { readSynthesized } from "./support/shipped.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SHIFT_MONTHS = 200;
interface Price {
  readonly symbol: string;
  readonly month: string;
  readonly price: number;
  readonly line: string;
}
/** stocks.csv with every date moved forward SHIFT_MONTHS months (2010-03 → 2026-11). */
const PRICES: Price[] = readFileSync(
  path.resolve(import.meta.dirname, "../../node_modules/vega-datasets/data/stocks.csv"),
  "utf8",
)
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => {
    const [symbol, date, price] = l.split(",") as [string, string, string];
    const [mon, day, year] = date.split(" ") as [string, string, string];
    const m = Number(year) * 12 + MONTHS.indexOf(mon) + SHIFT_MONTHS;
    const shifted = `${MONTHS[m % 12]} ${day} ${Math.floor(m / 12)}`;
    const month = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
    return { symbol, month, price: Number(price), line: `${symbol},${shifted},${price}` };
  });
const LAST_MONTH = PRICES.map((p) => p.month)
  .sort()
  .at(-1)!;
const SYMBOLS = [...new Set(PRICES.map((p) => p.symbol))].sort();
const priceOf = (symbol: string, month: string) =>
  PRICES.find((p) => p.symbol === symbol && p.month === month)!.price;
const FEATURES = "stock_prices:price";

let d: MotoDeployment;
let trino: Server;
let athena: AthenaOnTrino;
let tables: GlueTable[];
let work: string;
let db: Database;
let runs: IngestResult[];
let materializer: Lambda;

/** Upload one CSV of prices to the raw bucket and ingest it with the shipped function. */
async function ingestPrices(ingest: Lambda, name: string, prices: readonly Price[]): Promise<IngestResult> {
  const key = `stocks/training/${name}`;
  const body = `symbol,date,price\n${prices.map((p) => p.line).join("\n")}\n`;
  const out = await ingest.invoke<IngestResponse>([
    s3ObjectCreated({ bucket: d.buckets.Raw, key, ...(await upload(d, key, body)) }),
  ]);
  const r = out.results[0]!;
  if (!r.ok) throw new Error(`ingest failed: ${JSON.stringify(r.error)}`);
  return r.value.results[0] as IngestResult;
}

/** The commit marker's ObjectCreated event, as the warehouse bucket's notification delivers it. */
async function markerEvent(run: IngestResult) {
  const key = `_runs/stocks/${run.runId}.json`;
  const head = await d.s3.send(new HeadObjectCommand({ Bucket: d.buckets.Warehouse, Key: key }));
  return s3ObjectCreated({
    bucket: d.buckets.Warehouse,
    key,
    size: head.ContentLength ?? 0,
    eTag: head.ETag ?? "",
  });
}

beforeAll(async () => {
  const h = harness();
  work = mkdtempSync(path.join(h.workDir, "features-"));
  const base = await deploy();
  trino = await startTrino({
    home: h.tools.TRINO_HOME,
    javaHome: h.tools.TRINO_JAVA_HOME,
    workDir: path.join(work, "trino"),
    s3Endpoint: h.moto,
    metastoreBucket: base.buckets.AthenaResults,
  });
  base.close();
  tables = glueParquetTables(readSynthesized(h.cdkOut).data);
  athena = await startAthenaOnTrino(
    trino.endpoint,
    tables.filter((t) => t.partitionKeys.length > 0).map((t) => t.name),
  );
  d = await deployOnMoto(h.moto, { athena: athena.endpoint });
  const bucketOf = (ref: string) => {
    const zone = (["Warehouse", "Quarantine"] as const).find((z) => ref.startsWith(`${z}Bucket`));
    if (!zone) throw new Error(`table over unknown bucket ${ref}`);
    return d.buckets[zone];
  };
  await createTrinoTables(trino.endpoint, tables, bucketOf);
  // The runs tables over the commit markers and the views over them: training sets read `<dataset>_runs`.
  const app = readSynthesized(h.cdkOut);
  await createTrinoJsonTablesAndViews(
    trino.endpoint,
    glueRunsTables(app.data),
    glueViews(app.data),
    bucketOf,
  );
  const ingest = lambda("ingest", d);
  materializer = lambda("materialize", d);
  // Two uploads, two seconds apart (S3 times are whole seconds): the last month arrives late.
  const first = await ingestPrices(
    ingest,
    "stocks-history.csv",
    PRICES.filter((p) => p.month !== LAST_MONTH),
  );
  await new Promise((r) => setTimeout(r, 2100));
  const late = await ingestPrices(
    ingest,
    "stocks-latest.csv",
    PRICES.filter((p) => p.month === LAST_MONTH),
  );
  runs = [first, late];
  for (const r of runs) if (r.status !== "ok" || r.rowsQuarantined !== 0) throw new Error(JSON.stringify(r));
  db = await Database.open();
}, 900_000);

afterAll(async () => {
  db?.close();
  await athena?.stop();
  await trino?.stop();
  d?.close();
});

describe("online features on the shipped materializer and read function", () => {
  it("keeps the latest values under out-of-order and re-delivered commits, and serves them", async () => {
    // Prepare: the late run's marker first, then the earlier run's, then the late one again
    const [first, late] = runs as [IngestResult, IngestResult];
    const events = [await markerEvent(late), await markerEvent(first), await markerEvent(late)];
    // Act
    const out = await materializer.invoke<MaterializeResponse>(events);
    const reader = lambda("features-get", d);
    const got = await reader.invoke<OnlineLookup>(
      [...SYMBOLS, "ZZZZ"].map((s) => ({ view: "stock_prices", entity: s })),
    );
    // Assess: one item per symbol, the late month's; the earlier run found newer rows stored;
    // the re-delivery wrote nothing
    const views = out.results.map((r) => {
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value.results[0]!.views.find((v) => v.view === "stock_prices")!;
    });
    expect(views.map((v) => [v.entities, v.written, v.older, v.unchanged])).toEqual([
      [5, 5, 0, 0],
      [5, 0, 5, 0],
      [5, 0, 0, 5],
    ]);
    const items = await d.dynamodb.send(new ScanCommand({ TableName: d.onlineTable }));
    expect(items.Items?.map((i) => i.pk!.S).sort()).toEqual(
      SYMBOLS.map((s) => `stock_prices#${JSON.stringify([s])}`),
    );
    const lookups = got.results.map((r) => {
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value;
    });
    for (const [i, s] of SYMBOLS.entries()) {
      expect(lookups[i]).toMatchObject({
        found: true,
        values: { price: priceOf(s, LAST_MONTH) },
        eventTime: `${LAST_MONTH}-01T00:00:00.000000Z`,
        expired: false,
        source: { key: "stocks/training/stocks-latest.csv", runId: late.runId },
      });
    }
    expect(lookups.at(-1)).toMatchObject({ found: false, values: null });
  });
});

describe("training sets on the shipped export function with Trino as Athena", () => {
  let result: HistoryResult;
  let entities: { symbol: string; event_timestamp: string; label: number }[];
  let between: string;
  let after: string;
  let expiredAt: string;
  let asOf: string;

  beforeAll(async () => {
    // Prepare: entity rows between the uploads, after them, past the TTL, before any data,
    // and of an unknown symbol; the file uploaded under entities/ in the exports bucket
    const [first, late] = runs as [IngestResult, IngestResult];
    const t1 = Date.parse(first.ingestedAt);
    const t2 = Date.parse(late.ingestedAt);
    expect(t2 - t1).toBeGreaterThanOrEqual(1000);
    between = new Date(t1 + Math.floor((t2 - t1) / 2)).toISOString();
    after = new Date(t2 + 1000).toISOString();
    expiredAt = new Date(t2 + 200 * 86_400_000).toISOString();
    asOf = new Date(t2 + 5000).toISOString();
    entities = [];
    for (const [i, s] of SYMBOLS.entries())
      for (const ts of [between, after, expiredAt, "2015-06-01T00:00:00.000Z"])
        entities.push({ symbol: s, event_timestamp: ts, label: (i + entities.length) % 2 });
    entities.push({ symbol: "ZZZZ", event_timestamp: after, label: 1 });
    const csv = `symbol,event_timestamp,label\n${entities.map((e) => `${e.symbol},${e.event_timestamp},${e.label}`).join("\n")}\n`;
    await d.s3.send(
      new PutObjectCommand({ Bucket: d.buckets.Exports, Key: "entities/orders.csv", Body: csv }),
    );
    // Act
    const exporter = lambda("export", d);
    const out = await exporter.invoke<HistoryResult>([
      {
        trainingSet: {
          name: "orders",
          entities: `s3://${d.buckets.Exports}/entities/orders.csv`,
          features: FEATURES,
          label: "label",
          asOf,
          split: { train: 60, eval: 20, test: 20 },
          seed: "aws",
        },
      },
    ]);
    const r = out.results[0]!;
    if (!r.ok) throw new Error(`training set failed: ${JSON.stringify(r.error)}\n${out.stdout.slice(-3000)}`);
    result = r.value;
  }, 600_000);

  const rowsOf = async (dir: string) =>
    (
      await db.all(
        `SELECT regexp_extract(filename, '/([a-z]+)/[^/]+$', 1) AS "split", symbol, strftime(event_timestamp, '%Y-%m-%dT%H:%M:%S.%g') AS ts, CAST(label AS VARCHAR) AS label, stock_prices__price AS price FROM read_parquet('${dir}/*/*.parquet', filename = true)`,
      )
    )
      .map((r) => JSON.stringify([r.split, r.symbol, r.ts, r.label, r.price]))
      .sort();

  it("runs the window form on Athena over a registered entity table, then drops it", () => {
    expect(result).toMatchObject({
      status: "exported",
      name: "orders",
      knowledge: "row",
      totalRows: entities.length,
    });
    const ddl = athena.statements.filter((s) => /^(CREATE EXTERNAL|DROP) TABLE/.test(s));
    expect(ddl).toHaveLength(2);
    expect(ddl[0]).toMatch(
      /^CREATE EXTERNAL TABLE `_lakeline_entities_[0-9a-f]+_[0-9a-f]+` \(`symbol` string, `event_timestamp` timestamp, `label` (bigint|string), `_row` bigint\) STORED AS PARQUET LOCATION 's3:\/\/[^']+\/_staging\//,
    );
    expect(ddl[1]).toMatch(/^DROP TABLE IF EXISTS `_lakeline_entities_/);
    const unloads = athena.statements.filter((s) => s.startsWith("UNLOAD"));
    expect(unloads.length).toBeGreaterThan(0);
    expect(unloads.every((s) => s.includes("row_number() OVER") && !s.includes("ASOF"))).toBe(true);
    // The committed runs are read as data from the runs view, never listed in the query's text
    for (const s of unloads) {
      expect(s).toContain(`FROM "stocks_runs"`);
      for (const r of runs) expect(s).not.toContain(r.runId);
    }
  });

  it("serves point-in-time values: no late row before its upload, nothing past the TTL or unknown", async () => {
    // Prepare
    const dir = path.join(work, "athena-set");
    await downloadPrefix(d.s3, d.buckets.Exports, `${result.keys.data}/`, dir);
    // Act
    const rows = (await rowsOf(dir)).map(
      (r) => JSON.parse(r) as [string, string, string, string, number | null],
    );
    // Assess: between the uploads the previous month; after, the late month; then NULLs
    const previous = PRICES.map((p) => p.month)
      .filter((m) => m < LAST_MONTH)
      .sort()
      .at(-1)!;
    const at = (symbol: string, ts: string) => rows.find((r) => r[1] === symbol && `${r[2]}Z` === ts)!;
    for (const s of SYMBOLS) {
      expect(at(s, between)[4], `${s} between`).toBe(priceOf(s, previous));
      expect(at(s, after)[4], `${s} after`).toBe(priceOf(s, LAST_MONTH));
      expect(at(s, expiredAt)[4], `${s} expired`).toBeNull();
      expect(at(s, "2015-06-01T00:00:00.000Z")[4], `${s} before`).toBeNull();
    }
    expect(at("ZZZZ", after)[4]).toBeNull();
    expect(result.served).toEqual({ stock_prices__price: 2 * SYMBOLS.length });
  });

  it("gives the rows and splits `features history` gives on DuckDB over the same warehouse files", async () => {
    // Prepare: the warehouse bucket as a local lake, the entity file beside it
    const lake = path.join(work, "mirror");
    await downloadPrefix(d.s3, d.buckets.Warehouse, "", path.join(lake, "warehouse"));
    const file = path.join(work, "orders.csv");
    await downloadPrefix(d.s3, d.buckets.Exports, "entities/", work);
    // Act
    const local = await runCli(
      "features",
      "history",
      "--entities",
      file,
      "--features",
      FEATURES,
      "--label",
      "label",
      "--as-of",
      asOf,
      "--split",
      "train=60,eval=20,test=20",
      "--seed",
      "aws",
      "--name",
      "orders",
      "--lake",
      lake,
      "--json",
    );
    expect(local.code, local.stderr).toBe(0);
    const duck = JSON.parse(local.stdout) as HistoryResult;
    const athenaDir = path.join(work, "athena-set");
    // Assess
    expect(duck.rows).toEqual(result.rows);
    expect(duck.served).toEqual(result.served);
    expect(await rowsOf(path.join(lake, "exports", duck.keys.data))).toEqual(await rowsOf(athenaDir));
    expect(duck.sources).toBe(result.sources);
    await fs.rm(lake, { recursive: true, force: true });
  });
});
