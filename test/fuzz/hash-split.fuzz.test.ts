/**
 * Properties of the content-addressing and split functions that exports and lineage rely on:
 * a DVC directory hash does not depend on the order entries are listed in, and a row's split is
 * a pure function of its key — the same alone or among other rows, in TypeScript and in DuckDB.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/adapters/duckdb/database.js";
import { dvcDirHash, dvcDirJson, md5Hex } from "../../src/core/hash/dvc.js";
import { canonicalKey, type KeyValue, type SplitKeyColumn } from "../../src/core/split/canonical.js";
import { splitSpec } from "../../src/core/split/spec.js";
import { splitBucket, splitOf } from "../../src/core/split/split.js";
import { splitBucketSql, splitSqlDuckdb } from "../../src/core/split/sql.js";
import { RUNS, SEED } from "./support.js";

const relpath = fc
  .array(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).filter((s) => !s.includes("/")),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.join("/"));
const entries = fc.uniqueArray(fc.record({ relpath, md5: fc.string({ minLength: 1 }).map(md5Hex) }), {
  selector: (e) => e.relpath,
  maxLength: 20,
});

describe("dvcDirHash", () => {
  it("is the same for every order of the same entries", () => {
    fc.assert(
      fc.property(
        entries.chain((es) =>
          fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length })),
        ),
        ([listed, shuffled]) => {
          expect(dvcDirHash(shuffled)).toBe(dvcDirHash(listed));
          expect(dvcDirJson(shuffled)).toBe(dvcDirJson(listed));
        },
      ),
      { seed: SEED, numRuns: RUNS * 10 },
    );
  });

  it("changes when any entry's content changes", () => {
    fc.assert(
      fc.property(
        entries.filter((es) => es.length > 0),
        fc.nat(),
        fc.string(),
        (es, pick, salt) => {
          const i = pick % es.length;
          const changed = es.map((e, j) => (j === i ? { ...e, md5: md5Hex(`${e.md5}${salt}x`) } : e));
          expect(dvcDirHash(changed)).not.toBe(dvcDirHash(es));
        },
      ),
      { seed: SEED, numRuns: RUNS * 10 },
    );
  });
});

const SPEC = splitSpec({ train: 80, eval: 10, test: 10 }, "fuzz-seed");
const KEY: SplitKeyColumn[] = [
  { name: "s", type: { kind: "string" } },
  { name: "d", type: { kind: "double" } },
  { name: "i", type: { kind: "bigint" } },
  { name: "b", type: { kind: "boolean" } },
];

interface KeyRow {
  s: string | null;
  d: number | null;
  i: bigint | null;
  b: boolean | null;
}

const keyRow: fc.Arbitrary<KeyRow> = fc.record({
  s: fc.option(
    fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.constantFrom("|", "\\", "\\N", "a|b", "\\|", ""),
    ),
    { nil: null },
  ),
  d: fc.option(
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e11, max: 1e11 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -0.5, 39.1),
    ),
    { nil: null },
  ),
  i: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
});

const keyValues = (r: KeyRow): KeyValue[] => [
  { type: "string", value: r.s },
  { type: "double", value: r.d },
  { type: "bigint", value: r.i },
  { type: "boolean", value: r.b },
];

function literal(r: KeyRow): string {
  const s = r.s === null ? "NULL::VARCHAR" : `'${r.s.replaceAll("'", "''")}'`;
  const d = r.d === null ? "NULL::DOUBLE" : `CAST('${Number.isNaN(r.d) ? "NaN" : String(r.d)}' AS DOUBLE)`;
  const i = r.i === null ? "NULL::BIGINT" : `CAST('${r.i}' AS BIGINT)`;
  const b = r.b === null ? "NULL::BOOLEAN" : String(r.b);
  return `(${s}, ${d}, ${i}, ${b})`;
}

describe("split assignment", () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open({ threads: 1 });
  });
  afterAll(() => db.close());

  it("is a pure function of the key: the same alone, among other rows, and in DuckDB", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(keyRow, { minLength: 1, maxLength: 25 }), async (rows) => {
        // Act
        const alone = rows.map((r) => splitOf(keyValues(r), SPEC));
        const reversed = [...rows]
          .reverse()
          .map((r) => splitOf(keyValues(r), SPEC))
          .reverse();
        const sql = await db.all(
          `SELECT n, ${splitBucketSql(KEY, SPEC.seed, "duckdb")} AS bucket, ${splitSqlDuckdb(KEY, SPEC)} AS split
           FROM (SELECT row_number() OVER () AS n, * FROM (VALUES ${rows.map(literal).join(", ")}) t(s, d, i, b)) ORDER BY n`,
        );

        // Assess
        expect(reversed).toEqual(alone);
        expect(sql.map((r) => r.split)).toEqual(alone);
        expect(sql.map((r) => Number(r.bucket))).toEqual(rows.map((r) => splitBucket(keyValues(r), SPEC)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("never maps two different string keys to the same canonical text (escaping is injective)", () => {
    const str = fc.option(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("|", "\\", "\\N", "\\|")), {
      nil: null,
    });
    fc.assert(
      fc.property(fc.tuple(str, str), fc.tuple(str, str), (a, b) => {
        fc.pre(a[0] !== b[0] || a[1] !== b[1]);
        const text = (k: (string | null)[]) =>
          canonicalKey(
            k.map((value) => ({ type: "string" as const, value })),
            SPEC.seed,
          );
        expect(text(a)).not.toBe(text(b));
      }),
      { seed: SEED, numRuns: RUNS * 25 },
    );
  });
});
