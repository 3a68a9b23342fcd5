/**
 * Athena's point-in-time relations: what `lakeline query --engine athena --as-of` puts in front of a
 * statement. Each is checked on Trino against the local `lakeline query --as-of` by
 * test/aws/athena-views.test.ts; here, what it is made of and how it joins a statement.
 */
import { describe, expect, it } from "vitest";
import { asOfRelations, withAsOf } from "../../src/contract/as-of-relations.js";
import { UsageError } from "../../src/core/errors.js";
import { committedRunIdsSelect } from "../../src/core/export/snapshot-sql.js";
import { renderSelect } from "../../src/core/sql-builder.js";

const T = new Date("2026-11-24T12:00:00Z");
const TS = `from_iso8601_timestamp('2026-11-24T12:00:00.000Z')`;

describe("as-of relations on Athena", () => {
  it("take each source blob's latest processing by the export's rule, and every processing for history", () => {
    // Act
    const byName = Object.fromEntries(asOfRelations("lakeline", "penguins", T).map((r) => [r.name, r.sql]));
    // Assess
    const latest = renderSelect(
      committedRunIdsSelect({ table: "penguins", runsTable: "penguins_runs", asOf: T }, "athena"),
      { compact: true },
    );
    expect(Object.keys(byName)).toEqual([
      "penguins",
      "penguins_committed",
      "penguins_history",
      "penguins_quarantine",
      "penguins_quarantine_history",
    ]);
    expect(byName.penguins).toBe(
      `SELECT * FROM "lakeline"."penguins" WHERE "_ingested_at" <= ${TS} AND "_run_id" IN (${latest})`,
    );
    expect(byName.penguins_committed).toBe(byName.penguins);
    expect(byName.penguins_history).toBe(
      `SELECT * FROM "lakeline"."penguins" WHERE "_ingested_at" <= ${TS} AND "_run_id" IN (SELECT "runId" FROM "penguins_runs" WHERE "dataset" = 'penguins' AND "status" = 'ok' AND from_iso8601_timestamp("ingestedAt") <= ${TS})`,
    );
    expect(byName.penguins_quarantine).toContain(`FROM "lakeline"."penguins_quarantine" WHERE`);
  });

  it("stand in front of a statement for the relations it names, and only those", () => {
    // Act
    const sql = withAsOf(
      "SELECT species, count(*) FROM penguins_history GROUP BY 1 ORDER BY 1",
      "lakeline",
      ["penguins", "flights"],
      T,
    );
    // Assess
    expect(sql.split("\n")[0]).toMatch(
      /^WITH "penguins_history" AS \(SELECT \* FROM "lakeline"."penguins" WHERE/,
    );
    expect(sql.endsWith("\nSELECT species, count(*) FROM penguins_history GROUP BY 1 ORDER BY 1")).toBe(true);
    expect(sql).not.toContain(`"penguins_committed" AS`);
    expect(sql).not.toContain("flights");
  });

  it("join a statement's own WITH, after leading comments, quoted names included", () => {
    // Act
    const sql = withAsOf(
      `-- females\nwith f AS (SELECT * FROM "Penguins_Committed" WHERE sex = 'FEMALE') SELECT count(*) FROM f`,
      "lakeline",
      ["penguins"],
      T,
    );
    // Assess
    expect(sql.startsWith(`-- females\nWITH "penguins_committed" AS (SELECT`)).toBe(true);
    expect(sql).toContain(
      `,\nf AS (SELECT * FROM "Penguins_Committed" WHERE sex = 'FEMALE') SELECT count(*) FROM f`,
    );
  });

  it("leave a statement naming no dataset relation as it is", () => {
    expect(withAsOf("SELECT 1", "lakeline", ["penguins"], T)).toBe("SELECT 1");
    expect(withAsOf("SELECT 1 AS is_committed", "lakeline", ["penguins"], T)).toBe(
      "SELECT 1 AS is_committed",
    );
  });

  it("refuse what they cannot stand in for, saying why", () => {
    for (const [sql, why] of [
      ["WITH RECURSIVE r(n) AS (SELECT 1) SELECT * FROM r", /WITH RECURSIVE/],
      ["DROP TABLE penguins", /applies to a query \(SELECT or WITH\), not "DROP TABLE penguins"/],
      ["SELECT * FROM lakeline.penguins", /without the database \(lakeline\.…\)/],
      [
        "SELECT count(*) FROM sales_history",
        /sales_history looks like a relation of dataset sales, which has no schema here \(known: penguins\); pass --schemas <dir>/,
      ],
    ] as const) {
      expect(() => withAsOf(sql, "lakeline", ["penguins"], T)).toThrow(UsageError);
      expect(() => withAsOf(sql, "lakeline", ["penguins"], T)).toThrow(why);
    }
  });
});
