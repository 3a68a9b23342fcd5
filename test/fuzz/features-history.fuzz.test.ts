/**
 * Property: over random histories — few keys, a small time domain so ties, late arrivals and TTL
 * edges are common — both SQL forms of the point-in-time query (DuckDB's timeline + ASOF join, and
 * the window form Athena runs) return, for every entity row, exactly the row-by-row reference.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/adapters/duckdb/database.js";
import { type HistoryPlan, historySql, type KnowledgeMode } from "../../src/core/features/history-sql.js";
import { type HistoryRow, pointInTime } from "../support/point-in-time.js";
import { RUNS, SEED } from "./support.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const KEYS = ["a", "b", "c"];

const rowArb = fc.record({
  key: fc.constantFrom(...KEYS),
  ev: fc.integer({ min: 0, max: 8 }),
  lag: fc.integer({ min: 0, max: 4 }),
  run: fc.constantFrom("r1", "r2"),
  value: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }),
  serving: fc.boolean(),
});
const lookupArb = fc.record({
  key: fc.option(fc.constantFrom(...KEYS, "zz"), { nil: null, freq: 8 }),
  t: fc.integer({ min: 0, max: 16 }),
});

let db: Database;
beforeAll(async () => {
  db = await Database.open({ threads: 1 });
});
afterAll(() => db.close());

const ts = (ms: number) => `TIMESTAMP '${new Date(ms).toISOString().replace("T", " ").replace("Z", "")}'`;
const str = (s: string | null) => (s === null ? "NULL" : `'${s}'`);

async function load(
  rows: readonly (HistoryRow & { serving: boolean })[],
  lookups: readonly { key: string | null; t: number }[],
) {
  await db.exec(
    'CREATE OR REPLACE TABLE "hist" (k VARCHAR, ev TIMESTAMP, "_ingested_at" TIMESTAMP, "_run_id" VARCHAR, "_source_row" BIGINT, "_environment" VARCHAR, v DOUBLE)',
  );
  if (rows.length > 0)
    await db.exec(
      `INSERT INTO "hist" VALUES ${rows
        .map(
          (r) =>
            `(${str(r.key)}, ${ts(r.ev)}, ${ts(r.ing)}, '${r.run}', ${r.srow}, '${r.serving ? "SERVING" : "TRAINING"}', ${r.values[0] ?? "NULL"})`,
        )
        .join(", ")}`,
    );
  await db.exec('CREATE OR REPLACE TABLE "ents" (k VARCHAR, ts TIMESTAMP, "_row" BIGINT)');
  await db.exec(
    `INSERT INTO "ents" VALUES ${lookups.map((l, i) => `(${str(l.key)}, ${ts(l.t)}, ${i + 1})`).join(", ")}`,
  );
}

describe("point-in-time SQL against the row-by-row reference", () => {
  it("agrees on every entity row, in both forms, both knowledge modes, with and without a TTL", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 30 }),
        fc.array(lookupArb, { minLength: 1, maxLength: 12 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        fc.constantFrom<KnowledgeMode>("row", "as-of"),
        fc.integer({ min: 0, max: 16 }),
        async (raw, lookupsRaw, ttlMin, knowledge, asOfMin) => {
          // Prepare
          // (run, record number) is unique, as in the warehouse: the tie-break is then total.
          const rows = raw.map((r, i) => ({
            key: r.key,
            ev: T0 + r.ev * MINUTE,
            ing: T0 + (r.ev + r.lag) * MINUTE,
            run: r.run,
            srow: i + 1,
            values: [r.value],
            serving: r.serving,
          }));
          const lookups = lookupsRaw.map((l) => ({ key: l.key, t: T0 + l.t * MINUTE }));
          await load(rows, lookups);
          const asOf = T0 + asOfMin * MINUTE;
          const plan: HistoryPlan = {
            entities: '"ents"',
            timestamp: "ts",
            carry: ["k", "ts"],
            views: [
              {
                name: "v",
                table: "hist",
                entities: ["k"],
                eventTime: "ev",
                environment: "TRAINING",
                features: [{ column: "v", as: "v__v" }],
                ...(ttlMin !== undefined ? { ttlSeconds: ttlMin * 60 } : {}),
              },
            ],
            asOf: new Date(asOf),
            knowledge,
          };
          const training = rows.filter((r) => !r.serving);
          const expected = lookups.map((l) => {
            const hit = pointInTime(training, l, {
              knowledge,
              asOf,
              ...(ttlMin !== undefined ? { ttlMs: ttlMin * MINUTE } : {}),
            });
            return hit ? (hit.values[0] ?? null) : null;
          });

          // Act
          const asof = await db.all(
            `SELECT "_row", "v__v" FROM (${historySql(plan, "duckdb", "asof")}) ORDER BY "_row"`,
          );
          const window = await db.all(
            `SELECT "_row", "v__v" FROM (${historySql(plan, "duckdb", "window")}) ORDER BY "_row"`,
          );

          // Assess
          expect(asof.map((r) => r.v__v)).toEqual(expected);
          expect(window.map((r) => r.v__v)).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: RUNS * 5 },
    );
  });
});
