/**
 * The run index as a user meets it: vega-datasets' stocks ingested in twenty uploads through the
 * CLI; `query` and `export` see every committed run after each upload, the index gets compacted on
 * the way, and a crash that lost an index entry and tore the newest segment loses no run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runIndexAppendKey, runIndexCompactPrefix } from "../../src/contract/keys.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { exportJson, ingest } from "./export-support.js";

const UPLOADS = 20;
const [HEADER, ...ROWS] = fs.readFileSync(path.join(VEGA, "stocks.csv"), "utf8").trim().split("\n");
const PER_FILE = Math.ceil(ROWS.length / UPLOADS);

describe("the run index across twenty uploads of stocks", () => {
  let dir: string;
  let lake: string;
  const runIds: string[] = [];
  const counts: { runs: number; rows: number }[] = [];
  const query = async (sql: string) => {
    const r = await runCli("query", sql, "--lake", lake, "--format", "json");
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as Record<string, number>[];
  };
  const counted = async () =>
    (
      await query(
        "SELECT (SELECT count(*) FROM lakeline_runs) AS runs, (SELECT count(*) FROM stocks) AS rows",
      )
    )[0]!;
  const indexFolder = () => path.join(lake, "warehouse", runIndexCompactPrefix("stocks"));

  beforeAll(async () => {
    // Prepare: twenty uploads, the runs and rows seen after every fourth.
    dir = await tempDir("run-index");
    lake = path.join(dir, "lake");
    for (let i = 0; i < UPLOADS; i++) {
      const file = path.join(dir, `stocks-${String(i).padStart(2, "0")}.csv`);
      fs.writeFileSync(file, `${[HEADER, ...ROWS.slice(i * PER_FILE, (i + 1) * PER_FILE)].join("\n")}\n`);
      runIds.push((await ingest(lake, file, "stocks")).runId);
      if (i % 4 === 3) counts.push((await counted()) as { runs: number; rows: number });
    }
  }, 120_000);

  it("shows every committed run and row after each upload", () => {
    expect(counts).toEqual(
      [4, 8, 12, 16, 20].map((runs) => ({ runs, rows: Math.min(runs * PER_FILE, ROWS.length) })),
    );
  });

  it("compacts the entries into a segment holding every run", () => {
    const segments = fs.readdirSync(indexFolder()).sort();
    const lines = fs.readFileSync(path.join(indexFolder(), segments[0]!), "utf8").trim().split("\n");
    const header = JSON.parse(lines[0]!);

    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(header).toMatchObject({ dataset: "stocks", kind: "full" });
    expect(lines.slice(1).map((l) => JSON.parse(l).runId)).toEqual(runIds.slice(0, header.entries).sort());
  });

  it("loses no run when an index entry was lost and the newest segment torn, and heals the index", async () => {
    // Prepare: the last run's entry never written, a segment cut short by a crash.
    const lost = path.join(lake, "warehouse", runIndexAppendKey("stocks", runIds[UPLOADS - 1]!));
    fs.rmSync(lost);
    const generation = fs.readdirSync(indexFolder()).length + 1;
    const torn = path.join(indexFolder(), `${String(generation).padStart(10, "0")}.jsonl`);
    fs.writeFileSync(
      torn,
      `{"runIndex":1,"dataset":"stocks","generation":${generation},"kind":"full","entries":${UPLOADS}}\n{"ru`,
    );

    // Act
    const after = await counted();
    const history = await query("SELECT list(runId ORDER BY runId) AS ids FROM lakeline_runs");
    const exported = await exportJson("stocks", "--lake", lake);

    // Assess
    expect(after).toEqual({ runs: UPLOADS, rows: ROWS.length });
    expect(history[0]!.ids).toEqual([...runIds].sort());
    expect({ sources: exported.sources, rows: exported.totalRows }).toEqual({
      sources: UPLOADS,
      rows: ROWS.length,
    });
    expect(fs.existsSync(lost)).toBe(true);
  });

  it("lists each run once in lakeline_runs with the marker's counts", async () => {
    const rows = await query(
      "SELECT count(DISTINCT runId) AS distinct_runs, sum(rowsWritten) AS written, count(*) FILTER (WHERE status = 'ok') AS ok FROM lakeline_runs",
    );

    expect(rows).toEqual([{ distinct_runs: UPLOADS, written: ROWS.length, ok: UPLOADS }]);
  });
});
