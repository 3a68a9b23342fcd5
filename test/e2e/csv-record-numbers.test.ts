/**
 * A CSV file with blank lines, quoted fields holding newlines and malformed records, ingested through
 * the CLI: every row, kept or quarantined, carries its record's ordinal (`_source_row`, blank lines
 * not counted), and a malformed record's reason names the line an editor shows. DuckDB's own record
 * counter counts blank lines and one line per record, so before, a malformed record after a blank
 * line and the valid rows after it got each other's numbers, and "line N" was off after a multi-line
 * record. Both line ends (LF and CRLF).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempLake } from "../support/temp.js";

const SCHEMA = {
  dataset: "notes",
  version: 1,
  features: [
    { name: "id", type: "INT" },
    { name: "note", type: "STRING" },
    { name: "v", type: "FLOAT", domain: { min: 0, max: 10 } },
  ],
};

/**
 * Lines of the file; `id` is each well-formed record's ordinal. Record 2 is out of the domain,
 * records 5 and 8 lack a field (malformed), two blank lines precede record 4, record 7 spans three
 * lines with a blank one inside its quotes.
 */
const LINES = [
  "id,note,v", // line 1
  '1,"two', // 2
  'lines",1.5', // 3
  "2,plain,20", // 4
  "3,x,3", // 5
  "", // 6
  "", // 7
  "4,y,4", // 8
  "5,short", // 9
  "6,z,6", // 10
  '7,"three', // 11
  "", // 12
  'lines",7', // 13
  "8,cut", // 14
  "9,last,9", // 15
];

let lake: string[];
let root: string;

beforeAll(async () => {
  const t = await tempLake("csv-record-numbers");
  root = t.root;
  lake = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
  await fs.mkdir(path.join(t.schemasDir, "notes"), { recursive: true });
  await fs.writeFile(path.join(t.schemasDir, "notes", "v1.json"), JSON.stringify(SCHEMA));
});

async function ingestAndRead(name: string, eol: string) {
  const file = path.join(root, name);
  await fs.writeFile(file, `${LINES.join(eol)}${eol}`);
  const ingest = await runCli("ingest", file, "--dataset", "notes", ...lake);
  const key = `notes/training/${name}`;
  const kept = await runCli(
    "query",
    `SELECT id, _source_row FROM notes WHERE _source_key = '${key}' ORDER BY _source_row`,
    "--json",
    ...lake,
  );
  const bad = await runCli(
    "query",
    `SELECT _source_row, _reasons FROM notes_quarantine WHERE _source_key = '${key}' ORDER BY _source_row`,
    "--json",
    ...lake,
  );
  return { ingest, kept: JSON.parse(kept.stdout), bad: JSON.parse(bad.stdout) };
}

describe("record numbers of a CSV file with blank lines and multi-line records", () => {
  for (const [label, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const)
    it(`are the records' ordinals, and reasons name the file's lines (${label})`, async () => {
      // Act
      const { ingest, kept, bad } = await ingestAndRead(`notes-${label}.csv`, eol);

      // Assess
      expect(ingest.code, ingest.stderr).toBe(1);
      expect(ingest.stdout).toContain("read 9, written 6, quarantined 3");
      expect(kept).toEqual([1, 3, 4, 6, 7, 9].map((id) => ({ id, _source_row: id })));
      expect(bad.map((r: { _source_row: number }) => r._source_row)).toEqual([2, 5, 8]);
      expect(bad[1]._reasons[0]).toMatch(/^RECORD_MALFORMED line 9: missing columns/);
      expect(bad[2]._reasons[0]).toMatch(/^RECORD_MALFORMED line 14: missing columns/);
      expect(ingest.stdout).toContain("row 5: RECORD_MALFORMED line 9:");
    });
});
