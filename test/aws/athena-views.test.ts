/**
 * What Athena readers query, on Trino with the data stack's Glue tables and views as synthesized:
 * `<dataset>_runs` over compact and pretty-printed (older) commit markers, `<dataset>_committed`
 * and `<dataset>_history` after a re-processing, each checked against the markers and against the
 * local lake's views over the same files; and the README's `lakeline query --engine athena`
 * statements, run through the CLI on an Athena API in front of Trino.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResponse } from "../../functions/ingest.js";
import type { IngestResult } from "../../src/contract/records.js";
import { latestProcessings } from "../../src/core/warehouse/latest.js";
import { runCli } from "../support/cli.js";
import { type AthenaOnTrino, startAthenaOnTrino } from "./support/athena-on-trino.js";
import { harness, type Lambda, lambda, upload } from "./support/context.js";
import { deployOnMoto, listKeys, type MotoDeployment } from "./support/deployment.js";
import { s3ObjectCreated } from "./support/events.js";
import {
  createTrinoJsonTablesAndViews,
  createTrinoTables,
  glueParquetTables,
  glueRunsTables,
  glueViews,
} from "./support/glue-tables.js";
import { downloadPrefix, getText } from "./support/lake.js";
import { AWS_CREDENTIALS, AWS_REGION, type Server, startTrino } from "./support/servers.js";
import { readSynthesized } from "./support/shipped.js";
import { trinoQuery } from "./support/trino.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PENGUINS = JSON.parse(
  readFileSync(path.join(ROOT, "node_modules/vega-datasets/data/penguins.json"), "utf8"),
) as unknown[];
const KEYS = [
  "penguins/TRAINING/first.json",
  "penguins/TRAINING/second.json",
  "penguins/TRAINING/third.json",
];

let d: MotoDeployment;
let trino: Server;
let athena: AthenaOnTrino;
let ingest: Lambda;
let lake: string;
let markers: IngestResult[];
let pretty: IngestResult;

const rowsOf = async (sql: string) => {
  const r = await trinoQuery(trino.endpoint, sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
};

beforeAll(async () => {
  // Prepare: the data stack's relations in Trino over a fresh deployment on moto
  const h = harness();
  const work = mkdtempSync(path.join(h.workDir, "athena-views-"));
  d = await deployOnMoto(h.moto);
  trino = await startTrino({
    home: h.tools.TRINO_HOME,
    javaHome: h.tools.TRINO_JAVA_HOME,
    workDir: path.join(work, "trino"),
    s3Endpoint: h.moto,
    metastoreBucket: d.buckets.AthenaResults,
  });
  const app = readSynthesized(h.cdkOut);
  const parquet = glueParquetTables(app.data);
  const zone = (ref: string) => {
    const z = (["Warehouse", "Quarantine"] as const).find((x) => ref.startsWith(`${x}Bucket`));
    if (!z) throw new Error(`table over unknown bucket ${ref}`);
    return d.buckets[z];
  };
  await createTrinoTables(trino.endpoint, parquet, zone);
  await createTrinoJsonTablesAndViews(trino.endpoint, glueRunsTables(app.data), glueViews(app.data), zone);
  athena = await startAthenaOnTrino(
    trino.endpoint,
    parquet.filter((t) => t.partitionKeys.length > 0).map((t) => t.name),
  );
  // Three uploads, then the first one re-processed: two processings of one source blob
  ingest = lambda("ingest", d);
  const events = [];
  for (const [i, key] of KEYS.entries()) {
    const body = JSON.stringify(PENGUINS.slice(i * 115, (i + 1) * 115));
    events.push(s3ObjectCreated({ bucket: d.buckets.Raw, key, ...(await upload(d, key, body)) }));
  }
  const out = await ingest.invoke<IngestResponse>([
    ...events,
    { reprocess: { dataset: "penguins", key: KEYS[0] } },
  ]);
  for (const r of out.results) if (!r.ok) throw new Error(`ingest failed: ${JSON.stringify(r.error)}`);
  const markerKeys = await listKeys(d.s3, d.buckets.Warehouse, "_runs/penguins/");
  markers = [];
  for (const k of markerKeys) markers.push(JSON.parse(await getText(d.s3, d.buckets.Warehouse, k)));
  if (markers.length !== 4) throw new Error(`expected 4 commit markers, found ${markers.length}`);
  // The second upload's marker as versions before one-line markers wrote it
  pretty = markers.find((m) => m.rawKey === KEYS[1])!;
  await d.s3.send(
    new PutObjectCommand({
      Bucket: d.buckets.Warehouse,
      Key: `_runs/penguins/${pretty.runId}.json`,
      Body: JSON.stringify(pretty, null, 2),
    }),
  );
  // Partition projection sees every ingest_date at once; the Hive metastore needs them registered
  for (const t of parquet.filter((x) => x.partitionKeys.length > 0))
    await trinoQuery(trino.endpoint, `CALL system.sync_partition_metadata('lakeline', '${t.name}', 'FULL')`);
  // The same files as a local lake
  lake = path.join(work, "lake");
  await downloadPrefix(d.s3, d.buckets.Warehouse, "", path.join(lake, "warehouse"));
  await downloadPrefix(d.s3, d.buckets.Quarantine, "", path.join(lake, "quarantine"));
}, 900_000);

afterAll(async () => {
  await athena?.stop();
  await trino?.stop();
  d?.close();
});

async function localQuery(sql: string, ...args: string[]): Promise<Record<string, unknown>[]> {
  const r = await runCli(
    "query",
    sql,
    ...args,
    "--lake",
    lake,
    "--schemas",
    path.join(ROOT, "schemas"),
    "--format",
    "json",
  );
  if (r.code !== 0) throw new Error(`local query failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** `lakeline query --engine athena … --format json <args>`, its Athena client pointed at the Athena API in front of Trino. */
async function athenaQuery(...args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> {
  const env = {
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await runCli(
      "query",
      "--engine",
      "athena",
      "--workgroup",
      "LakelineData-workgroup",
      "--database",
      "lakeline",
      "--region",
      AWS_REGION,
      "--schemas",
      path.join(ROOT, "schemas"),
      "--format",
      "json",
      ...args,
    );
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Values as text, so engines' number types (bigint, double) compare equal. */
const plain = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));

describe("<dataset>_runs", () => {
  it("has one row per commit marker, with each field as the marker has it, pretty-printed ones included", async () => {
    // Act
    const rows = await rowsOf(
      "SELECT runid, status, dataset, environment, ingestedat, rawkey, sourcemd5, rowswritten, outputs.warehouse AS warehouse FROM penguins_runs",
    );
    // Assess
    const raw = await getText(d.s3, d.buckets.Warehouse, `_runs/penguins/${pretty.runId}.json`);
    expect(raw.split("\n").length).toBeGreaterThan(20);
    const expected = markers.map((m) => ({
      runid: m.runId,
      status: m.status,
      dataset: m.dataset,
      environment: m.environment,
      ingestedat: m.ingestedAt,
      rawkey: m.rawKey,
      sourcemd5: m.sourceMd5,
      rowswritten: m.rowsWritten,
      warehouse: m.outputs.warehouse,
    }));
    const byRun = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.runid).localeCompare(String(b.runid));
    expect(rows.sort(byRun)).toEqual(expected.sort(byRun));
  });
});

describe("<dataset>_committed and <dataset>_history", () => {
  it("committed holds each source blob's latest processing, history every committed one, as the local views do", async () => {
    // Prepare: what the markers say
    const ok = markers.filter((m) => m.status === "ok");
    const latest = latestProcessings(ok);
    const sum = (ms: IngestResult[]) => ms.reduce((n, m) => n + m.rowsWritten, 0);
    const perRun = "SELECT _run_id, count(*) AS n FROM %s GROUP BY 1 ORDER BY 1";
    // Act
    const committed = await rowsOf(perRun.replace("%s", "penguins_committed"));
    const history = await rowsOf(perRun.replace("%s", "penguins_history"));
    const table = await rowsOf("SELECT count(*) AS n FROM penguins");
    const localCurrent = await localQuery(perRun.replace("%s", "penguins"));
    const localHistory = await localQuery(perRun.replace("%s", "penguins_history"));
    // Assess: the first upload's blob was processed twice; only its re-processing is current
    expect(ok).toHaveLength(4);
    expect(latest).toHaveLength(3);
    expect(latest.some((m) => m.rawKey === KEYS[0] && m.reprocess)).toBe(true);
    expect(committed.map((r) => r._run_id)).toEqual(latest.map((m) => m.runId).sort());
    expect(committed.reduce((n, r) => n + Number(r.n), 0)).toBe(sum(latest));
    expect(history.map((r) => r._run_id)).toEqual(ok.map((m) => m.runId).sort());
    expect(history.reduce((n, r) => n + Number(r.n), 0)).toBe(sum(ok));
    expect(Number(table[0]!.n)).toBe(sum(ok));
    expect(plain(committed)).toEqual(plain(localCurrent));
    expect(plain(history)).toEqual(plain(localHistory));
  });
});

/** The statements of the README block after the `athena-statements` marker. */
function readmeStatements(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- athena-statements:");
  if (at < 0) throw new Error("README.md has no <!-- athena-statements: … --> marker");
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? "";
  return block
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const m = /^npx lakeline query --engine athena --workgroup \S+ --database \S+ "(.+)"$/.exec(l);
      if (!m) throw new Error(`README athena statement not in the documented form: ${l}`);
      return m[1]!;
    });
}

describe("the README's lakeline query --engine athena statements", () => {
  const statements = readmeStatements();

  it("are documented", () => {
    expect(statements.length).toBeGreaterThanOrEqual(3);
  });

  it.each(statements)("%s: answers on Athena (Trino) as the local lake does", async (sql) => {
    // Act
    const onAthena = await athenaQuery(sql);
    const local = await localQuery(sql.replaceAll("penguins_committed", "penguins"));
    // Assess
    expect(onAthena.code, onAthena.stderr).toBe(0);
    expect(athena.statements).toContain(sql);
    const rows = JSON.parse(onAthena.stdout) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(plain(rows)).toEqual(plain(local));
  });
});

describe("lakeline query --engine athena --as-of", () => {
  const perRun = "SELECT _run_id, count(*) AS n FROM %s GROUP BY 1 ORDER BY 1";
  const rowsOrThrow = (r: Awaited<ReturnType<typeof runCli>>) => {
    if (r.code !== 0) throw new Error(`athena query failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>[];
  };

  it("reads the lake as the local --as-of does, between the uploads and the re-processing", async () => {
    // Prepare: an instant after the three uploads' runs and before the re-processing's
    const reprocessing = markers.find((m) => m.reprocess)!;
    const uploads = markers.filter((m) => !m.reprocess);
    const before = Math.max(...uploads.map((m) => Date.parse(m.ingestedAt)));
    const after = Date.parse(reprocessing.ingestedAt);
    expect(after - before).toBeGreaterThanOrEqual(2);
    const asOf = new Date(before + Math.floor((after - before) / 2)).toISOString();
    // Act
    const committed = rowsOrThrow(
      await athenaQuery("--as-of", asOf, perRun.replace("%s", "penguins_committed")),
    );
    const table = rowsOrThrow(await athenaQuery("--as-of", asOf, perRun.replace("%s", "penguins")));
    const history = rowsOrThrow(await athenaQuery("--as-of", asOf, perRun.replace("%s", "penguins_history")));
    const naive = await rowsOf(
      `${perRun.replace("%s", "penguins_committed").replace(" GROUP", ` WHERE _ingested_at <= from_iso8601_timestamp('${asOf}') GROUP`)}`,
    );
    const localCurrent = await localQuery(perRun.replace("%s", "penguins"), "--as-of", asOf);
    const localHistory = await localQuery(perRun.replace("%s", "penguins_history"), "--as-of", asOf);
    // Assess: the three uploads' runs, the first blob once and by its first processing
    expect(committed.map((r) => r._run_id)).toEqual(uploads.map((m) => m.runId).sort());
    expect(plain(committed)).toEqual(plain(localCurrent));
    expect(plain(table)).toEqual(plain(localCurrent));
    expect(plain(history)).toEqual(plain(localHistory));
    expect(athena.statements.some((s) => s.startsWith(`WITH "penguins_committed" AS (`))).toBe(true);
    // The README's plain-SQL form of it, at this instant, gives the same
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const documented = /\*\*As of an instant\.\*\*[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(documented).toBeDefined();
    const byHand = await rowsOf(documented!.replaceAll("2026-11-24T12:00:00.000Z", asOf));
    const localSpecies = await localQuery(
      "SELECT species, count(*) AS n FROM penguins GROUP BY 1 ORDER BY 1",
      "--as-of",
      asOf,
    );
    expect(plain(byHand)).toEqual(plain(localSpecies));
    // …which filtering the current state by _ingested_at does not give: the first blob is missing
    expect(naive.map((r) => r._run_id)).not.toContain(uploads.find((m) => m.rawKey === KEYS[0])!.runId);
    expect(naive.length).toBe(committed.length - 1);
  });

  it("reads history once per processing as of an instant after the re-processing", async () => {
    // Prepare
    const asOf = new Date(Math.max(...markers.map((m) => Date.parse(m.ingestedAt))) + 1000).toISOString();
    const sql =
      "SELECT _source_key, count(DISTINCT _run_id) AS processings, count(*) AS n FROM penguins_history GROUP BY 1 ORDER BY 1";
    // Act
    const onAthena = rowsOrThrow(await athenaQuery("--as-of", asOf, sql));
    const local = await localQuery(sql, "--as-of", asOf);
    const current = rowsOrThrow(await athenaQuery("--as-of", asOf, perRun.replace("%s", "penguins")));
    // Assess
    expect(plain(onAthena)).toEqual(plain(local));
    expect(Number(onAthena.find((r) => String(r._source_key).endsWith("first.json"))?.processings)).toBe(2);
    expect(plain(current)).toEqual(
      plain(await localQuery(perRun.replace("%s", "penguins"), "--as-of", asOf)),
    );
  });
});
