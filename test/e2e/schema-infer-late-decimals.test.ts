import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSchema } from "../../src/core/schema/format.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

/** 30,010 prices, whole numbers on the first 30,000 rows (past the sniffer's sample), 4.5 on one late row. */
const N = 30_010;
const LATE = 30_005;
const price = (i: number) => (i === LATE ? "4.5" : String(i % 50));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `schema infer` the file, release the draft, ingest the same file: the claim a user meets first. */
async function inferReleaseIngest(name: string, text: string, ...inferFlags: string[]) {
  const root = await tempDir("late-decimals");
  dirs.push(root);
  const file = path.join(root, name);
  writeFileSync(file, text);
  const schemas = path.join(root, "schemas");
  const lake = path.join(root, "lake");
  const inferred = await runCli(
    "schema",
    "infer",
    file,
    "--dataset",
    "prices",
    "--schemas",
    schemas,
    ...inferFlags,
  );
  const draftFile = inferred.stdout.trim();
  const draft = inferred.code === 0 ? parseSchema(readFileSync(draftFile, "utf8"), draftFile) : undefined;
  const released = await runCli("schema", "release", "prices", "--schemas", schemas);
  const checked = await runCli("schema", "check", "prices", "--schemas", schemas);
  const ingested = await runCli(
    "ingest",
    file,
    "--dataset",
    "prices",
    "--schemas",
    schemas,
    "--lake",
    lake,
    "--json",
  );
  const stored = await runCli(
    "query",
    "SELECT count(*) AS n, count(*) FILTER (WHERE price = 4.5) AS late FROM prices",
    "--lake",
    lake,
    "--schemas",
    schemas,
    "--format",
    "json",
  );
  return { inferred, draft, released, checked, ingested, stored };
}

describe("schema infer → release → ingest of a file whose integer-looking column holds 4.5 late", () => {
  it.each([
    [
      "CSV",
      "prices.csv",
      `id,price\n${Array.from({ length: N }, (_, i) => `${i},${price(i)}`).join("\n")}\n`,
      [],
    ],
    [
      "JSON lines, --json-integers",
      "prices.jsonl",
      `${Array.from({ length: N }, (_, i) => `{"id":${i},"price":${price(i)}}`).join("\n")}\n`,
      ["--json-integers"],
    ],
  ])(
    "%s: the draft types price FLOAT and the same file ingests with 0 rows quarantined",
    async (_, name, text, flags) => {
      // Act
      const r = await inferReleaseIngest(name, text, ...flags);
      // Assess
      expect(r.inferred.code).toBe(0);
      expect(r.draft?.features.map((f) => [f.name, f.type])).toEqual([
        ["id", "INT"],
        ["price", "FLOAT"],
      ]);
      expect(r.released.code).toBe(0);
      expect(r.checked.code).toBe(0);
      expect(r.ingested.code).toBe(0);
      const run = JSON.parse(r.ingested.stdout.trim());
      expect(run).toMatchObject({ status: "ok", rowsRead: N, rowsWritten: N, rowsQuarantined: 0 });
      expect(r.stored.stderr).toBe("");
      expect(JSON.parse(r.stored.stdout)).toEqual([{ n: N, late: 1 }]);
    },
  );
});
