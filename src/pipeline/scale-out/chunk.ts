/**
 * The scale-out path for a blob too large for one invocation: cut it, as it streams, at record
 * boundaries into parts that each fit one, and store them as raw blobs of their own, which the
 * ordinary ingest then takes one invocation each (in AWS, the raw bucket's notification fires per
 * part). Only one part is on local disk at a time, so /tmp need not hold the blob.
 *
 * CSV: a record ends at a newline outside double quotes (RFC 4180: an escaped quote is two quotes,
 * so counting quotes tracks the state); every part starts with the header. JSON lines: a record is
 * a line. Line numbers are kept: each part knows the line of the original blob its first record
 * was on.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { stripExtensions } from "../../contract/raw-key.js";

export interface PartFile {
  /** 0-based. */
  readonly index: number;
  readonly file: string;
  readonly bytes: number;
  /** Line of the original (decompressed) blob holding the part's first record (1-based). */
  readonly firstLine: number;
  /** Lines of the original blob in this part, header excluded. */
  readonly lines: number;
}

/**
 * What can be split: CSV/TSV and JSON lines, plain or gzip (named as the reader names them). A JSON
 * array cannot be cut by lines. `stem` is the file name without its extensions, as written.
 */
export function splittable(
  key: string,
): { csv: boolean; gzip: boolean; ext: string; stem: string } | undefined {
  const { base, gz } = stripExtensions(key);
  const m = /\.(csv|tsv|jsonl|ndjson)$/.exec(base);
  if (!m) return undefined;
  const ext = m[1]!;
  const stem = path.posix.basename(key).slice(0, path.posix.basename(base).length - m[0].length);
  return { csv: ext === "csv" || ext === "tsv", gzip: gz, ext, stem };
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * Stream `source` into parts of about `partBytes` (a part ends at the first record boundary after
 * that size, so one long record makes one long part), handing each finished part to `onPart`,
 * which must consume the file before the next one is written. Returns the parts' descriptions.
 */
export async function splitRecords(
  source: AsyncIterable<Buffer>,
  opts: {
    csv: boolean;
    partBytes: number;
    dir: string;
    onPart: (part: PartFile) => Promise<void>;
  },
): Promise<PartFile[]> {
  const parts: PartFile[] = [];
  let inQuotes = false;
  let header: Buffer | undefined = opts.csv ? undefined : Buffer.alloc(0);
  const headerChunks: Buffer[] = [];
  let line = opts.csv ? 2 : 1; // the original blob's line of the next record
  let lastByte = NEWLINE;
  let handle: fs.FileHandle | undefined;
  let current: { index: number; file: string; bytes: number; firstLine: number; lines: number } | undefined;

  const open = async () => {
    const index = parts.length;
    const file = path.join(opts.dir, `part-${index}`);
    handle = await fs.open(file, "w");
    current = { index, file, bytes: 0, firstLine: line, lines: 0 };
    if (header!.length > 0) await handle.write(header!);
  };
  const write = async (bytes: Buffer) => {
    if (bytes.length === 0) return;
    if (!handle) await open();
    await handle!.write(bytes);
    current!.bytes += bytes.length;
  };
  const close = async () => {
    if (!handle || !current) return;
    await handle.close();
    handle = undefined;
    const part: PartFile = { ...current, bytes: current.bytes + header!.length };
    current = undefined;
    parts.push(part);
    await opts.onPart(part);
  };

  try {
    for await (const chunk of source) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === QUOTE && opts.csv) {
          inQuotes = !inQuotes;
        } else if (b === NEWLINE && !inQuotes) {
          if (header === undefined) {
            headerChunks.push(chunk.subarray(start, i + 1));
            header = Buffer.concat(headerChunks);
            start = i + 1;
            continue;
          }
          if (!current && !handle) await open();
          current!.lines++;
          line++;
          if (current!.bytes + (i + 1 - start) >= opts.partBytes) {
            await write(chunk.subarray(start, i + 1));
            start = i + 1;
            await close();
          }
        }
      }
      if (header === undefined) headerChunks.push(chunk.subarray(start));
      else await write(chunk.subarray(start));
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
    }
    // A last record without a final newline still counts.
    if (current && lastByte !== NEWLINE) current.lines++;
    await close();
  } finally {
    await handle?.close().catch(() => {});
  }
  return parts;
}

/** The blob's bytes, decompressed when it is gzip (a read error reaches the reader either way). */
export function recordStream(stream: Readable, gzip: boolean): AsyncIterable<Buffer> {
  if (!gzip) return stream;
  const gunzip = createGunzip();
  stream.on("error", (err) => gunzip.destroy(err));
  return stream.pipe(gunzip);
}
