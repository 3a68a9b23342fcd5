/**
 * The feature-store row: a point-in-time training set of N entity rows joined with three views
 * (stock_prices over stocks.csv, daily_weather over weather.csv, origin_delays over the bench's
 * flights), as `lakeline features history` (window/timeline + ASOF with the knowledge-time
 * condition, split, Parquet parts, DVC hash, manifest, lineage), against the same three ASOF joins
 * written directly in DuckDB (event time and TTL only, one COPY to Parquet). The lake and the entity
 * file are built once, outside the measurement.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { scratchDir } from "../../src/contract/env.js";
import { expectRows, type Job, LAKELINE } from "./contenders.js";
import type { BenchInput } from "./inputs.js";

export const FEATURES =
  "stock_prices:price,daily_weather:temp_max,temp_min,origin_delays:last_delay_min,last_distance_mi";

const VEGA = "node_modules/vega-datasets/data";
const SYMBOLS = ["AAPL", "AMZN", "GOOG", "IBM", "MSFT", "NFLX"];
const LOCATIONS = ["Seattle", "New York", "Boston"];

/** A small deterministic PRNG (mulberry32), so every bench run joins the same entity rows. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Entity rows: half in the flights' months (Jan–Jun 2001, stocks valid too), half in 2012–2015 (weather). */
async function writeEntities(file: string, rows: number, origins: readonly string[]): Promise<number> {
  const rand = prng(2001);
  const out = createWriteStream(file);
  out.write("symbol,location,origin,event_timestamp\n");
  const spans = [
    [Date.UTC(2001, 0, 1), Date.UTC(2001, 6, 1)],
    [Date.UTC(2012, 0, 1), Date.UTC(2016, 0, 1)],
  ] as const;
  for (let i = 0; i < rows; i++) {
    const [from, to] = spans[i % 2]!;
    const line = `${SYMBOLS[Math.floor(rand() * SYMBOLS.length)]},${LOCATIONS[Math.floor(rand() * LOCATIONS.length)]},${origins[Math.floor(rand() * origins.length)]},${stamp(from + Math.floor(rand() * (to - from)))}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return (await fs.stat(file)).size;
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The same three ASOF joins, by hand, straight over the lake's warehouse Parquet. */
function directScript(lake: string, entities: string, out: string, memoryLimit: string): string {
  const views = [
    { table: "stocks", key: "symbol", ev: "price_date", ttl: "92 days", cols: ["price"] },
    { table: "weather", key: "location", ev: "obs_date", ttl: "3 days", cols: ["temp_max", "temp_min"] },
    { table: "flights", key: "origin", ev: "flight_time", ttl: "1 days", cols: ["delay_min", "distance_mi"] },
  ];
  const from = views
    .map(
      (v, i) =>
        `ASOF LEFT JOIN (SELECT ${v.key}, ${v.ev}, ${v.cols.join(", ")} FROM read_parquet(${q(path.join(lake, "warehouse", v.table, "**", "*.parquet"))})) AS v${i} ` +
        `ON e.${v.key} = v${i}.${v.key} AND e.event_timestamp >= v${i}.${v.ev}`,
    )
    .join(" ");
  const cols = views.flatMap((v, i) =>
    v.cols.map(
      (c) =>
        `CASE WHEN v${i}.${v.ev} >= e.event_timestamp - INTERVAL '${v.ttl}' THEN v${i}.${c} END AS ${v.table}__${c}`,
    ),
  );
  const sql =
    `COPY (SELECT e.symbol, e.location, e.origin, e.event_timestamp, ${cols.join(", ")} ` +
    `FROM read_csv(${q(entities)}, header = true, types = {'event_timestamp': 'TIMESTAMP'}) AS e ${from}) TO ${q(out)} (FORMAT parquet, COMPRESSION snappy)`;
  return [
    `import { DuckDBInstance } from "@duckdb/node-api";`,
    `const db = await DuckDBInstance.create(":memory:", { memory_limit: ${JSON.stringify(memoryLimit)} });`,
    `const c = await db.connect();`,
    `const r = await c.runAndReadAll(${JSON.stringify(sql)});`,
    `console.log(String(r.getRows()[0][0]));`,
  ].join("\n");
}

export interface FeatureBench {
  readonly jobs: Job[];
  cleanup(): Promise<void>;
}

/**
 * Build the lake (ingest flights `flights`, stocks, weather through the CLI) and the entity file,
 * then return the two contenders. `dir` holds the generated script (inside the repository, so it
 * resolves @duckdb/node-api).
 */
export async function featureBench(args: {
  dir: string;
  flights: BenchInput;
  entityRows: number;
  log: (msg: string) => void;
}): Promise<FeatureBench> {
  const root = await fs.mkdtemp(path.join(scratchDir(), "lakeline-bench-features-"));
  const lake = path.join(root, "lake");
  const cli = (...argv: string[]) =>
    execFileSync(process.execPath, [...LAKELINE, ...argv], { encoding: "utf8", maxBuffer: 64 << 20 });
  const started = performance.now();
  cli("ingest", args.flights.path, "--dataset", "flights", "--lake", lake);
  cli("ingest", path.join(VEGA, "stocks.csv"), "--dataset", "stocks", "--lake", lake);
  cli("ingest", path.join(VEGA, "weather.csv"), "--dataset", "weather", "--lake", lake);
  const origins = (
    JSON.parse(
      cli("query", "select distinct origin from flights order by 1", "--lake", lake, "--format", "json"),
    ) as { origin: string }[]
  ).map((r) => r.origin);
  const entities = path.join(root, `entities-${args.entityRows}.csv`);
  const bytes = await writeEntities(entities, args.entityRows, origins);
  args.log(
    `features: lake (${args.flights.name}, stocks, weather) and ${args.entityRows} entity rows built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const input: BenchInput = {
    name: path.basename(entities),
    path: entities,
    format: "csv",
    rows: args.entityRows,
    bytes,
  };
  await fs.mkdir(args.dir, { recursive: true });
  const script = path.join(args.dir, "features-asof-direct.mjs");
  const directOut = path.join(root, "direct.parquet");
  await fs.writeFile(script, directScript(lake, entities, directOut, "256MB"));
  const direct: Job = {
    id: `features-asof-duckdb:${input.name}`,
    operation: "DuckDB alone: 3 ASOF joins (event time + TTL) → Parquet",
    input,
    baseline: `features-asof-duckdb:${input.name}`,
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: [script],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: direct ASOF exit ${code}: ${out.slice(0, 300)}`);
            expectRows("direct ASOF", args.entityRows, out.trim());
          },
        },
        cleanup: () => fs.rm(directOut, { force: true }),
      };
    },
  };
  let run = 0;
  const history: Job = {
    id: `features-history:${input.name}`,
    operation:
      "lakeline features history: 3 views, point-in-time (event + knowledge time, TTL) → split export",
    input,
    baseline: direct.id,
    memoryBound: true,
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: [
            ...LAKELINE,
            "features",
            "history",
            "--entities",
            entities,
            "--features",
            FEATURES,
            "--knowledge",
            "as-of",
            "--seed",
            `bench-${++run}`,
            "--lake",
            lake,
            "--json",
          ],
          check: (out, code) => {
            const r = JSON.parse(out) as { totalRows?: number };
            if (code !== 0) throw new Error(`bench: features history exit ${code}: ${out.slice(0, 300)}`);
            expectRows("features history", args.entityRows, r.totalRows);
          },
        },
        cleanup: async () => {},
      };
    },
  };
  return { jobs: [direct, history], cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}
