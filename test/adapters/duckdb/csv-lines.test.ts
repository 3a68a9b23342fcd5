/**
 * Locating DuckDB's rejected CSV records in the file: DuckDB's `line` (one per record and per blank
 * line, the header first) → the line the record starts on and the blank lines before it. The
 * rejected texts are DuckDB's own (a real read with a rejects table); a text that does not match
 * the file as split here leaves every record unlocated. Staged in memory, on disk and in two parts,
 * the outputs carry the same ordinals.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { csvRecordPositions } from "../../../src/adapters/duckdb/csv-lines.js";
import { Database } from "../../../src/adapters/duckdb/database.js";
import { parseSchema } from "../../../src/core/schema/format.js";
import { stageFile, writeOutputs } from "../../support/staged-batch.js";
import { tempDir } from "../../support/temp.js";

/** line 1 header; 2–3 one record; 4 blank; 5 bad; 6–8 a record with a blank line in quotes; 9 bad, no line end. */
const TEXT = ["a,b", '1,"x', 'y"', "", "2", '3,"p', "", 'q"', "4"];

/** DuckDB's rejected lines of `file` and their text, as the ingest engine reads them. */
async function rejectedByDuckDb(file: string): Promise<Map<number, string>> {
  const db = await Database.open({ threads: 1 });
  try {
    await db.all(
      `SELECT * FROM read_csv('${file}', header = true, auto_detect = false, columns = {'a': 'VARCHAR', 'b': 'VARCHAR'}, strict_mode = true, store_rejects = true, rejects_table = 'r')`,
    );
    const rows = await db.all("SELECT line, any_value(csv_line) AS text FROM r GROUP BY line ORDER BY line");
    return new Map(rows.map((r) => [Number(r.line), String(r.text)]));
  } finally {
    db.close();
  }
}

describe("rejected CSV records located in the file", () => {
  for (const [label, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const)
    it(`by their line and the blank lines before them (${label})`, async () => {
      // Prepare
      const dir = await tempDir("csv-lines");
      const file = path.join(dir, `t-${label}.csv`);
      await fs.writeFile(file, TEXT.join(eol));
      const rejected = await rejectedByDuckDb(file);

      // Act
      const located = await csvRecordPositions(file, '"', rejected);

      // Assess: DuckDB counted header 1, record 2, blank 3, "2" 4, record 5, "4" 6.
      expect([...rejected.keys()]).toEqual([4, 6]);
      expect(located).toEqual(
        new Map([
          [4, { physical: 5, blankBefore: 1 }],
          [6, { physical: 9, blankBefore: 1 }],
        ]),
      );
    });

  it("not at all when a rejected text is not the record found at its line", async () => {
    // Prepare
    const dir = await tempDir("csv-lines");
    const file = path.join(dir, "t.csv");
    await fs.writeFile(file, TEXT.join("\n"));

    // Act
    const wrong = await csvRecordPositions(
      file,
      '"',
      new Map([
        [4, "2"],
        [6, "5"],
      ]),
    );
    const beyond = await csvRecordPositions(file, '"', new Map([[40, "2"]]));

    // Assess
    expect(wrong).toBeUndefined();
    expect(beyond).toBeUndefined();
  });

  it("give the same ordinals staged in memory, on disk and in two parts", async () => {
    // Prepare
    const dir = await tempDir("csv-lines");
    const file = path.join(dir, "n.csv");
    await fs.writeFile(file, ["n,v", "1,a", "", "", "x", "4,b", '5,"c', 'd"', "y", "7,e"].join("\n"));
    const schema = parseSchema(
      JSON.stringify({
        dataset: "n",
        version: 1,
        features: [
          { name: "n", type: "INT" },
          { name: "v", type: "STRING" },
        ],
      }),
      "n/v1.json",
    );

    // Act
    const outs: unknown[] = [];
    for (const staging of ["memory", "disk", "split"] as const) {
      const scratch = await tempDir("csv-lines");
      const batch = await stageFile(file, schema, scratch, staging);
      const db = await Database.open();
      try {
        const { valid, quarantine: bad } = await writeOutputs(batch, scratch);
        outs.push({
          staged: batch.staging,
          valid: await db.all(`SELECT n, _source_row FROM '${valid}' ORDER BY _source_row`),
          bad: await db.all(`SELECT _source_row, _reasons[1] AS reason FROM '${bad}' ORDER BY 1`),
          sample: await batch.sampleRejected(),
        });
      } finally {
        db.close();
        batch.close();
      }
    }

    // Assess: records 1 "1,a", 2 "x", 3 "4,b", 4 "5,c\nd", 5 "y", 6 "7,e" (the blank lines are not records).
    const rows = (n: number, row: number) => ({ n: BigInt(n), _source_row: BigInt(row) });
    for (const [i, staging] of ["memory", "disk", "split"].entries())
      expect(outs[i]).toEqual({
        staged: staging,
        valid: [rows(1, 1), rows(4, 3), rows(5, 4), rows(7, 6)],
        bad: [
          { _source_row: 2n, reason: expect.stringMatching(/^RECORD_MALFORMED line 5: /) },
          { _source_row: 5n, reason: expect.stringMatching(/^RECORD_MALFORMED line 9: /) },
        ],
        sample: [
          { row: 2, reasons: [expect.stringMatching(/^RECORD_MALFORMED line 5: /)] },
          { row: 5, reasons: [expect.stringMatching(/^RECORD_MALFORMED line 9: /)] },
        ],
      });
  });
});
