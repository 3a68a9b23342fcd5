import { describe, expect, it } from "vitest";
import { parseWhere } from "../../src/core/sql/where.js";

const COLUMNS = ["origin", "delay", "distance", "date", "Mixed Case", "_ingested_at"];
const sql = (w: string) => parseWhere(w, COLUMNS).sql;
const refusal = (w: string) => {
  try {
    parseWhere(w, COLUMNS);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted: ${w}`);
};

describe("parseWhere", () => {
  it("re-emits one normalised predicate with quoted identifiers and literals", () => {
    expect(sql("origin = 'SFO'")).toBe(`("origin" = 'SFO')`);
    expect(sql("delay > 10 AND (origin IN ('SFO', 'O''Hare') OR distance BETWEEN 100 AND 2e3)")).toBe(
      `(("delay" > 10) AND (("origin" IN ('SFO', 'O''Hare')) OR ("distance" BETWEEN 100 AND 2e3)))`,
    );
    expect(sql(`NOT "Mixed Case" IS NULL and ORIGIN != 'x' or date >= DATE '2001-01-01'`)).toBe(
      `(((NOT ("Mixed Case" IS NULL)) AND ("origin" <> 'x')) OR ("date" >= DATE '2001-01-01'))`,
    );
    expect(sql("origin NOT LIKE 'S%' AND delay * 2 - 1 < -3")).toBe(
      `(("origin" NOT LIKE 'S%') AND ((("delay" * 2) - 1) < (- 3)))`,
    );
    expect(parseWhere("delay > distance", COLUMNS).columns).toEqual(["delay", "distance"]);
  });

  it("refuses anything but one boolean expression over the columns, naming the bad token", () => {
    expect(refusal("origin = 'SFO') OR (1=1")).toMatch(/unbalanced '\)'.* at position 15/);
    expect(refusal("origin = 'SFO'; DROP TABLE flights")).toMatch(/';' \(a second statement\)/);
    expect(refusal("origin = 'SFO' -- comment")).toMatch(/comments \(--\)/);
    expect(refusal("origin = 'SFO' /* x */")).toMatch(/comments \(\/\* \*\/\)/);
    expect(refusal("origin IN (SELECT origin FROM flights)")).toMatch(/expected a literal/);
    expect(refusal("delay IN (SELECT 1)")).toMatch(/found "SELECT"/);
    expect(refusal("EXISTS (SELECT 1)")).toMatch(/function calls, subqueries and table functions/);
    expect(refusal("origin = (SELECT 1)")).toMatch(/"SELECT" is not a column/);
    expect(refusal("delay > (SELECT count(*) FROM read_csv('/etc/passwd'))")).toMatch(
      /"SELECT" is not a column/,
    );
    expect(refusal("lower(origin) = 'sfo'")).toMatch(/"lower"\(…\): function calls/);
    expect(refusal("nope = 1")).toMatch(/"nope" is not a column of the dataset \(columns: origin, delay/);
    expect(refusal("(origin = 'SFO'")).toMatch(/expected '\)' to close the '\(' at position 1/);
    expect(refusal("origin = 'SFO")).toMatch(/unterminated string literal/);
    expect(refusal("")).toMatch(/empty expression/);
    expect(refusal("origin = 'a' origin")).toMatch(/expected AND, OR or the end/);
    expect(refusal("origin = $1")).toMatch(/unexpected character "\$"/);
  });
});
