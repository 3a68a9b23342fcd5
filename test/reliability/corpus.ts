/**
 * The bad-input corpus: blobs a data lake meets in the wild, generated here (no binary fixtures in
 * git), each with what lakeline must do with it. The schema is small on purpose so expectations
 * can be stated exactly.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { ReadLimits } from "../../src/adapters/duckdb/reader.js";

/** `items`: a required INT, a STRING, a FLOAT and an optional STRING; never rejects on the bad-row fraction. */
export const ITEMS_SCHEMA = {
  dataset: "items",
  version: 1,
  description: "reliability corpus",
  features: [
    { name: "id", type: "INT", presence: { minFraction: 1 } },
    { name: "name", type: "STRING" },
    { name: "score", type: "FLOAT" },
    { name: "note", type: "STRING" },
  ],
  policy: { maxBadRowFraction: 1, dedupeByContent: false },
};

export type Row = { id: number; name: string | null; score: number | null; note: string | null };

export interface BadCase {
  readonly name: string;
  /** File name as uploaded (its extension drives format detection). */
  readonly file: string;
  readonly bytes: () => Buffer;
  /** Dataset flag given to `lakeline ingest` (default `items`). */
  readonly dataset?: string;
  /** Read limits for this case; such cases go through the handler with `localIngestDeps(config, { limits })`. */
  readonly limits?: Partial<ReadLimits>;
  /** Extra schema files to write before ingesting: [dataset, file name, text]. */
  readonly schemaFiles?: readonly [string, string, string][];
  readonly expect:
    | {
        readonly status: "ok";
        readonly rowsRead: number;
        readonly rowsWritten: number;
        /** Every quarantined row has a reason matching one of these, and each of these matches some reason. */
        readonly quarantine?: readonly RegExp[];
        /** Valid rows as they read back from the warehouse, by id. */
        readonly rows?: readonly Row[];
        readonly anomaly?: { type: string; feature?: string };
        readonly check?: "huge-field";
      }
    | { readonly status: "rejected"; readonly reason: RegExp; readonly blobKept: boolean };
}

const HEADER = "id,name,score,note\n";
const b = (s: string | Buffer) => (typeof s === "string" ? Buffer.from(s, "utf8") : s);
const MiB = 1024 * 1024;

/** Incompressible CSV, so truncating its gzip really cuts records (a repetitive one fits in a few bytes). */
function randomCsv(rows: number): string {
  const hex = randomBytes(rows * 4).toString("hex");
  return (
    HEADER +
    Array.from({ length: rows }, (_, i) => `${i},${hex.slice(i * 8, i * 8 + 8)},1,x`).join("\n") +
    "\n"
  );
}

export const CORPUS: readonly BadCase[] = [
  {
    name: "UTF-8 byte order mark before the header",
    file: "bom.csv",
    bytes: () => b(`\uFEFF${HEADER}1,a,1.5,x\n`),
    expect: {
      status: "ok",
      rowsRead: 1,
      rowsWritten: 1,
      rows: [{ id: 1, name: "a", score: 1.5, note: "x" }],
    },
  },
  {
    name: "CRLF line endings",
    file: "crlf.csv",
    bytes: () => b("id,name,score,note\r\n1,a,1.5,x\r\n2,b,2.5,y\r\n"),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 2,
      rows: [
        { id: 1, name: "a", score: 1.5, note: "x" },
        { id: 2, name: "b", score: 2.5, note: "y" },
      ],
    },
  },
  {
    name: "quoted fields with newlines, commas and escaped quotes",
    file: "quoted.csv",
    bytes: () => b(`${HEADER}1,"a, b",1.5,"line1\nline2"\n2,"say ""hi""",2,"x,""y"",\r\nz"\n`),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 2,
      rows: [
        { id: 1, name: "a, b", score: 1.5, note: "line1\nline2" },
        { id: 2, name: 'say "hi"', score: 2, note: 'x,"y",\r\nz' },
      ],
    },
  },
  {
    name: "ragged row with too few fields",
    file: "ragged-few.csv",
    bytes: () => b(`${HEADER}1,a,1.5\n2,b,2.5,y\n`),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 1,
      quarantine: [/^RECORD_MALFORMED line 2: missing columns/],
    },
  },
  {
    name: "ragged row with too many fields",
    file: "ragged-many.csv",
    bytes: () => b(`${HEADER}1,a,1.5,x\n2,b,2.5,y,extra\n`),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 1,
      quarantine: [/^RECORD_MALFORMED line 3: too many columns/],
    },
  },
  {
    name: "unterminated quote",
    file: "unterminated.csv",
    bytes: () => b(`${HEADER}1,"abc,1,x\n`),
    expect: {
      status: "ok",
      rowsRead: 1,
      rowsWritten: 0,
      quarantine: [/^RECORD_MALFORMED line 2: .*unterminated quote/],
    },
  },
  {
    name: "wrong types",
    file: "types.csv",
    bytes: () => b(`${HEADER}x,a,abc,x\n2,b,2.5,y\n99999999999999999999,c,1,z\n`),
    expect: {
      status: "ok",
      rowsRead: 3,
      rowsWritten: 1,
      quarantine: [
        /^INT_TYPE_NOT_INT_STRING id: "x" is not INT$/,
        /^FLOAT_TYPE_NOT_FLOAT_STRING score: "abc" is not FLOAT$/,
        /"99999999999999999999" is not INT/,
      ],
      rows: [{ id: 2, name: "b", score: 2.5, note: "y" }],
    },
  },
  {
    name: "numbers with decimals in an INT column are not rounded",
    file: "int-decimals.csv",
    bytes: () => b(`${HEADER}3.5,a,1,x\n4.0,b,1,x\n5,c,1,x\n`),
    expect: {
      status: "ok",
      rowsRead: 3,
      rowsWritten: 1,
      quarantine: [
        /^INT_TYPE_NOT_INT_STRING id: "3\.5" is not INT$/,
        /^INT_TYPE_NOT_INT_STRING id: "4\.0" is not INT$/,
      ],
      rows: [{ id: 5, name: "c", score: 1, note: "x" }],
    },
  },
  {
    name: "INT values in scientific, hex or underscore notation",
    file: "int-notation.csv",
    bytes: () => b(`${HEADER}35e-1,a,1,x\n4e-1,b,1,x\n0x10,c,1,x\n1_000,d,1,x\n 8 ,e,1,x\n`),
    expect: {
      status: "ok",
      rowsRead: 5,
      rowsWritten: 1,
      quarantine: [
        /^INT_TYPE_NOT_INT_STRING id: "35e-1" is not INT$/,
        /"4e-1" is not INT$/,
        /"0x10" is not INT$/,
        /"1_000" is not INT$/,
      ],
      rows: [{ id: 8, name: "e", score: 1, note: "x" }],
    },
  },
  {
    name: "decimals in an INT field of JSON lines",
    file: "int-decimals.jsonl",
    bytes: () => b('{"id":3.5,"name":"a"}\n{"id":7,"name":"b"}\n'),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 1,
      quarantine: [/^INT_TYPE_NOT_INT_STRING id: "3\.5" is not INT$/],
      rows: [{ id: 7, name: "b", score: null, note: null }],
    },
  },
  {
    name: "NaN and infinities in a FLOAT column",
    file: "nan.csv",
    bytes: () => b(`${HEADER}1,a,NaN,x\n2,b,Infinity,x\n3,c,-inf,x\n4,d,1e400,x\n5,e,0.25,x\n`),
    expect: {
      status: "ok",
      rowsRead: 5,
      rowsWritten: 1,
      quarantine: [/^FLOAT_TYPE_HAS_NAN score: NaN or infinite value$/],
      rows: [{ id: 5, name: "e", score: 0.25, note: "x" }],
    },
  },
  {
    name: "empty file",
    file: "empty.csv",
    bytes: () => Buffer.alloc(0),
    expect: { status: "rejected", reason: /empty blob/, blobKept: true },
  },
  {
    name: "header only",
    file: "header-only.csv",
    bytes: () => b(HEADER),
    expect: { status: "ok", rowsRead: 0, rowsWritten: 0 },
  },
  {
    name: "binary junk",
    file: "junk.csv",
    bytes: () =>
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
        randomBytes(4096),
      ]),
    expect: { status: "rejected", reason: /binary content \(NUL byte at offset 8\)/, blobKept: true },
  },
  {
    name: "truncated gzip",
    file: "truncated.csv.gz",
    bytes: () => {
      const gz = gzipSync(randomCsv(2000));
      return gz.subarray(0, Math.floor(gz.length / 2));
    },
    expect: { status: "rejected", reason: /corrupt or truncated gzip/, blobKept: true },
  },
  {
    name: "named .gz but not gzip",
    file: "plain.csv.gz",
    bytes: () => b(`${HEADER}1,a,1,x\n`),
    expect: { status: "rejected", reason: /named \.gz but is not gzip-compressed/, blobKept: true },
  },
  {
    name: "gzip bomb (8 MiB from a few KiB, limit 1 MiB)",
    file: "bomb.csv.gz",
    bytes: () => gzipSync(Buffer.concat([b(HEADER), Buffer.alloc(8 * MiB, "1,a,1,x\n")]), { level: 9 }),
    limits: { maxDecompressedBytes: MiB },
    expect: {
      status: "rejected",
      reason: /decompresses to more than 1048576 bytes \(gzip bomb guard\)/,
      blobKept: true,
    },
  },
  {
    name: "one huge field (5 MiB)",
    file: "huge-field.csv",
    bytes: () => b(`${HEADER}1,${"h".repeat(5 * MiB)},1,x\n2,b,2,y\n`),
    expect: { status: "ok", rowsRead: 2, rowsWritten: 2, check: "huge-field" },
  },
  {
    name: "a line longer than the line limit (CSV)",
    file: "long-line.csv",
    bytes: () => b(`${HEADER}1,${"l".repeat(2 * MiB)},1,x\n2,b,2,y\n`),
    limits: { maxLineBytes: MiB },
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 1,
      quarantine: [
        /^RECORD_MALFORMED line 2: record of 2097\d{3} bytes is longer than the limit of 1048576 bytes for one record$/,
      ],
      rows: [{ id: 2, name: "b", score: 2, note: "y" }],
    },
  },
  {
    name: "a line longer than the line limit (JSON lines)",
    file: "long-line.jsonl",
    bytes: () => b(`{"id":1,"name":"${"l".repeat(2 * MiB)}"}\n{"id":2,"name":"b"}\n`),
    limits: { maxLineBytes: MiB },
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 1,
      quarantine: [
        /^RECORD_MALFORMED line 1: record of 2097\d{3} bytes is longer than the limit of 1048576 bytes for one record$/,
      ],
    },
  },
  {
    name: "a 20 MB JSON record (JSON lines) under the default limits",
    file: "huge-record.jsonl",
    bytes: () =>
      b(`{"id":2,"name":"b"}\n{"id":1,"name":"${"h".repeat(20 * MiB)}"}\n{"id":3,"name":"c","score":1.5}\n`),
    expect: {
      status: "ok",
      rowsRead: 3,
      rowsWritten: 2,
      // Named by its line, its size and the limit, in the reader's terms, not the engine's.
      quarantine: [
        /^RECORD_MALFORMED line 2: record of 20971538 bytes is longer than the limit of 8388608 bytes for one record$/,
      ],
      rows: [
        { id: 2, name: "b", score: null, note: null },
        { id: 3, name: "c", score: 1.5, note: null },
      ],
    },
  },
  {
    name: "invalid JSON lines",
    file: "invalid.jsonl",
    bytes: () => b('{"id":1,"name":"a"}\n{"id":2,\n[1,2]\n"text"\n\n{"id":6,"score":"NaN"}\n{"id":7}\n'),
    expect: {
      status: "ok",
      rowsRead: 6,
      rowsWritten: 2,
      quarantine: [
        /^RECORD_MALFORMED line 2: not a JSON object/,
        /^RECORD_MALFORMED line 3: not a JSON object/,
        /^RECORD_MALFORMED line 4: not a JSON object/,
        /^FLOAT_TYPE_HAS_NAN score/,
      ],
    },
  },
  {
    name: "a JSON array cut short",
    file: "cut.json",
    bytes: () => b('[{"id":1},{"id":2},{"id":'),
    expect: {
      status: "rejected",
      reason: /malformed json-array: .*items\/training\/cut\.json.*unexpected end of data/,
      blobKept: true,
    },
  },
  {
    name: "a JSON array with non-object elements",
    file: "mixed.json",
    bytes: () => b('[{"id":1},3,"x",null,{"id":"5"}]'),
    expect: {
      status: "ok",
      rowsRead: 5,
      rowsWritten: 2,
      quarantine: [
        /^RECORD_MALFORMED element 2: not a JSON object/,
        /^RECORD_MALFORMED element 3/,
        /^RECORD_MALFORMED element 4: not a JSON object: null$/,
      ],
    },
  },
  {
    name: "Latin-1 text (no UTF-8 anywhere)",
    file: "latin1.csv",
    bytes: () => Buffer.concat([b(`${HEADER}1,caf`), Buffer.from([0xe9]), b(",1,x\n2,b,2,y\n")]),
    expect: {
      status: "rejected",
      reason: /not UTF-8 .*iconv -f LATIN1 -t UTF-8 latin1\.csv > latin1\.utf8\.csv/,
      blobKept: true,
    },
  },
  {
    name: "UTF-16 text with a byte-order mark",
    file: "utf16.csv",
    bytes: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}1,a,1,x\n`, "utf16le")]),
    expect: {
      status: "rejected",
      reason: /UTF-16LE text; .*iconv -f UTF-16LE -t UTF-8 utf16\.csv/,
      blobKept: true,
    },
  },
  {
    name: "UTF-8 with one damaged byte",
    file: "damaged-utf8.csv",
    bytes: () => Buffer.concat([b(`${HEADER}1,café,1,x\n2,caf`), Buffer.from([0xe9]), b(",2,y\n3,c,3,z\n")]),
    expect: {
      status: "ok",
      rowsRead: 3,
      rowsWritten: 2,
      quarantine: [/^RECORD_MALFORMED line 3: invalid encoding/],
      rows: [
        { id: 1, name: "café", score: 1, note: "x" },
        { id: 3, name: "c", score: 3, note: "z" },
      ],
    },
  },
  {
    name: "duplicate header names (ambiguous: which column is the feature?)",
    file: "dup-header.csv",
    bytes: () => b("id,name,name,score\n1,first,second,1\n"),
    expect: {
      status: "rejected",
      reason: /ambiguous header: "name" names more than one column/,
      blobKept: true,
    },
  },
  {
    name: "a JSON array saved as .csv",
    file: "array.csv",
    bytes: () =>
      b(
        '[{"id": 1, "name": "a", "score": 1.5, "note": "x"}, {"id": 2, "name": "b", "score": 2, "note": null}]',
      ),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 2,
      rows: [
        { id: 1, name: "a", score: 1.5, note: "x" },
        { id: 2, name: "b", score: 2, note: null },
      ],
    },
  },
  {
    name: "a ;-separated file under a schema whose csv.delimiter is ;",
    file: "semi.csv",
    dataset: "items_semi",
    schemaFiles: [
      [
        "items_semi",
        "v1.json",
        JSON.stringify({ ...ITEMS_SCHEMA, dataset: "items_semi", csv: { delimiter: ";" } }),
      ],
    ],
    bytes: () => b('id;name;score;note\n1;"a;b";1.5;x\n2;b;2;y\n'),
    expect: {
      status: "ok",
      rowsRead: 2,
      rowsWritten: 2,
      rows: [
        { id: 1, name: "a;b", score: 1.5, note: "x" },
        { id: 2, name: "b", score: 2, note: "y" },
      ],
    },
  },
  {
    name: "unknown dataset",
    file: "unknown.csv",
    dataset: "nosuch",
    bytes: () => b(`${HEADER}1,a,1,x\n`),
    expect: { status: "rejected", reason: /schema not found: nosuch/, blobKept: true },
  },
  {
    name: "a dataset folder without a schema file",
    file: "ghost.csv",
    dataset: "ghost",
    schemaFiles: [["ghost", "README.md", "schemas go here\n"]],
    bytes: () => b(`${HEADER}1,a,1,x\n`),
    expect: { status: "rejected", reason: /schema not found: ghost/, blobKept: true },
  },
  {
    name: "a malformed schema file",
    file: "broken.csv",
    dataset: "broken",
    schemaFiles: [["broken", "v1.json", '{"dataset": "broken", "version": 1, "features": [']],
    bytes: () => b(`${HEADER}1,a,1,x\n`),
    expect: {
      status: "rejected",
      reason: /malformed schema file .*broken\/v1\.json: not valid JSON/,
      blobKept: true,
    },
  },
];
