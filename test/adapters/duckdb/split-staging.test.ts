/**
 * Staging in two parts trusts that both parts read the same records; where they do not (rows or
 * rejected lines), it defines no view and says so, and the batch stages in one file instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import { DEFAULT_LIMITS, prepareBlob } from "../../../src/adapters/duckdb/reader.js";
import { type SourceRelation, sourceRelation } from "../../../src/adapters/duckdb/source-relation.js";
import { stageInParts } from "../../../src/adapters/duckdb/split-staging.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { rowValidationPlan } from "../../../src/core/validate/row-sql.js";
import { tempDir } from "../../support/temp.js";

const schema = parseSchema(
  JSON.stringify({
    dataset: "pairs",
    version: 1,
    features: [
      { name: "a", type: "INT" },
      { name: "b", type: "INT", domain: { min: 0 } },
    ],
  }),
  "pairs/v1.json",
);

async function staged(scratch: string, texts: readonly [string, string]) {
  const sources: SourceRelation[] = [];
  for (const [i, text] of texts.entries()) {
    const file = path.join(scratch, `in${i}.csv`);
    fs.writeFileSync(file, text);
    const blob = await prepareBlob(`in${i}.csv`, file, scratch, DEFAULT_LIMITS);
    sources.push(sourceRelation(blob, ["a", "b"], `t${i}`, DEFAULT_LIMITS));
  }
  const planOf = (source: SourceRelation, checked: (index: number) => boolean) =>
    rowValidationPlan({
      schema,
      environment: "TRAINING",
      rawExpr: (f) => source.rawExpr(f.name),
      source: source.sql,
      json: false,
      recordExpr: source.recordExpr,
      checked,
    });
  const db = await Database.open({ threads: 1 });
  try {
    const ok = await stageInParts(db, [sources[0]!, sources[1]!], planOf, scratch, {
      features: 2,
      staged: 4,
    });
    const views = await db.all("SELECT view_name FROM duckdb_views() WHERE view_name = 'staged'");
    const rows = ok
      ? await db.all("SELECT __t0 AS a, __t1 AS b, __ok, __bad IS NOT NULL AS bad FROM staged")
      : [];
    return { ok, views: views.length, rows };
  } finally {
    db.close();
  }
}

describe("staging in two parts", () => {
  it("puts the parts side by side, the verdict the AND of theirs", async () => {
    const scratch = await tempDir("split-staging");
    const out = await staged(scratch, ["a,b\n1,2\nx,3\n4,-1\n", "a,b\n1,2\nx,3\n4,-1\n"]);
    expect(out).toEqual({
      ok: true,
      views: 1,
      rows: [
        { a: 1n, b: 2n, __ok: true, bad: false },
        { a: null, b: 3n, __ok: false, bad: true },
        { a: 4n, b: -1n, __ok: false, bad: true },
      ],
    });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("defines no view when the parts read different rows or rejected different lines", async () => {
    const scratch = await tempDir("split-staging");
    const rows = await staged(scratch, ["a,b\n1,2\n3,4\n", "a,b\n1,2\n3,4\n5,6\n"]);
    // As many rows each, but not the same line rejected.
    const rejected = await staged(scratch, ["a,b\n1,2\n3,4,5\n", "a,b\n1,2,5\n3,4\n"]);
    expect([rows, rejected]).toEqual([
      { ok: false, views: 0, rows: [] },
      { ok: false, views: 0, rows: [] },
    ]);
    fs.rmSync(scratch, { recursive: true, force: true });
  });
});
