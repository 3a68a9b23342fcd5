/**
 * Making a blob readable: format detection, bounded decompression and the CSV header read by hand
 * (duplicates matter; DuckDB would silently rename them). source-relation.ts turns the prepared
 * blob into DuckDB's relation of raw text values.
 */
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { stripExtensions } from "../../contract/raw-key.js";
import { BlobFormatError } from "../../core/errors.js";
import { duplicateNames, headerlessNames } from "../../core/input/csv.js";
import { encodingAdvice, foreignEncoding } from "../../core/input/encoding.js";
import type { CsvOptions } from "../../core/schema/types.js";
import type { BlobFormat, ReadLimits } from "../../ports/ingest-engine.js";

export type { BlobFormat, ReadLimits };
export { stripExtensions };

/**
 * DuckDB's CSV reader buffers 16× the line limit unless told otherwise (a 512 MiB buffer for 32 MiB
 * lines), so the buffer is set explicitly: large enough that an over-long line is seen whole and
 * rejected as such, small enough to keep the reader near 32 MiB per thread.
 */
export const DEFAULT_LIMITS: ReadLimits = {
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxLineBytes: 8 * 1024 ** 2,
};

export function csvBufferBytes(limits: ReadLimits): number {
  return Math.max(4 * limits.maxLineBytes, 32 * 1024 ** 2);
}

export interface PreparedBlob {
  /** Plain (decompressed) local file DuckDB reads. */
  readonly path: string;
  readonly format: BlobFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  /** CSV quote character (the schema's `csv.quote`, default `"`). */
  readonly quote?: string;
  /** Whether the CSV's first record is a header (the schema's `csv.header`, default true). */
  readonly hasHeader?: boolean;
  /** CSV field names in order: the header, or column0… without one (JSON: undefined). */
  readonly header?: readonly string[];
  readonly duplicateFields: readonly string[];
  /** About how many records (lines) the plain blob holds: see estimateRecords. */
  readonly estimatedRecords: number;
}

async function head(path: string, bytes: number): Promise<Buffer> {
  const fh = await fs.open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function gunzipBounded(key: string, src: string, dest: string, max: number): Promise<void> {
  let total = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > max)
        done(new BlobFormatError(key, `decompresses to more than ${max} bytes (gzip bomb guard); refused`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(src, { highWaterMark: 1 << 20 }),
      createGunzip(),
      limiter,
      createWriteStream(dest),
    );
  } catch (err) {
    if (err instanceof BlobFormatError) throw err;
    throw new BlobFormatError(key, `corrupt or truncated gzip: ${(err as Error).message}`, { cause: err });
  }
}

/** Parse the first CSV record (RFC 4180 quoting) from the start of a file. */
export function parseHeader(text: string, delimiter: string, quote = '"'): string[] | undefined {
  const fields: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === quote) {
        if (text[i + 1] === quote) {
          field += quote;
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === quote && field === "") quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      fields.push(field);
      return fields;
    } else field += ch;
  }
  return undefined;
}

export async function prepareBlob(
  key: string,
  localPath: string,
  scratch: string,
  limits: ReadLimits,
  /** The dataset's CSV dialect (schema `csv`): delimiter, quote and header are honoured. */
  dialect: CsvOptions = {},
): Promise<PreparedBlob> {
  const magic = await head(localPath, 2);
  const ext = stripExtensions(key);
  const gzip = magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  let path = localPath;
  if (gzip) {
    path = `${scratch}/decompressed`;
    await gunzipBounded(key, localPath, path, limits.maxDecompressedBytes);
  } else if (ext.gz) {
    throw new BlobFormatError(key, "named .gz but is not gzip-compressed (no gzip magic bytes)");
  }
  const start = await head(path, 1 << 20);
  const estimatedRecords = estimateRecords((await fs.stat(path)).size, start);
  if (start.length === 0) throw new BlobFormatError(key, "empty blob: no header and no records");
  const encoding = foreignEncoding(start, start.length < 1 << 20);
  if (encoding) throw new BlobFormatError(key, encodingAdvice(key, encoding));
  const nul = start.indexOf(0);
  if (nul >= 0) throw new BlobFormatError(key, `binary content (NUL byte at offset ${nul}): not CSV or JSON`);
  const text = start.toString("utf8");
  const firstChar = text.replace(/^\uFEFF/, "").trimStart()[0];
  let format: BlobFormat;
  if (/\.(jsonl|ndjson)$/.test(ext.base)) format = "jsonl";
  else if (/\.json$/.test(ext.base)) format = firstChar === "[" ? "json-array" : "jsonl";
  // Content beats the name: a JSON array or JSON lines saved as .csv is read as JSON.
  else format = firstChar === "[" ? "json-array" : firstChar === "{" ? "jsonl" : "csv";
  if (format !== "csv") return { path, format, gzip, delimiter: "", duplicateFields: [], estimatedRecords };
  const delimiter = dialect.delimiter ?? (ext.base.endsWith(".tsv") ? "\t" : ",");
  const quote = dialect.quote ?? '"';
  const first =
    parseHeader(text, delimiter, quote) ??
    (start.length < 1 << 20 ? parseHeader(`${text}\n`, delimiter, quote) : undefined);
  if (!first)
    throw new BlobFormatError(key, "header line longer than 1 MiB or unterminated quote in header", {
      line: 1,
    });
  const hasHeader = dialect.header ?? true;
  const header = hasHeader ? first : headerlessNames(first.length);
  const duplicates = duplicateNames(header);
  if (duplicates.length > 0)
    throw new BlobFormatError(
      key,
      `ambiguous header: ${duplicates.map((d) => JSON.stringify(d)).join(", ")} ${duplicates.length === 1 ? "names" : "name"} more than one column; rename the columns so each feature has one`,
      { line: 1 },
    );
  return { path, format, gzip, delimiter, quote, hasHeader, header, duplicateFields: [], estimatedRecords };
}

/**
 * About how many records (lines) a plain blob of `size` bytes holds, from the density of line
 * breaks in its first MiB (`sample`, the bytes format detection read): enough to size staging and
 * Parquet row groups by cells, never used as a count.
 */
function estimateRecords(size: number, sample: Buffer): number {
  let lines = 0;
  let last = -1;
  for (let i = sample.indexOf(0x0a); i >= 0; i = sample.indexOf(0x0a, i + 1)) {
    lines++;
    last = i;
  }
  if (lines === 0) return 1;
  return Math.max(1, Math.round((size * lines) / (last + 1)));
}
