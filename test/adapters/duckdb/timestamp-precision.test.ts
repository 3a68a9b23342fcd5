/**
 * Timestamps are stored at whole milliseconds, the precision Athena reads Parquet timestamps at:
 * a sub-millisecond part would be rounded by Trino and truncated by DuckDB's split text, and a row
 * keyed on it could land in different splits locally and on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import type { Feature } from "../../../src/core/schema/types.js";
import { scalarFeatureSql } from "../../../src/core/validate/feature-sql.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open({ threads: 1 });
});
afterAll(() => db.close());

const typed = (feature: Feature, text: string) =>
  db.all(
    `SELECT strftime(${scalarFeatureSql({ feature, raw: "v", required: true }, "v", "t").typed}, '%Y-%m-%dT%H:%M:%S.%f') AS t FROM (SELECT '${text}' AS v)`,
  );

describe("TIMESTAMP features", () => {
  it.each([
    ["2024-05-01T10:00:00.123456", "2024-05-01T10:00:00.123000"],
    ["2024-05-01T10:00:00.9996Z", "2024-05-01T10:00:00.999000"],
    ["2024-05-01 10:00:00.0005+02:00", "2024-05-01T08:00:00.000000"],
    ["2024-05-01T10:00:00", "2024-05-01T10:00:00.000000"],
  ])("%s is stored as %s (whole milliseconds)", async (text, stored) => {
    // Act
    const rows = await typed({ name: "at", type: "TIMESTAMP" } as Feature, text);
    // Assess
    expect(rows[0]?.t).toBe(stored);
  });

  // date_trunc runs only on text with a '.': DuckDB's casts read fractions of a second nowhere else.
  const CORPUS = [
    "2024-05-01",
    "2024-05-01 10:00",
    "2024-05-01T10:00:00",
    "2024-05-01 10:00:00Z",
    "2024-05-01T10:00:00+05:45",
    "2024-05-01 10:00:00-03:30",
    "2024-05-01T10:00:00+0530",
    "2024-05-01 10:00:00+05",
    "2024-05-01 10:00:00 UTC",
    "2024-05-01 10:00:00 Asia/Kathmandu",
    "0001-01-01 00:00:00",
    "1969-12-31 23:59:59",
    "1969-12-31T23:59:59-00:01",
    "294246-01-01 00:00:00",
    "2024-05-01 10:00:00,123456",
    "2024-05-01 10:00:00:123456",
    "20240501T100000",
    "epoch",
    "infinity",
    "-infinity",
    "2024-05-01 10:00:00 BC",
    "  2024-05-01 10:00:00  ",
    "2024-5-1 1:2:3",
  ];

  it.each(CORPUS)("%s: no fraction of a second without a '.'", async (text) => {
    const [row] = await db.all(
      `SELECT [TRY_CAST(v AS TIMESTAMP), CAST(TRY_CAST(v AS TIMESTAMPTZ) AS TIMESTAMP)]::VARCHAR[] AS casts FROM (SELECT '${text}' AS v)`,
    );
    const casts = (row?.casts ?? []) as (string | null)[];
    expect(casts).toHaveLength(2);
    for (const cast of casts) expect(cast ?? "").not.toContain(".");
  });

  it.each([
    ...CORPUS,
    "1969-12-31 23:59:59.9999",
    "2024-05-01 10:00:00.1234567+01:00",
    "2024-05-01 10:00:00.5 UTC",
  ])("%s is stored at whole milliseconds", async (text) => {
    const [row] = await db.all(
      `SELECT t IS NULL OR NOT isfinite(t) OR epoch_us(t) % 1000 = 0 AS whole FROM (SELECT ${scalarFeatureSql({ feature: { name: "at", type: "TIMESTAMP" } as Feature, raw: "v", required: true }, "v", "t").typed} AS t FROM (SELECT '${text}' AS v))`,
    );
    expect(row?.whole).toBe(true);
  });

  it("with a format, too", async () => {
    const rows = await typed(
      { name: "at", type: "TIMESTAMP", domain: { format: "%d/%m/%Y %H:%M:%S.%f" } } as Feature,
      "01/05/2024 10:00:00.123456",
    );
    expect(rows[0]?.t).toBe("2024-05-01T10:00:00.123000");
  });
});
