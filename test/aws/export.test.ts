/**
 * The shipped export asset on its schedule's input, with Trino as Athena: the Glue tables of the
 * synthesized template as Hive tables over the warehouse Parquet on moto; the function's own SQL
 * (counts, each UNLOAD) run there; rows and splits checked against DuckDB and `splitOf`. Then DVC:
 * `dvc pull` of the export from the exports zone (a local copy, and S3 on moto), `dvc add` of it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResponse } from "../../functions/ingest.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { type ExportRequest, resolveExport } from "../../src/contract/export-request.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { snapshotSql } from "../../src/core/export/snapshot-sql.js";
import { dvcDirHash } from "../../src/core/hash/dvc.js";
import { keyValuesOf } from "../../src/core/split/canonical.js";
import { splitOf } from "../../src/core/split/split.js";
import type { ExportResult } from "../../src/pipeline/export/deps.js";
import { type AthenaOnTrino, startAthenaOnTrino } from "./support/athena-on-trino.js";
import { deploy, harness, type Lambda, lambda, upload } from "./support/context.js";
import { deployOnMoto, listKeys, type MotoDeployment } from "./support/deployment.js";
import { s3ObjectCreated, scheduledExport } from "./support/events.js";
import {
  createTrinoJsonTablesAndViews,
  createTrinoTables,
  type GlueTable,
  glueParquetTables,
  glueRunsTables,
  glueViews,
} from "./support/glue-tables.js";
import { downloadPrefix, getText } from "./support/lake.js";
import { AWS_CREDENTIALS, type Server, startTrino } from "./support/servers.js";
import { readSynthesized } from "./support/shipped.js";
import { trinoQuery } from "./support/trino.js";

const PENGUINS = JSON.parse(
  readFileSync(
    path.resolve(import.meta.dirname, "../../node_modules/vega-datasets/data/penguins.json"),
    "utf8",
  ),
) as Record<string, unknown>[];
/** Penguins without a missing measurement: every history run commits rows (none is rejected whole). */
const COMPLETE_PENGUINS = PENGUINS.filter((p) =>
  Object.values(p).every((v) => v !== null && v !== "" && v !== "."),
);
const COLUMNS = [
  "species",
  "island",
  "beak_length_mm",
  "beak_depth_mm",
  "flipper_length_mm",
  "body_mass_g",
  "sex",
];

let d: MotoDeployment;
let tables: GlueTable[];
let trino: Server;
let athena: AthenaOnTrino;
let ingest: Lambda;
let exporter: Lambda;
let work: string;
let db: Database;
let exported: ExportResult;
/** Everything the export container wrote under its /tmp. */
const tmpWrites: string[] = [];
let manifest: {
  query: string;
  md5: string;
  asOf: string;
  environment: string;
  split: { parts: unknown; seed: string; key: { name: string; type: string }[] };
  snapshot: { md5: string; files: number; sources: string };
  rows: Record<string, number>;
};
/** The source list the manifest's snapshot names. */
let sources: { key: string; md5: string; runId: string }[];

/**
 * The Glue tables over `deployment`'s warehouse and quarantine buckets: the Parquet tables, and the
 * runs tables over the commit markers with the views over them (the export reads `<dataset>_runs`).
 */
async function attachCatalog(deployment: MotoDeployment): Promise<void> {
  const bucketOf = (ref: string) => {
    const zone = (["Warehouse", "Quarantine"] as const).find((z) => ref.startsWith(`${z}Bucket`));
    if (!zone) throw new Error(`table over unknown bucket ${ref}`);
    return deployment.buckets[zone];
  };
  await createTrinoTables(trino.endpoint, tables, bucketOf);
  const app = readSynthesized(harness().cdkOut);
  await createTrinoJsonTablesAndViews(
    trino.endpoint,
    glueRunsTables(app.data),
    glueViews(app.data),
    bucketOf,
  );
}

/** The schedule rule's constant input, as the synthesized template has it. */
function scheduleInput(): Record<string, unknown> {
  const app = readSynthesized(harness().cdkOut);
  const rule = Object.values(app.pipeline.Resources).find((r) => r.Type === "AWS::Events::Rule");
  const target = (rule!.Properties.Targets as { Input: string }[])[0]!;
  return JSON.parse(target.Input) as Record<string, unknown>;
}

beforeAll(async () => {
  const h = harness();
  work = mkdtempSync(path.join(h.workDir, "export-"));
  const base = await deploy();
  trino = await startTrino({
    home: h.tools.TRINO_HOME,
    javaHome: h.tools.TRINO_JAVA_HOME,
    workDir: path.join(work, "trino"),
    s3Endpoint: h.moto,
    metastoreBucket: base.buckets.AthenaResults,
  });
  base.close();
  const app = readSynthesized(h.cdkOut);
  tables = glueParquetTables(app.data);
  athena = await startAthenaOnTrino(
    trino.endpoint,
    tables.filter((t) => t.partitionKeys.length > 0).map((t) => t.name),
  );
  // The same deployment, now with Athena's endpoint: the metastore bucket is the results bucket
  d = await deployOnMoto(h.moto, { athena: athena.endpoint });
  await attachCatalog(d);
  ingest = lambda("ingest", d);
  exporter = lambda("export", d);
  // Two uploads: two committed runs
  const events = [];
  for (const [i, rows] of [PENGUINS.slice(0, 200), PENGUINS.slice(200)].entries()) {
    const key = `penguins/TRAINING/part ${i}.json`;
    events.push(
      s3ObjectCreated({ bucket: d.buckets.Raw, key, ...(await upload(d, key, JSON.stringify(rows))) }),
    );
  }
  const ingested = await ingest.invoke<IngestResponse>(events);
  for (const r of ingested.results) if (!r.ok) throw new Error(JSON.stringify(r.error));
  const out = await exporter.invoke<ExportResult>([scheduledExport(scheduleInput())], {}, { tmpWrites });
  const first = out.results[0]!;
  if (!first.ok) throw new Error(`export failed: ${JSON.stringify(first.error)}\n${out.stdout.slice(-3000)}`);
  exported = first.value;
  manifest = JSON.parse(await getText(d.s3, d.buckets.Exports, exported.keys!.manifest));
  sources = JSON.parse(await getText(d.s3, d.buckets.Exports, manifest.snapshot.sources)).sources;
  db = await Database.open();
}, 900_000);

afterAll(async () => {
  db?.close();
  await athena?.stop();
  await trino?.stop();
  d?.close();
});

const splitRows = async (dir: string) =>
  db.all(
    `SELECT regexp_extract(filename, '/([a-z]+)/[^/]+$', 1) AS "_split", ${COLUMNS.map((c) => `"${c}"`).join(", ")} FROM read_parquet('${dir}/*/*', filename = true)`,
  );
const canonical = (rows: Record<string, unknown>[]) =>
  rows
    .map((r) =>
      JSON.stringify([r._split, ...COLUMNS.map((c) => (typeof r[c] === "bigint" ? Number(r[c]) : r[c]))]),
    )
    .sort();

describe("shipped export with Trino as Athena", () => {
  it("exports every committed row, through the counts query and one UNLOAD per non-empty split", () => {
    // Assess
    expect(exported.status).toBe("exported");
    expect(exported.totalRows).toBeGreaterThan(300);
    expect(exported.totalRows).toBeLessThanOrEqual(PENGUINS.length);
    const unloads = athena.statements.filter((s) => s.startsWith("UNLOAD"));
    const nonEmpty = Object.values(exported.rows).filter((n) => n > 0).length;
    expect(unloads).toHaveLength(nonEmpty);
    expect(athena.statements.some((s) => /count\(\*\)/.test(s) && !s.startsWith("UNLOAD"))).toBe(true);
  });

  it("writes no split file under its /tmp: unloaded objects are streamed through md5 and copied server-side", async () => {
    // Assess: the run's scratch folder was seen (the watch worked), no part file in it
    expect(tmpWrites.some((p) => p.startsWith("lakeline-export-"))).toBe(true);
    expect(tmpWrites.filter((p) => p.endsWith(".parquet") || /(^|\/)data\/./.test(p))).toEqual([]);
    const staged = await listKeys(d.s3, d.buckets.Exports, "_staging/");
    expect(staged.length).toBe(exported.nfiles);
    const published = await listKeys(d.s3, d.buckets.Exports, `${exported.keys!.data}/`);
    expect(published).toHaveLength(exported.nfiles);
  });

  it("reads the committed runs from the penguins_runs table, not from run ids in the SQL; the manifest's source list names them", () => {
    // Assess
    expect(sources.map((s) => s.runId)).toHaveLength(2);
    expect(manifest.snapshot.files).toBe(2);
    expect(dvcDirHash(sources.map((s) => ({ relpath: s.key, md5: s.md5 })))).toBe(manifest.snapshot.md5);
    expect(manifest.query).toMatch(/FROM "penguins_runs"\s+WHERE "dataset" = 'penguins'/);
    for (const s of sources) expect(manifest.query).not.toContain(s.runId);
  });

  it("gives each row the split DuckDB and TypeScript's splitOf give it", async () => {
    // Prepare: the exported files, and the warehouse as DuckDB reads it locally
    const exportedDir = path.join(work, "exported");
    await downloadPrefix(d.s3, d.buckets.Exports, `${exported.keys!.data}/`, exportedDir);
    const warehouse = path.join(work, "warehouse");
    await downloadPrefix(d.s3, d.buckets.Warehouse, "penguins/", warehouse);
    await db.exec(
      `CREATE OR REPLACE VIEW penguins AS SELECT * FROM read_parquet('${warehouse}/**/*.parquet', hive_partitioning = true)`,
    );
    const markers = path.join(work, "markers");
    await downloadPrefix(d.s3, d.buckets.Warehouse, "_runs/penguins/", markers);
    await db.exec(
      `CREATE OR REPLACE VIEW lakeline_runs AS SELECT * FROM read_json('${markers}/*.json', columns = {'runId': 'VARCHAR', 'dataset': 'VARCHAR', 'status': 'VARCHAR', 'environment': 'VARCHAR', 'sourceMd5': 'VARCHAR', 'ingestedAt': 'TIMESTAMP'})`,
    );
    const request = scheduleInput() as unknown as ExportRequest;
    const schemas = new SchemaRegistry(path.resolve(import.meta.dirname, "../../schemas"));
    const x = resolveExport(
      request,
      schemas.loadAll("penguins").map((l) => l.schema),
      new Date(),
    );
    const spec = x.spec;
    const duckSql = snapshotSql(
      {
        table: "penguins",
        columns: COLUMNS,
        keyColumns: x.keyColumns,
        spec,
        environment: manifest.environment,
        snapshotAt: new Date(manifest.asOf),
        runsTable: "lakeline_runs",
        asOf: new Date(manifest.asOf),
      },
      "duckdb",
    );
    // Act
    const shipped = await splitRows(exportedDir);
    const duck = await db.all(duckSql);
    const onTrino = await trinoQuery(trino.endpoint, manifest.query);
    // Assess
    expect(shipped).toHaveLength(exported.totalRows);
    expect(canonical(shipped)).toEqual(canonical(duck));
    const trinoRows = onTrino.rows.map((r) =>
      Object.fromEntries(onTrino.columns.map((c, i) => [c.name, r[i]])),
    );
    expect(canonical(trinoRows)).toEqual(canonical(duck));
    expect(manifest.split.key.map((k) => k.name)).toEqual(x.keyColumns.map((k) => k.name));
    const disagreeing = shipped.filter((r) => splitOf(keyValuesOf(r, x.keyColumns), spec) !== r._split);
    expect(disagreeing).toEqual([]);
  });
});

describe("Athena readers and uncommitted files", () => {
  it("a crashed run's Parquet is in the table, but not in <dataset>_committed, which counts exactly the committed rows", async () => {
    // Prepare: the runs tables and committed views of the template, in Trino
    const app = readSynthesized(harness().cdkOut);
    await createTrinoJsonTablesAndViews(
      trino.endpoint,
      glueRunsTables(app.data),
      glueViews(app.data),
      (ref) => {
        if (!ref.startsWith("WarehouseBucket")) throw new Error(`runs table over unknown bucket ${ref}`);
        return d.buckets.Warehouse;
      },
    );
    const parquet = async () =>
      (await listKeys(d.s3, d.buckets.Warehouse, "penguins/")).filter((k) => k.endsWith(".parquet"));
    const before = (await parquet()).length;
    const key = "penguins/TRAINING/crashed before commit.json";
    const event = s3ObjectCreated({
      bucket: d.buckets.Raw,
      key,
      ...(await upload(d, key, JSON.stringify(PENGUINS.slice(10, 40)))),
    });
    // Act: the container dies once the run's Parquet is in the warehouse, before its marker
    const crashed = await ingest.invoke(
      [event],
      {},
      { killWhen: async () => (await parquet()).length > before },
    );
    const count = async (relation: string) =>
      Number((await trinoQuery(trino.endpoint, `SELECT count(*) FROM "${relation}"`)).rows[0]![0]);
    const table = await count("penguins");
    const committed = await count("penguins_committed");
    // Assess
    expect(crashed.killed).toBe(true);
    const markers: { status: string; rowsWritten: number }[] = [];
    for (const k of await listKeys(d.s3, d.buckets.Warehouse, "_runs/penguins/"))
      markers.push(JSON.parse(await getText(d.s3, d.buckets.Warehouse, k)));
    const committedRows = markers.filter((m) => m.status === "ok").reduce((n, m) => n + m.rowsWritten, 0);
    expect(markers.some((m) => (m as unknown as { rawKey: string }).rawKey === key)).toBe(false);
    expect(committed).toBe(committedRows);
    const orphan = Number(
      (await trinoQuery(trino.endpoint, `SELECT count(*) FROM "penguins" WHERE "_source_key" = '${key}'`))
        .rows[0]![0],
    );
    expect(orphan).toBeGreaterThan(0);
    expect(table).toBe(committedRows + orphan);
  });
});

/** DVC in a fresh project folder, isolated from the machine's config and caches. */
function dvc(cwd: string, ...args: string[]): string {
  const home = path.join(work, "dvc-home");
  return execFileSync(harness().tools.DVC, args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, "config"),
      XDG_CACHE_HOME: path.join(home, "cache"),
      DVC_SITE_CACHE_DIR: path.join(home, "site-cache"),
      DVC_NO_ANALYTICS: "1",
      AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    },
  });
}

async function dvcProject(name: string): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  dvc(dir, "init", "--no-scm", "-q");
  return dir;
}

/** relpath → bytes of every file under `dir`. */
async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    out.set(path.relative(dir, file), await fs.readFile(file));
  }
  return out;
}

describe("DVC over the exports zone", () => {
  const dvcFileName = () => path.basename(exported.keys!.dvcFile);
  const exportedFiles = async () => {
    const dir = path.join(work, "exported-for-dvc");
    await downloadPrefix(d.s3, d.buckets.Exports, `${exported.keys!.data}/`, dir);
    return filesOf(dir);
  };

  it("dvc pull from the exports zone as a local remote gives the exported files, byte-identical", async () => {
    // Prepare: the zone copied to a folder (DVC's local remote layout is the bucket's)
    const remote = path.join(work, "local-remote");
    await downloadPrefix(d.s3, d.buckets.Exports, "files/", path.join(remote, "files"));
    const project = await dvcProject("pull-local");
    await fs.writeFile(
      path.join(project, dvcFileName()),
      await getText(d.s3, d.buckets.Exports, exported.keys!.dvcFile),
    );
    dvc(project, "remote", "add", "-d", "zone", remote);
    // Act
    dvc(project, "pull", "-q");
    // Assess
    const pulled = await filesOf(path.join(project, "data"));
    const expected = await exportedFiles();
    expect([...pulled.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [rel, bytes] of expected) expect(pulled.get(rel)?.equals(bytes), rel).toBe(true);
  });

  it("dvc pull from the exports bucket as an S3 remote on moto gives the same files; dvc add of them gives the export's md5", async () => {
    // Prepare
    const project = await dvcProject("pull-s3");
    await fs.writeFile(
      path.join(project, dvcFileName()),
      await getText(d.s3, d.buckets.Exports, exported.keys!.dvcFile),
    );
    dvc(project, "remote", "add", "-d", "zone", `s3://${d.buckets.Exports}`);
    dvc(project, "remote", "modify", "zone", "endpointurl", harness().moto);
    dvc(project, "remote", "modify", "zone", "region", "us-east-1");
    // Act
    dvc(project, "pull", "-q");
    const again = await dvcProject("add-pulled");
    await fs.cp(path.join(project, "data"), path.join(again, "data"), { recursive: true });
    dvc(again, "add", "-q", "data");
    // Assess
    const pulled = await filesOf(path.join(project, "data"));
    const expected = await exportedFiles();
    expect([...pulled.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [rel, bytes] of expected) expect(pulled.get(rel)?.equals(bytes), rel).toBe(true);
    const added = await fs.readFile(path.join(again, "data.dvc"), "utf8");
    expect(added).toContain(`md5: ${exported.md5}`);
    expect(exported.md5).toBe(manifest.md5);
  });
});

describe("an export over 1,000 committed runs", () => {
  const RUNS = 1000;
  let history: MotoDeployment;
  let result: ExportResult;
  let exportMillis: number;
  let exportRss: number;
  let largestEntry: number;
  let firstExportStatements: number;

  beforeAll(async () => {
    history = await deployOnMoto(harness().moto, { athena: athena.endpoint, captureJobPrefix: "export." });
    await attachCatalog(history);
    // Prepare: 1,000 uploads of 3 penguins each (distinct bytes), ingested by four containers at
    // once, as S3 notifications fan out to concurrent Lambdas
    const keys = Array.from(
      { length: RUNS },
      (_, i) => `penguins/TRAINING/history/upload ${String(i).padStart(4, "0")}.json`,
    );
    const events: S3Event[] = new Array(RUNS);
    for (let from = 0; from < RUNS; from += 20) {
      await Promise.all(
        keys.slice(from, from + 20).map(async (key, j) => {
          const i = from + j;
          const rows = [0, 1, 2].map((k) => ({
            ...COMPLETE_PENGUINS[(i * 3 + k) % COMPLETE_PENGUINS.length],
            "Body Mass (g)": 3000 + i,
          }));
          events[i] = s3ObjectCreated({
            bucket: history.buckets.Raw,
            key,
            ...(await upload(history, key, JSON.stringify(rows))),
          });
        }),
      );
    }
    firstExportStatements = athena.statements.length;
    const started = Date.now();
    const containers = 4;
    const ingested = await Promise.all(
      Array.from({ length: containers }, (_, c) =>
        lambda("ingest", history).invoke<IngestResponse>(events.filter((_, i) => i % containers === c)),
      ),
    );
    const failed = ingested.flatMap((r) => r.results).filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`${failed.length} ingests failed: ${JSON.stringify(failed[0])}`);
    console.log(
      `${RUNS} ingests in ${containers} concurrent containers: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    // Act
    const out = await lambda("export", history).invoke<ExportResult>([scheduledExport(scheduleInput())]);
    const first = out.results[0]!;
    if (!first.ok) throw new Error(`export failed: ${JSON.stringify(first.error)}`);
    result = first.value;
    exportMillis = out.millis;
    exportRss = out.maxRssBytes;
    const exportEvents = await history.busEvents();
    expect(exportEvents.map((e) => (e.detail as { eventType: string }).eventType)).toEqual([
      "START",
      "COMPLETE",
    ]);
    largestEntry = Math.max(...exportEvents.map((e) => e.bytes));
    console.log(
      `export over ${RUNS} runs: ${(exportMillis / 1000).toFixed(1)} s, peak RSS ${(exportRss / 2 ** 20).toFixed(0)} MiB, ` +
        `largest EventBridge entry of the export ${(largestEntry / 1024).toFixed(1)} KiB`,
    );
  }, 1_800_000);
  afterAll(() => history?.close());

  it("exports every row of every run, within the function's memory and timeout", async () => {
    // Assess
    expect(result.status).toBe("exported");
    expect(result.sources).toBe(RUNS);
    const committed = await listKeys(history.s3, history.buckets.Warehouse, "_runs/penguins/");
    expect(committed).toHaveLength(RUNS);
    expect(result.totalRows).toBeGreaterThan(RUNS * 3 * 0.9);
    expect(exportRss).toBeLessThan(exporter.fn.memoryMb * 2 ** 20);
    expect(exportMillis).toBeLessThan(exporter.fn.timeoutSeconds * 1000);
  });

  it("sends Athena a count query as long as the 2-run export's: its length does not grow with the runs", () => {
    // Assess: the first count query of each export (ISO instants are fixed width)
    const isCount = (sql: string) => !sql.startsWith("UNLOAD") && /count\(\*\)/.test(sql);
    const small = athena.statements.find(isCount)!;
    const large = athena.statements.slice(firstExportStatements).find(isCount)!;
    expect(large.length).toBe(small.length);
    const instants = (sql: string) => sql.replace(/'\d{4}-\d\d-\d\dT[\d:.]+Z'/g, "'<instant>'");
    expect(instants(large)).toBe(instants(small));
  });

  it("sends EventBridge entries under its 256 KiB limit", () => {
    expect(largestEntry).toBeLessThanOrEqual(256 * 1024);
  });
});
