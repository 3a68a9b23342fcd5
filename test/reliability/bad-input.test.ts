/**
 * Nothing lost on bad input: every corpus blob goes through `lakeline ingest` (or the handler, when
 * the case needs small read limits) on its own lake. Each row read ends in the warehouse or in
 * quarantine with a reason naming its line or value, or the blob is rejected whole with the reason
 * recorded; the raw blob is never altered; the CLI never prints a stack trace.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { objectCreatedEvent } from "../../functions/shared/s3-event.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { DEFAULT_LIMITS } from "../../src/adapters/duckdb/reader.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { IngestResult } from "../../src/contract/records.js";
import { runCli } from "../support/cli.js";
import { type BadCase, CORPUS, ITEMS_SCHEMA, type Row } from "./corpus.js";
import {
  lineageEventTypes,
  listKeys,
  md5OfFile,
  queryLake,
  STACK_FRAME,
  tempLake,
  writeSchema,
} from "./support.js";

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

async function corpusLake(label: string, extra: BadCase["schemaFiles"] = []) {
  const config = await tempLake(label);
  roots.push(config.root);
  await writeSchema(config.schemasDir, "items", 1, ITEMS_SCHEMA);
  for (const [dataset, name, text] of extra) {
    await fs.mkdir(path.join(config.schemasDir, dataset), { recursive: true });
    await fs.writeFile(path.join(config.schemasDir, dataset, name), text);
  }
  return { config, zones: localLakeStores(config.lakeDir) };
}

async function parquetRows(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await Database.open({ threads: 1 });
  try {
    return await db.all(sql.replace("$file", `read_parquet('${file.replaceAll("'", "''")}')`));
  } finally {
    db.close();
  }
}

async function ingestCase(
  c: BadCase,
  config: { root: string; lakeDir: string; schemasDir: string },
  source: string,
) {
  const dataset = c.dataset ?? "items";
  if (c.limits) {
    const deps = localIngestDeps(config, { limits: { ...DEFAULT_LIMITS, ...c.limits } });
    const key = await uploadRaw(deps.stores.raw, source, dataset, "training");
    const response = await localIngestInvoker(deps)(await notificationFor(deps.stores.raw, key));
    return { code: 0, err: "", result: response.results[0]! };
  }
  const run = await runCli(
    "ingest",
    source,
    "--dataset",
    dataset,
    "--lake",
    config.lakeDir,
    "--schemas",
    config.schemasDir,
    "--json",
  );
  const lines = run.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return { code: run.code, err: run.stderr, result: JSON.parse(lines[0]!) as IngestResult };
}

describe.each(CORPUS)("bad input: $name", (c) => {
  it("is accounted for row by row, or rejected whole with its reason; the raw blob is untouched", async () => {
    // Prepare
    const { config, zones } = await corpusLake(c.file.replace(/\W/g, "-"), c.schemaFiles);
    const source = path.join(config.root, "in", c.file);
    await fs.mkdir(path.dirname(source), { recursive: true });
    const bytes = c.bytes();
    await fs.writeFile(source, bytes);
    const sourceMd5 = await md5OfFile(source);

    // Act
    const { code, err, result } = await ingestCase(c, config, source);

    // Assess: no crash, no stack trace, counts add up
    expect(err).not.toMatch(STACK_FRAME);
    expect(err).toBe("");
    expect(result.status).toBe(c.expect.status);
    expect(result.rowsRead).toBe(result.rowsWritten + result.rowsQuarantined);
    expect(await md5OfFile(source)).toBe(sourceMd5);
    expect(await md5OfFile(zones.raw.localPath(result.rawKey))).toBe(sourceMd5);
    expect(result.sourceMd5).toBe(sourceMd5);
    expect(await lineageEventTypes(zones.lineage, `ingest.${result.dataset}`, result.runId)).toEqual([
      "COMPLETE",
      "START",
    ]);
    expect(await listKeys(zones.failed)).toEqual([]);

    if (c.expect.status === "rejected") {
      expect(code).toBe(c.limits ? 0 : 2);
      expect(result.reason).toMatch(c.expect.reason);
      const dir = result.outputs.rejected!;
      const reason = JSON.parse(
        Buffer.from(await zones.quarantine.get(`${dir}reason.json`)).toString("utf8"),
      );
      expect(reason.reason).toMatch(c.expect.reason);
      expect(reason).toMatchObject({ rawKey: result.rawKey, sourceMd5, runId: result.runId });
      expect(await md5OfFile(zones.quarantine.localPath(`${dir}${c.file}`))).toBe(sourceMd5);
      expect(await listKeys(zones.warehouse, `${result.dataset}/`)).toEqual([]);
      return;
    }
    const e = c.expect;
    // The exit status says whether any ERROR anomaly was raised (quarantined rows are one).
    const errors = (result.anomalies ?? []).some((a) => a.severity === "ERROR");
    expect(code).toBe(c.limits ? 0 : errors ? 1 : 0);
    if (result.rowsQuarantined > 0) expect(errors).toBe(true);
    expect([result.rowsRead, result.rowsWritten]).toEqual([e.rowsRead, e.rowsWritten]);
    if (result.rowsQuarantined > 0) {
      const quarantined = await parquetRows(
        zones.quarantine.localPath(result.outputs.quarantine!),
        "SELECT _reasons, _source_row, _record FROM $file",
      );
      expect(quarantined).toHaveLength(result.rowsQuarantined);
      const reasons = quarantined.flatMap((q) => q._reasons as string[]);
      for (const q of quarantined) {
        expect((q._reasons as string[]).length).toBeGreaterThan(0);
        // Where the record sits in the file: its ordinal, malformed records included.
        expect(Number(q._source_row)).toBeGreaterThan(0);
        // A malformed record has one reason; its ordinal is DuckDB's line, minus the header for CSV.
        const malformed = (q._reasons as string[]).filter((r) => r.startsWith("RECORD_MALFORMED"));
        if (malformed.length > 0) expect(q._reasons as string[]).toHaveLength(1);
        const line = /^RECORD_MALFORMED line (\d+)/.exec(malformed[0] ?? "")?.[1];
        if (line && c.file.endsWith(".csv")) expect(Number(q._source_row)).toBe(Number(line) - 1);
        if (line && c.file.endsWith(".jsonl")) expect(Number(q._source_row)).toBe(Number(line));
      }
      for (const pattern of e.quarantine ?? [])
        expect(
          reasons.some((r) => pattern.test(r)),
          `${pattern} in ${JSON.stringify(reasons)}`,
        ).toBe(true);
      for (const r of reasons)
        expect(
          (e.quarantine ?? []).some((p) => p.test(r)),
          `unexpected reason ${r}`,
        ).toBe(true);
    } else {
      expect(e.quarantine ?? []).toEqual([]);
    }
    if (result.rowsWritten > 0) {
      const [count] = await queryLake(config, `SELECT count(*) AS n FROM ${result.dataset}`);
      expect(Number(count!.n)).toBe(result.rowsWritten);
    }
    if (e.rows) {
      const rows = await parquetRows(
        zones.warehouse.localPath(result.outputs.warehouse!),
        "SELECT id, name, score, note FROM $file ORDER BY id",
      );
      expect(rows.map((r) => ({ ...r, id: Number(r.id) })) as Row[]).toEqual(e.rows);
    }
    if (e.anomaly) expect(result.anomalies).toContainEqual(expect.objectContaining(e.anomaly));
    if (e.check === "huge-field") {
      const [row] = await parquetRows(
        zones.warehouse.localPath(result.outputs.warehouse!),
        "SELECT length(name) AS n FROM $file WHERE id = 1",
      );
      expect(Number(row!.n)).toBe(5 * 1024 * 1024);
    }
  });
});

describe("bad input: names that could escape the lake", () => {
  it.each(["../etc", "/etc", "Penguins", "a/b"])(
    "lakeline ingest --dataset %j is refused with a usage error and nothing is uploaded",
    async (dataset) => {
      // Prepare
      const { config, zones } = await corpusLake("name");
      const source = path.join(config.root, "x.csv");
      await fs.writeFile(source, "id\n1\n");

      // Act
      const run = await runCli(
        "ingest",
        source,
        "--dataset",
        dataset,
        "--lake",
        config.lakeDir,
        "--schemas",
        config.schemasDir,
      );

      // Assess
      expect(run.code).toBe(64);
      expect(run.stderr).toBe(
        `lakeline: invalid dataset name ${JSON.stringify(dataset)}: use lowercase letters, digits and _ (starting with a letter, at most 63)\n`,
      );
      expect(await listKeys(zones.raw)).toEqual([]);
    },
  );

  it.each([
    ["items/training/../../etc/passwd", /'\.\.' segments are not allowed/],
    ["/etc/passwd", /absolute paths are not keys/],
    ["items/training/a\\b.csv", /backslashes are not allowed/],
  ])(
    "an S3 event for key %j is rejected with the reason recorded, once, however often it is delivered",
    async (key, why) => {
      // Prepare
      const { config, zones } = await corpusLake("key");
      const deps = localIngestDeps(config);
      const invoke = localIngestInvoker(deps);
      const event = objectCreatedEvent({
        bucket: deps.stores.raw.bucket,
        key,
        size: 11,
        etag: "0123456789abcdef",
      });

      // Act
      const first = (await invoke(event)).results[0]!;
      const again = (await invoke(event)).results[0]!;

      // Assess
      expect(first.status).toBe("rejected");
      expect(first.reason).toMatch(why);
      expect(first.reason).toContain(JSON.stringify(key));
      expect(again).toEqual(first);
      const recorded = await listKeys(zones.quarantine);
      expect(recorded).toEqual([`_invalid/_rejected/${first.runId}/reason.json`]);
      const reason = JSON.parse(Buffer.from(await zones.quarantine.get(recorded[0]!)).toString("utf8"));
      expect(reason).toMatchObject({ rawKey: key, status: "rejected", ref: { key } });
      expect(await listKeys(zones.warehouse, "_runs/")).toEqual([`_runs/_invalid/${first.runId}.json`]);
    },
  );
});

describe("bad input: the whole corpus in one lakeline ingest", () => {
  it("reports one line per file, exit status 2 (some rejected), no run failed, no stack trace", async () => {
    // Prepare
    const cases = CORPUS.filter((c) => !c.limits && !c.dataset);
    const { config } = await corpusLake("all");
    const dir = path.join(config.root, "in");
    await fs.mkdir(dir);
    const files = await Promise.all(
      cases.map(async (c) => {
        const f = path.join(dir, c.file);
        await fs.writeFile(f, c.bytes());
        return f;
      }),
    );

    // Act
    const run = await runCli(
      "ingest",
      ...files,
      "--dataset",
      "items",
      "--concurrency",
      "4",
      "--lake",
      config.lakeDir,
      "--schemas",
      config.schemasDir,
      "--json",
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("");
    const results = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as IngestResult & { file: string });
    expect(results.map((r) => path.basename(r.file))).toEqual(cases.map((c) => c.file));
    expect(results.map((r) => r.status)).toEqual(cases.map((c) => c.expect.status));
    const written = results.reduce((n, r) => n + r.rowsWritten, 0);
    const [count] = await queryLake(config, "SELECT count(*) AS n FROM items");
    expect(Number(count!.n)).toBe(written);
    const [quarantined] = await queryLake(config, "SELECT count(*) AS n FROM items_quarantine");
    expect(Number(quarantined!.n)).toBe(
      results.reduce((n, r) => n + (r.status === "ok" ? r.rowsQuarantined : 0), 0),
    );
  });
});
