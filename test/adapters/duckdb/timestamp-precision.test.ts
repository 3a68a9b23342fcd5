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

  it("with a format, too", async () => {
    const rows = await typed(
      { name: "at", type: "TIMESTAMP", domain: { format: "%d/%m/%Y %H:%M:%S.%f" } } as Feature,
      "01/05/2024 10:00:00.123456",
    );
    expect(rows[0]?.t).toBe("2024-05-01T10:00:00.123000");
  });
});
