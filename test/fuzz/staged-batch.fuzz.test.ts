/**
 * Property tests of the staged batch on generated CSV and JSON lines: random field values with
 * quotes, delimiters, newlines, unicode and empties, against a model of what each row must become.
 * Invariants: no error but typed LakelineErrors; every row read is valid or quarantined; exactly
 * the rows the model calls valid reach the warehouse, with their typed values intact.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LakelineError } from "../../src/core/errors.js";
import { parseSchema } from "../../src/core/schema/format.js";
import { RUNS, SEED, stage } from "./support.js";

const SCHEMA = parseSchema(
  JSON.stringify({
    dataset: "fuzz",
    version: 1,
    features: [
      { name: "id", type: "INT", presence: { minFraction: 1 } },
      { name: "name", type: "STRING" },
      { name: "score", type: "FLOAT" },
      { name: "note", type: "STRING" },
    ],
  }),
  "fuzz/v1.json",
);

/** A cell: its text in the file, the typed value the warehouse must hold, and whether it is valid. */
interface Cell {
  readonly text: string;
  readonly value: unknown;
  readonly ok: boolean;
}

/** Characters that break naive readers, mixed with ordinary ones. */
const tricky = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('"', ",", "\n", "\r\n", "\r", " ", "\t", ";", "'", "\\", "|", "{", "}"),
  },
  { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom("é", "ß", "日本", "😀", "\u00a0", "\u200b", "\u2028", "ŉ", "Ω") },
);
const text = fc.array(tricky, { maxLength: 8 }).map((parts) => parts.join(""));

const doubleValue = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((x) => (Object.is(x, -0) ? 0 : x));

const idCell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 6, arbitrary: fc.integer().map((n) => ({ text: String(n), value: n, ok: true })) },
  { weight: 1, arbitrary: fc.constant({ text: "", value: null, ok: false }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 99 }))
      .map(([a, b]) => ({ text: `${a}.${b}`, value: null, ok: false })),
  },
  { weight: 1, arbitrary: text.map((s) => ({ text: `x${s}`, value: null, ok: false })) },
  // Spellings DuckDB's own cast would turn into integers: "35e-1" → 4, "0x10" → 16.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("35e-1", "1e3", "0x10", "1_000", "4e-1", "1E0")
      .map((t) => ({ text: t, value: null, ok: false })),
  },
);
const scoreCell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 6, arbitrary: doubleValue.map((x) => ({ text: String(x), value: x, ok: true })) },
  { weight: 1, arbitrary: fc.constant({ text: "", value: null, ok: true }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("NaN", "Infinity", "-Infinity", "inf")
      .map((t) => ({ text: t, value: null, ok: false })),
  },
  { weight: 1, arbitrary: text.map((s) => ({ text: `v${s}`, value: null, ok: false })) },
);
// CSV has no way to tell an empty string from a missing value: both are NULL.
const stringCell: fc.Arbitrary<Cell> = text.map((s) => ({ text: s, value: s === "" ? null : s, ok: true }));

const csvRow = fc.tuple(idCell, stringCell, scoreCell, stringCell);

function csvField(s: string): string {
  return /^[A-Za-z0-9.+-]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
}

function expectTyped(valid: Record<string, unknown>[], expected: { line: number; cells: Cell[] }[]) {
  expect(valid.map((r) => r._source_row)).toEqual(expected.map((e) => e.line));
  valid.forEach((r, i) => {
    const cells = expected[i]!.cells;
    expect(r.id === null ? null : Number(r.id)).toBe(cells[0]!.value);
    expect(r.name).toBe(cells[1]!.value);
    expect(r.score).toBe(cells[2]!.value);
    expect(r.note).toBe(cells[3]!.value);
  });
}

describe("staged batch on generated CSV", () => {
  it("accounts for every row and round-trips the typed values of valid ones", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(csvRow, { maxLength: 12 }),
        fc.constantFrom("\n", "\r\n"),
        async (rows, eol) => {
          // Prepare
          const csv = `id,name,score,note${eol}${rows.map((r) => r.map((c) => csvField(c.text)).join(",")).join(eol)}${rows.length > 0 ? eol : ""}`;

          // Act
          const staged = await stage("blob.csv", csv, SCHEMA);

          // Assess
          expect(staged.rowsRead).toBe(rows.length);
          expect(staged.rowsValid + staged.rowsQuarantined).toBe(staged.rowsRead);
          const expected = rows
            .map((cells, i) => ({ line: i + 1, cells }))
            .filter((r) => r.cells.every((c) => c.ok));
          expect(staged.rowsValid).toBe(expected.length);
          expectTyped(staged.valid, expected);
          expect(staged.quarantined).toHaveLength(staged.rowsQuarantined);
          for (const q of staged.quarantined) expect(q.reasons.length).toBeGreaterThan(0);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("raises nothing but LakelineErrors on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("blob.csv", "blob.jsonl", "blob.json", "blob.csv.gz", "blob"),
        async (bytes, name) => {
          try {
            const staged = await stage(name, Buffer.concat([Buffer.from("id,name\n"), bytes]), SCHEMA);
            expect(staged.rowsValid + staged.rowsQuarantined).toBe(staged.rowsRead);
          } catch (err) {
            expect(err, String(err)).toBeInstanceOf(LakelineError);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/** A JSON line and what it must become (`undefined` cells: the line is not a record). */
interface JsonLine {
  readonly text: string;
  readonly cells?: Cell[];
}

const jsonId: fc.Arbitrary<[unknown, Cell]> = fc.oneof(
  { weight: 6, arbitrary: fc.integer().map((n): [unknown, Cell] => [n, { text: "", value: n, ok: true }]) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: -999, max: 999 })
      .map((n): [unknown, Cell] => [String(n), { text: "", value: n, ok: true }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(3.5, -0.25, true, null, [1], { a: 1 }, "x", undefined)
      .map((v): [unknown, Cell] => [v, { text: "", value: null, ok: false }]),
  },
);
const jsonScore: fc.Arbitrary<[unknown, Cell]> = fc.oneof(
  { weight: 5, arbitrary: doubleValue.map((x): [unknown, Cell] => [x, { text: "", value: x, ok: true }]) },
  {
    weight: 1,
    arbitrary: doubleValue.map((x): [unknown, Cell] => [String(x), { text: "", value: x, ok: true }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(null, undefined)
      .map((v): [unknown, Cell] => [v, { text: "", value: null, ok: true }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>("NaN", "abc", "Infinity", false)
      .map((v): [unknown, Cell] => [v, { text: "", value: null, ok: false }]),
  },
);
// In JSON an empty string is a value, not a missing one.
const jsonString: fc.Arbitrary<[unknown, Cell]> = fc.oneof(
  { weight: 5, arbitrary: text.map((s): [unknown, Cell] => [s, { text: "", value: s, ok: true }]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(null, undefined)
      .map((v): [unknown, Cell] => [v, { text: "", value: null, ok: true }]),
  },
);

const jsonRecord: fc.Arbitrary<JsonLine> = fc
  .tuple(jsonId, jsonString, jsonScore, jsonString, fc.boolean())
  .map(([id, name, score, note, extra]) => {
    const object: Record<string, unknown> = { id: id[0], name: name[0], score: score[0], note: note[0] };
    if (extra) object["unknown field"] = "ignored";
    return { text: JSON.stringify(object), cells: [id[1], name[1], score[1], note[1]] };
  });
const jsonJunk: fc.Arbitrary<JsonLine> = fc
  .constantFrom("[1,2]", "{", "42", '"s"', "null", "true", '{"id":}', "{'id': 1}")
  .map((t) => ({ text: t }));
const jsonLine = fc.oneof(
  { weight: 6, arbitrary: jsonRecord },
  { weight: 1, arbitrary: jsonJunk },
  { weight: 1, arbitrary: fc.constantFrom<JsonLine>({ text: "" }, { text: "  " }) },
);

describe("staged batch on generated JSON lines", () => {
  it("accounts for every line and round-trips the typed values of valid records", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonLine, { maxLength: 12 }), async (lines) => {
        // Prepare
        const body = lines.map((l) => l.text).join("\n");

        // Act
        const staged = await stage("blob.jsonl", body.length > 0 ? `${body}\n` : "\n", SCHEMA);

        // Assess: blank lines are not records; junk lines are malformed records
        const records = lines.map((l, i) => ({ line: i + 1, ...l })).filter((l) => l.text.trim() !== "");
        expect(staged.rowsRead).toBe(records.length);
        expect(staged.rowsValid + staged.rowsQuarantined).toBe(staged.rowsRead);
        const expected = records
          .filter((r) => r.cells?.every((c) => c.ok))
          .map((r) => ({ line: r.line, cells: r.cells! }));
        expect(staged.rowsValid).toBe(expected.length);
        expectTyped(staged.valid, expected);
        const junk = records.filter((r) => !r.cells).map((r) => r.line);
        for (const line of junk) {
          const q = staged.quarantined.find((x) => x.row === line);
          expect(
            q?.reasons.some((r) => r.startsWith(`RECORD_MALFORMED line ${line}: not a JSON object`)),
            `line ${line}`,
          ).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
