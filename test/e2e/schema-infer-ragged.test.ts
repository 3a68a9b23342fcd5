/**
 * `schema infer` on a file with a ragged line, the first command a new user runs on their own table.
 * One ragged line defeated DuckDB's dialect sniffer: a CSV file was read as one column (the draft had
 * a single STRING feature named "id,name,score"), a TSV file failed with the engine's "Error when
 * sniffing file". Now the draft has the file's columns, says how many malformed lines it left out
 * and where the first one is, and the released schema ingests the same file with that line
 * quarantined under the same line number.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempLake } from "../support/temp.js";

let root: string;
let lake: string[];

beforeAll(async () => {
  const t = await tempLake("infer-ragged");
  root = t.root;
  lake = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
});

/** A quoted field holding the delimiter, a blank line, then a record one field short on line 6. */
const rows = (d: string) => [
  `id${d}name${d}score`,
  `1${d}"a${d}b"${d}1.5`,
  `2${d}plain${d}2`,
  `3${d}x${d}3.25`,
  "",
  `4${d}short`,
  `5${d}"q""x"${d}5`,
];

describe("schema infer on a file with a ragged line", () => {
  for (const [label, ext, d] of [
    ["CSV", "csv", ","],
    ["TSV", "tsv", "\t"],
  ] as const)
    it(`drafts the file's columns and names the line it left out (${label})`, async () => {
      // Prepare
      const dataset = `ragged_${ext}`;
      const file = path.join(root, `${dataset}.${ext}`);
      await fs.writeFile(file, `${rows(d).join("\n")}\n`);

      // Act
      const inferred = await runCli(
        "schema",
        "infer",
        file,
        "--dataset",
        dataset,
        "--json",
        ...lake.slice(2),
      );
      const text = await runCli("schema", "infer", file, "--dataset", dataset, "--stdout", ...lake.slice(2));
      const released = await runCli("schema", "release", dataset, ...lake.slice(2));
      const ingested = await runCli("ingest", file, "--dataset", dataset, "--json", ...lake);

      // Assess
      expect(inferred.code, inferred.stderr).toBe(0);
      const draft = JSON.parse(inferred.stdout);
      expect(draft.schema.features.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
        ["id", "INT"],
        ["name", "STRING"],
        ["score", "FLOAT"],
      ]);
      expect(draft.schema.csv).toMatchObject({ delimiter: d, header: true });
      expect(draft.rows).toBe(4);
      expect(draft.skippedLines).toEqual({ lines: 1, first: 6 });
      expect(text.stderr).toContain(
        `warning: ${dataset}.${ext}: 1 malformed line skipped (the first on line 6); the draft describes the other rows`,
      );
      expect(released.code, released.stderr).toBe(0);
      expect(ingested.code).toBe(1); // the ragged record is quarantined
      expect(JSON.parse(ingested.stdout)).toMatchObject({ rowsRead: 5, rowsWritten: 4, rowsQuarantined: 1 });
      const bad = await runCli(
        "query",
        `SELECT _source_row, _reasons[1] AS reason FROM ${dataset}_quarantine`,
        "--json",
        ...lake,
      );
      expect(JSON.parse(bad.stdout)).toEqual([
        { _source_row: 4, reason: expect.stringMatching(/^RECORD_MALFORMED line 6: missing columns/) },
      ]);
    });
});
