/** The export's snapshot and UNLOAD statements in Athena's dialect, as documented (Athena cannot run here). */
import { describe, expect, it } from "vitest";
import { type SnapshotPlan, snapshotSql, unloadSplitSql } from "../../../src/core/export/snapshot-sql.js";
import { parseSplitArg } from "../../../src/core/split/spec.js";

const PLAN: SnapshotPlan = {
  table: "penguins",
  columns: ["species", "island"],
  keyColumns: [{ name: "island", type: { kind: "string" } }],
  spec: parseSplitArg("a=50,b=50", "s"),
  environment: "TRAINING",
  snapshotAt: new Date("2024-05-01T00:00:00Z"),
  runsTable: "penguins_runs",
  asOf: new Date("2024-05-02T00:00:00Z"),
  where: "island <> 'Dream'",
};

const ATHENA_SNAPSHOT = String.raw`SELECT "species", "island", "_source_md5", "_source_row", CASE WHEN "_bucket" < 5000 THEN 'a' ELSE 'b' END AS "_split" FROM (SELECT "species", "island", "_source_md5", "_source_row", (from_base(substr(to_hex(md5(to_utf8('s' || '|' || (CASE WHEN "island" IS NULL THEN '\N' ELSE replace(replace("island", '\', '\\'), '|', '\|') END)))), 1, 8), 16) % 10000) AS "_bucket" FROM "penguins" WHERE "_ingested_at" <= from_iso8601_timestamp('2024-05-01T00:00:00.000Z') AND "_environment" = 'TRAINING' AND "_run_id" IN (SELECT "runId" FROM (SELECT "runId", row_number() OVER (PARTITION BY upper("environment"), coalesce("sourceMd5", 'run:' || "runId") ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank" FROM (SELECT * FROM "penguins_runs" WHERE "dataset" = 'penguins' AND from_iso8601_timestamp("ingestedAt") <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z')) AS "markers" WHERE "status" = 'ok') AS "ranked" WHERE "_rank" = 1) AND (island <> 'Dream')) AS "snapshot"`;

describe("export SQL for Athena", () => {
  it("builds the documented snapshot query", () => {
    expect(snapshotSql(PLAN, "athena")).toBe(ATHENA_SNAPSHOT);
  });

  it("builds the documented UNLOAD of one split", () => {
    const sql = unloadSplitSql({
      snapshot: ATHENA_SNAPSHOT,
      columns: PLAN.columns,
      split: "a",
      location: "s3://exports-bucket/_staging/run/attempt/a/",
    });
    expect(sql).toBe(
      `UNLOAD (SELECT "species", "island" FROM (${ATHENA_SNAPSHOT}) AS "export" WHERE "_split" = 'a') TO 's3://exports-bucket/_staging/run/attempt/a/' WITH (format = 'PARQUET', compression = 'SNAPPY')`,
    );
  });

  it("differs from the DuckDB query only in dialect functions", () => {
    const duck = snapshotSql(PLAN, "duckdb");
    expect(duck).toContain(`"_ingested_at" <= TIMESTAMPTZ '2024-05-01T00:00:00.000Z'`);
    expect(duck).toContain(`"ingestedAt" <= TIMESTAMPTZ '2024-05-02T00:00:00.000Z'`);
    expect(duck).toContain(`CAST(('0x' || substr(md5('s' || '|' || `);
    expect(
      duck
        .replace(/TIMESTAMPTZ '[^']+'/g, "T")
        .replace(`"ingestedAt" <= T`, `I <= T`)
        .replace(/CAST\(\('0x' \|\| substr\(md5\((.*?)\), 1, 8\)\) AS BIGINT\)/, "H($1)"),
    ).toBe(
      ATHENA_SNAPSHOT.replace(/from_iso8601_timestamp\('[^']+'\)/g, "T")
        .replace(`from_iso8601_timestamp("ingestedAt") <= T`, `I <= T`)
        .replace(/from_base\(substr\(to_hex\(md5\(to_utf8\((.*?)\)\)\), 1, 8\), 16\)/, "H($1)"),
    );
  });
});
