/**
 * Warehouse compaction as a user meets it: forty small uploads of vega-datasets' flights, then one
 * more `lakeline ingest` that compacts them. Every read (the table, its history, --as-of, an export,
 * a re-processing, a newer schema version) is compared with the same lake never compacted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { localCompactionDeps } from "../../cli/deps/compact.js";
import { localConfig } from "../../src/contract/env.js";
import { COMPACTED_PREFIX, compactionRecordPrefix } from "../../src/contract/keys.js";
import { MERGE_FAN_IN } from "../../src/core/warehouse/compaction.js";
import { compactDataset, runFilesOf } from "../../src/pipeline/compaction/compact.js";
import { md5File } from "../../src/pipeline/shared/hash-files.js";
import { readMarkers } from "../../src/pipeline/shared/markers.js";
import { runCli } from "../support/cli.js";
import { runEventErrors } from "../support/openlineage-validator.js";
import {
  addSchemaVersion,
  type BaseLake,
  buildBaseLake,
  compactByHand,
  compactedFiles,
  copyLake,
  onLake,
  queryRows,
  ROWS_PER_UPLOAD,
  records,
  TOTALS,
  UPLOADS,
  viewSql,
  withCompact,
} from "./compaction-support.js";
import { exportJson } from "./export-support.js";

describe("compaction of forty small uploads of flights", () => {
  let base: BaseLake;
  let lake: string;
  let compacting: { stdout: string; code: number };
  let exportedBefore: Awaited<ReturnType<typeof exportJson>>;
  let asOf: string;
  const crash = { orphan: "", race: "", missing: "", tiers: "" };
  const ALL = (UPLOADS + 1) * ROWS_PER_UPLOAD;

  beforeAll(async () => {
    // Prepare: the reference lake, an export of it, then copies; one more upload into each
    base = await buildBaseLake();
    asOf = new Date().toISOString();
    exportedBefore = await exportJson(
      "flights",
      "--lake",
      base.lake,
      "--schemas",
      base.schemas,
      "--as-of",
      asOf,
    );
    lake = copyLake(base, "compacted");
    for (const name of Object.keys(crash) as (keyof typeof crash)[]) crash[name] = copyLake(base, name);
    const ingestExtra = (into: string) => onLake(base, into, "ingest", base.extra, "--dataset", "flights");
    await withCompact("off", () => ingestExtra(base.lake));
    compacting = await withCompact("on", () => ingestExtra(lake));
  }, 60_000);

  it("compacts after the ingest command: one file, its record, nothing left to do", async () => {
    // Assess
    expect(compacting.code).toBe(0);
    expect(compacting.stdout).toMatch(
      new RegExp(
        `compacted ${UPLOADS + 1} runs of flights into 1 file \\(ingest_date=\\d{4}-\\d{2}-\\d{2}\\), 1,025 rows`,
      ),
    );
    const [record] = records(lake);
    expect(records(lake)).toHaveLength(1);
    expect(compactedFiles(lake)).toHaveLength(1);
    expect(record).toMatchObject({ dataset: "flights", level: 1, schemaVersion: 1, rows: ALL });
    expect(record!.runs).toHaveLength(UPLOADS + 1);
    expect(await md5File(path.join(lake, "warehouse", record!.key))).toEqual({
      md5: record!.md5,
      size: record!.size,
    });
    const again = await runCli("compact", "--lake", lake, "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).datasets).toEqual([
      { dataset: "flights", dryRun: false, files: [], invalid: [] },
    ]);
    const dry = await runCli("compact", "flights", "--lake", base.lake, "--dry-run");
    expect(dry.stdout).toMatch(/^would compact 41 runs of flights into 1 file .*, 1,025 rows$/m);
    expect(compactedFiles(base.lake)).toEqual([]);
    expect((await runCli("compact", "Not-A-Dataset", "--lake", lake)).code).toBe(64);
  });

  it("records the compaction in the lineage: valid RunEvents, and the raw blobs upstream of the file", async () => {
    const [record] = records(lake);
    const events = path.join(lake, "lineage", "openlineage", "compact.flights", record!.id.slice(-36));
    const stored = fs.readdirSync(events).sort();
    const up = await runCli("lineage", record!.key, "--lake", lake, "--direction", "up", "--depth", "3");

    expect(stored).toEqual(["COMPLETE.json", "START.json"]);
    for (const f of stored)
      expect(runEventErrors(JSON.parse(fs.readFileSync(path.join(events, f), "utf8")))).toEqual([]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("Compact compact.flights (COMPLETE)");
    // The other uploads were ingested into the reference lake, whose lineage names its own path.
    expect(up.stdout).toContain(`/compacted/raw/flights/training/flights-${UPLOADS}.jsonl [RawBlob]`);
  });

  it("reads the table and its history from the compacted file, with the rows of the uncompacted lake", async () => {
    for (const table of ["flights", "flights_history"]) {
      const compacted = await queryRows(base, lake, TOTALS(table));
      const reference = await queryRows(base, base.lake, TOTALS(table));

      expect(compacted).toEqual(reference);
      expect(compacted.rows[0]).toMatchObject({ n: ALL, runs: UPLOADS + 1, sourced: ALL });
    }
    const sql = await viewSql(base, lake, "flights");
    expect(sql).toContain(`/${COMPACTED_PREFIX}flights/`);
    expect(sql).not.toMatch(/\/warehouse\/flights\/ingest_date=/);
  });

  it("reads --as-of between runs as the uncompacted lake does", async () => {
    const { rows } = await queryRows(
      base,
      base.lake,
      "SELECT ingestedAt FROM lakeline_runs ORDER BY ingestedAt",
    );
    const between = new Date(rows[19]!.ingestedAt as string).toISOString();

    const compacted = await queryRows(base, lake, TOTALS("flights"), "--as-of", between);
    const reference = await queryRows(base, base.lake, TOTALS("flights"), "--as-of", between);

    expect(compacted).toEqual(reference);
    expect(compacted.rows[0]!.runs).toBe(20);
  });

  it("recognises an export made before compaction as the same export", async () => {
    const after = await exportJson("flights", "--lake", lake, "--schemas", base.schemas, "--as-of", asOf);

    expect(exportedBefore.status).toBe("exported");
    expect(after).toMatchObject({
      status: "unchanged",
      version: exportedBefore.version,
      runId: exportedBefore.runId,
      totalRows: UPLOADS * ROWS_PER_UPLOAD,
    });
  });

  it("reads a run committed after compaction from its own file, in one scan with the compacted file", async () => {
    // Prepare: one more upload (other flights), far below the threshold
    const later = base.piece(60);

    // Act: compaction on for the compacted lake (nothing due), off for the reference
    for (const [into, mode] of [
      [lake, "on"],
      [base.lake, "off"],
    ] as const) {
      const r = await withCompact(mode, () => onLake(base, into, "ingest", later, "--dataset", "flights"));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain("compacted");
    }

    // Assess
    const compacted = await queryRows(base, lake, TOTALS("flights"));
    expect(compacted).toEqual(await queryRows(base, base.lake, TOTALS("flights")));
    expect(compacted.rows[0]).toMatchObject({ n: ALL + ROWS_PER_UPLOAD, runs: UPLOADS + 2 });
    expect(await viewSql(base, lake, "flights")).toMatch(
      new RegExp(
        `read_parquet\\(main\\.list_value\\('[^)]*/${COMPACTED_PREFIX}flights/[^)]*', '[^)]*/warehouse/flights/ingest_date=`,
      ),
    );
  });

  it("counts a re-processed blob of the compacted file once in the table, twice in the history", async () => {
    // Act
    for (const into of [lake, base.lake]) {
      // The reference lake stays uncompacted (re-processing compacts what is due, as ingest does).
      const r = await withCompact(into === lake ? "on" : "off", () =>
        onLake(base, into, "reprocess", "flights", "--key", "flights/training/flights-05.jsonl"),
      );
      expect(r.code, r.stderr).toBe(0);
    }

    // Assess
    for (const [table, n] of [
      ["flights", ALL + ROWS_PER_UPLOAD],
      ["flights_history", ALL + 2 * ROWS_PER_UPLOAD],
    ] as const) {
      const compacted = await queryRows(base, lake, TOTALS(table));
      expect(compacted).toEqual(await queryRows(base, base.lake, TOTALS(table)));
      expect(compacted.rows[0]!.n).toBe(n);
    }
    expect(await viewSql(base, lake, "flights")).toMatch(/_run_id NOT IN \('[0-9a-f-]{36}'\)/);
  });

  it("reads the compacted rows of v1 with the default of a column v2 added", async () => {
    // Prepare: v2 adds a column with a default; one upload under it
    addSchemaVersion(base, { name: "cancelled", type: "BOOL", default: false });
    const file = path.join(base.root, "flights-v2.jsonl");
    const rows = fs.readFileSync(base.uploads[0]!, "utf8").trim().split("\n");
    fs.writeFileSync(
      file,
      rows.map((l) => JSON.stringify({ ...JSON.parse(l), cancelled: true, delay: 1 })).join("\n"),
    );

    // Act
    const r = await onLake(base, lake, "ingest", file, "--dataset", "flights");
    const { rows: byVersion } = await queryRows(
      base,
      lake,
      "SELECT _schema_version AS v, count(*) AS n, count(*) FILTER (WHERE NOT cancelled) AS defaulted FROM flights GROUP BY 1 ORDER BY 1",
    );

    // Assess
    expect(r.code, r.stdout).toBe(0);
    expect(byVersion).toEqual([
      { v: 1, n: ALL + ROWS_PER_UPLOAD, defaulted: ALL + ROWS_PER_UPLOAD },
      { v: 2, n: ROWS_PER_UPLOAD, defaulted: 0 },
    ]);
  });

  it("compacts after re-processing every blob: the new runs read from a compacted file", async () => {
    // Prepare: a copy of the uncompacted reference; its table before
    const into = copyLake(base, "reprocessed");
    const before = await queryRows(base, into, TOTALS("flights"));
    const history = await queryRows(base, into, TOTALS("flights_history"));

    // Act
    const r = await withCompact("on", () => onLake(base, into, "reprocess", "flights", "--all", "--json"));

    // Assess: stdout stays one JSON object per blob; the compaction is said on stderr
    expect(r.code, r.stderr).toBe(0);
    const blobs = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(new Set(blobs.map((b) => b.rawKey)).size).toBe(blobs.length);
    expect(blobs.length).toBeGreaterThan(UPLOADS);
    expect(r.stderr).toMatch(
      /^compacted \d+ runs of flights into \d files? \(ingest_date=[-0-9]+\), [0-9,]+ rows$/m,
    );
    const compacted = new Set(records(into).flatMap((c) => c.runs.map((x) => x.runId)));
    expect(blobs.filter((b) => !compacted.has(b.runId))).toEqual([]);
    expect((await runCli("compact", "flights", "--lake", into, "--dry-run")).stdout).toBe(
      "flights: nothing to compact\n",
    );
    // Read from the compacted files: the same rows, each blob once in the table, twice in the history
    const { runs: _before, sourced: _b, ...same } = before.rows[0]!;
    expect((await queryRows(base, into, TOTALS("flights"))).rows[0]).toMatchObject(same);
    const after = await queryRows(base, into, TOTALS("flights_history"));
    const written = blobs.reduce((n, b) => n + b.rowsWritten, 0);
    expect(after.rows[0]!.n).toBe(Number(history.rows[0]!.n) + written);
    expect(written).toBe(Number(before.rows[0]!.n));
  });

  describe("crash safety", () => {
    it("ignores a compacted file whose record was never written, and compacts again", async () => {
      // Prepare: a compaction whose record is then lost (a crash between the file and the record)
      const before = await queryRows(base, crash.orphan, TOTALS("flights_history"));
      expect((await runCli("compact", "--lake", crash.orphan)).code).toBe(0);
      const dir = path.join(crash.orphan, "warehouse", compactionRecordPrefix("flights"));
      for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));

      // Act
      const orphaned = await queryRows(base, crash.orphan, TOTALS("flights_history"));
      const again = JSON.parse((await runCli("compact", "--lake", crash.orphan, "--json")).stdout);

      // Assess
      expect(orphaned).toEqual(before);
      expect(again.datasets[0].files).toHaveLength(1);
      expect(compactedFiles(crash.orphan)).toHaveLength(2);
      expect(await queryRows(base, crash.orphan, TOTALS("flights_history"))).toEqual(before);
    });

    it("reads each run once when two compactions raced over the same runs", async () => {
      // Act: two compactions at once (two ingest processes finishing together)
      const before = await queryRows(base, crash.race, TOTALS("flights"));
      const deps = localCompactionDeps(localConfig({ lake: crash.race, schemas: base.schemas }));
      await Promise.all([compactDataset(deps, "flights"), compactDataset(deps, "flights")]);

      // Assess
      expect(records(crash.race)).toHaveLength(2);
      expect(await queryRows(base, crash.race, TOTALS("flights"))).toEqual(before);
      const sql = await viewSql(base, crash.race, "flights");
      expect(sql.split(`/${COMPACTED_PREFIX}flights/`)).toHaveLength(2);
    });

    it("merges eight compacted files into one of the next level, taking each run once", async () => {
      // Prepare: eight level-1 files of five runs each, the first also holding three of the second's (a race)
      const before = await queryRows(base, crash.tiers, TOTALS("flights_history"));
      const deps = localCompactionDeps(localConfig({ lake: crash.tiers, schemas: base.schemas }));
      const runs = runFilesOf(await readMarkers(deps.warehouse, "flights"));
      for (let i = 0; i < MERGE_FAN_IN; i++)
        await compactByHand(deps, runs.slice(i * 5, i * 5 + 5 + (i === 0 ? 3 : 0)));

      // Act
      const outcome = await compactDataset(deps, "flights");

      // Assess: one level-2 file of every run, the only compacted file read
      expect(outcome.files).toEqual([
        expect.objectContaining({
          level: 2,
          runs: UPLOADS,
          rows: UPLOADS * ROWS_PER_UPLOAD,
          inputs: MERGE_FAN_IN,
        }),
      ]);
      expect(await queryRows(base, crash.tiers, TOTALS("flights_history"))).toEqual(before);
      const sql = await viewSql(base, crash.tiers, "flights");
      expect(sql.split(`/${COMPACTED_PREFIX}flights/`)).toHaveLength(2);
      expect(sql).toContain("-L2-");
    });

    it("reads the runs of a record whose file is missing from their own files, and says so", async () => {
      // Prepare
      const before = await queryRows(base, crash.missing, TOTALS("flights"));
      expect((await runCli("compact", "flights", "--lake", crash.missing)).code).toBe(0);
      fs.rmSync(path.join(crash.missing, "warehouse", records(crash.missing)[0]!.key));

      // Act
      const after = await queryRows(base, crash.missing, TOTALS("flights"));

      // Assess
      expect(after.rows).toEqual(before.rows);
      expect(after.stderr).toMatch(
        /compaction record .* set aside \(its file .* is missing\): its runs are read from their own files/,
      );
    });
  });
});
