/**
 * Cutting a blob at record boundaries: every part is valid on its own (CSV parts start with the
 * header; no quoted field is cut, even one holding newlines), the parts together hold every record
 * exactly once in order, and each part knows the original line of its first record.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/adapters/duckdb/database.js";
import {
  chunkRecords,
  cuttable,
  type PartFile,
  recordStream,
} from "../../../src/pipeline/scale-out/chunk.js";
import { VEGA } from "../../support/cli.js";
import { tempDir } from "../../support/temp.js";

/** Cut `bytes` fed in chunks of `chunk` bytes; keep each part's text. */
async function cut(bytes: Buffer, opts: { csv: boolean; partBytes: number; chunk?: number; gzip?: boolean }) {
  const dir = await tempDir("chunk");
  const chunks: Buffer[] = [];
  const size = opts.chunk ?? 7;
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const texts: string[] = [];
  const parts = await chunkRecords(recordStream(Readable.from(chunks), opts.gzip ?? false), {
    csv: opts.csv,
    partBytes: opts.partBytes,
    dir,
    onPart: async (p: PartFile) => {
      texts.push(fs.readFileSync(p.file, "utf8"));
      fs.rmSync(p.file);
    },
  });
  return { parts, texts, dir };
}

const TRICKY = [
  "id,note,score",
  '1,"plain",1.5',
  '2,"two\nlines, and a comma",2.5',
  '3,"quote "" inside\n""and"" newline",3.5',
  "4,,4.5",
  '5,"last ""one""",5.5',
].join("\n");

describe("chunkRecords", () => {
  it("keeps quoted newlines whole, repeats the header, and loses or repeats no record (CSV)", async () => {
    for (const chunk of [1, 3, 7, 64]) {
      for (const partBytes of [1, 20, 40, 1000]) {
        const { parts, texts } = await cut(Buffer.from(`${TRICKY}\n`), { csv: true, partBytes, chunk });
        const header = "id,note,score\n";
        for (const t of texts) expect(t.startsWith(header)).toBe(true);
        expect(texts.map((t) => t.slice(header.length)).join("")).toBe(`${TRICKY.slice(header.length)}\n`);
        // Five records over eight lines of the original (header = line 1).
        expect(parts.reduce((n, p) => n + p.lines, 0)).toBe(5);
        expect(parts[0]!.firstLine).toBe(2);
        for (let i = 1; i < parts.length; i++)
          expect(parts[i]!.firstLine).toBe(parts[i - 1]!.firstLine + parts[i - 1]!.lines);
      }
    }
  });

  it("gives parts DuckDB reads as the same records, in order (real data: weather, gzip)", async () => {
    const original = fs.readFileSync(path.join(VEGA, "weather.csv"));
    const { parts, texts, dir } = await cut(gzipSync(original), {
      csv: true,
      partBytes: 16_000,
      chunk: 4096,
      gzip: true,
    });
    expect(parts.length).toBeGreaterThan(4);
    for (const p of parts) expect(p.bytes).toBeLessThan(16_000 + 200);
    const db = await Database.open();
    try {
      const files = texts.map((t, i) => {
        const f = path.join(dir, `p${i}.csv`);
        fs.writeFileSync(f, t);
        return `'${f}'`;
      });
      const whole = path.join(dir, "whole.csv");
      fs.writeFileSync(whole, original);
      const fromParts = await db.all(`SELECT * FROM read_csv([${files.join(", ")}], header = true) `);
      const direct = await db.all(`SELECT * FROM read_csv('${whole}', header = true)`);
      expect(fromParts).toEqual(direct);
      expect(parts.reduce((n, p) => n + p.lines, 0)).toBe(direct.length);
    } finally {
      db.close();
    }
  });

  it("cuts JSON lines by line, counting blank lines, and a last line without a newline", async () => {
    const text = '{"a":1}\n\n{"a":2}\n{"a":3}\n{"a":4}';
    const { parts, texts } = await cut(Buffer.from(text), { csv: false, partBytes: 9, chunk: 2 });
    expect(texts.join("")).toBe(text);
    // A part ends at the first line end at or past 9 bytes.
    expect(parts.map((p) => [p.firstLine, p.lines])).toEqual([
      [1, 2],
      [3, 2],
      [5, 1],
    ]);
  });

  it("knows which blobs it can cut", () => {
    expect(cuttable("d/training/a.csv")).toEqual({ csv: true, gzip: false, ext: "csv", stem: "a" });
    expect(cuttable("d/training/a.jsonl.gz")).toEqual({ csv: false, gzip: true, ext: "jsonl", stem: "a" });
    expect(cuttable("d/training/Big.Drop.TSV.gzip")).toEqual({
      csv: true,
      gzip: true,
      ext: "tsv",
      stem: "Big.Drop",
    });
    expect(cuttable("d/training/a.json")).toBeUndefined();
  });
});
