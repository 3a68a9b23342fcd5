/**
 * The export's statements in both dialects, as golden files: test/core/export/golden/<dialect>/*.sql
 * hold exactly what the writers send (Athena: counts, one UNLOAD per split; DuckDB: the ordered
 * snapshot table, its ranges, one COPY per part), formatted one clause per line.
 * After an intended change, regenerate them and review the diff:
 *   LAKELINE_UPDATE_GOLDEN=1 npx vitest run test/core/export/snapshot-sql.test.ts
 */
import { describe, expect, it } from "vitest";
import {
  committedRunIdsSelect,
  copyPartSql,
  createOrderedSnapshotSql,
  type SnapshotPlan,
  snapshotSelect,
  snapshotSql,
  splitCountsSql,
  splitRangesSql,
  unloadSplitSql,
} from "../../../src/core/export/snapshot-sql.js";
import { parseSplitArg } from "../../../src/core/split/spec.js";
import { renderSelect } from "../../../src/core/sql-builder.js";
import { latestRunIdsSql } from "../../../src/core/warehouse/latest.js";

const PLAN: Omit<SnapshotPlan, "runsTable"> = {
  table: "penguins",
  columns: ["species", "island"],
  keyColumns: [
    { name: "island", type: { kind: "string" } },
    { name: "beak_length_mm", type: { kind: "double" } },
  ],
  spec: parseSplitArg("train=80,eval=10,test=10", "lakeline"),
  environment: "TRAINING",
  snapshotAt: new Date("2024-05-01T00:00:00Z"),
  asOf: new Date("2024-05-02T00:00:00Z"),
  where: "island <> 'Dream'",
};
const ATHENA: SnapshotPlan = { ...PLAN, runsTable: "penguins_runs" };
const DUCKDB: SnapshotPlan = { ...PLAN, runsTable: "lakeline_runs" };
const golden = (dialect: string, name: string) => `./golden/${dialect}/${name}.sql`;

describe("export SQL, Athena (Trino) dialect", () => {
  it("snapshot, counts and UNLOAD match their golden files", async () => {
    const snapshot = snapshotSelect(ATHENA, "athena");
    await expect(`${snapshotSql(ATHENA, "athena")}\n`).toMatchFileSnapshot(golden("athena", "snapshot"));
    await expect(`${splitCountsSql(snapshot)}\n`).toMatchFileSnapshot(golden("athena", "counts"));
    const unload = unloadSplitSql({
      snapshot,
      columns: ATHENA.columns,
      split: "train",
      location: "s3://exports-bucket/_staging/export-run/attempt/train/",
    });
    await expect(`${unload}\n`).toMatchFileSnapshot(golden("athena", "unload"));
  });
});

describe("export SQL, DuckDB dialect", () => {
  it("snapshot, ordered table, ranges and COPY of a part match their golden files", async () => {
    const table = '"_lakeline_export"';
    await expect(`${snapshotSql(DUCKDB, "duckdb")}\n`).toMatchFileSnapshot(golden("duckdb", "snapshot"));
    await expect(
      `${createOrderedSnapshotSql(table, snapshotSelect(DUCKDB, "duckdb"), DUCKDB.columns)}\n`,
    ).toMatchFileSnapshot(golden("duckdb", "ordered-table"));
    await expect(`${splitRangesSql(table)}\n`).toMatchFileSnapshot(golden("duckdb", "ranges"));
    const copy = copyPartSql({
      table,
      columns: DUCKDB.columns,
      from: 1000000,
      to: 2000000,
      file: "/scratch/data/train/part-1.parquet",
    });
    await expect(`${copy}\n`).toMatchFileSnapshot(golden("duckdb", "copy-part"));
  });
});

describe("export SQL, both dialects", () => {
  it("differ only in dialect functions and the runs relation", () => {
    // Prepare: dialect-specific pieces replaced by placeholders
    const neutral = (sql: string) =>
      sql
        .replace(/TIMESTAMPTZ ('[^']+')/g, "T($1)")
        .replace(/from_iso8601_timestamp\(('[^']+')\)/g, "T($1)")
        .replace(`from_iso8601_timestamp("ingestedAt")`, `"ingestedAt"`)
        .replace(/"(penguins|lakeline)_runs"/, "RUNS")
        .replace(/CAST\(\('0x' \|\| substr\(md5\((.*?)\), 1, 8\)\) AS BIGINT\)/, "H($1)")
        .replace(/from_base\(substr\(to_hex\(md5\(to_utf8\((.*?)\)\)\), 1, 8\), 16\)/, "H($1)")
        .replace(/is_nan|isnan/g, "NAN")
        .replace(/is_infinite|isinf/g, "INF");
    // Act / Assess
    expect(neutral(snapshotSql(DUCKDB, "duckdb"))).toBe(neutral(snapshotSql(ATHENA, "athena")));
  });

  it("take the committed runs by the committed view's rule, over the dataset's markers at or before as-of", () => {
    // Act
    const runs = renderSelect(committedRunIdsSelect(ATHENA, "athena"), { compact: true });
    // Assess: the rule of the <dataset>_committed view, whose text stays as it was
    expect(runs).toBe(
      latestRunIdsSql(
        `(SELECT * FROM "penguins_runs" WHERE "dataset" = 'penguins' AND from_iso8601_timestamp("ingestedAt") <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z')) AS "markers"`,
      ),
    );
    expect(latestRunIdsSql("r")).toBe(
      `SELECT "runId" FROM (SELECT "runId", row_number() OVER (PARTITION BY upper("environment"), coalesce("sourceMd5", 'run:' || "runId") ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank" FROM r WHERE "status" = 'ok') AS "ranked" WHERE "_rank" = 1`,
    );
  });
});
