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
 * What can be cut: CSV/TSV and JSON lines, plain or gzip (named as the reader names them). A JSON
 * array cannot be cut by lines. `stem` is the file name without its extensions, as written.
 */
export function cuttable(
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
export async function chunkRecords(source: AsyncIterable<Buffer>, opts: PartOptions): Promise<PartFile[]> {
  const writer = new PartWriter(opts);
  try {
    for await (const chunk of source) await writer.feed(chunk);
    await writer.finish();
  } finally {
    await writer.dispose();
  }
  return writer.parts;
}

interface PartOptions {
  readonly csv: boolean;
  readonly partBytes: number;
  readonly dir: string;
  readonly onPart: (part: PartFile) => Promise<void>;
}

/** The cutting state: where in a CSV quote we are, the header every part repeats, the open part. */
class PartWriter {
  readonly parts: PartFile[] = [];
  private inQuotes = false;
  private header: Buffer | undefined;
  private readonly headerChunks: Buffer[] = [];
  /** The original blob's line of the next record. */
  private line: number;
  private lastByte = NEWLINE;
  private handle: fs.FileHandle | undefined;
  private current:
    | { index: number; file: string; bytes: number; firstLine: number; lines: number }
    | undefined;

  constructor(private readonly opts: PartOptions) {
    this.header = opts.csv ? undefined : Buffer.alloc(0);
    this.line = opts.csv ? 2 : 1;
  }

  async feed(chunk: Buffer): Promise<void> {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE && this.opts.csv) {
        this.inQuotes = !this.inQuotes;
      } else if (b === NEWLINE && !this.inQuotes) {
        if (this.header === undefined) {
          this.headerChunks.push(chunk.subarray(start, i + 1));
          this.header = Buffer.concat(this.headerChunks);
          start = i + 1;
          continue;
        }
        if (!this.current && !this.handle) await this.open();
        this.current!.lines++;
        this.line++;
        if (this.current!.bytes + (i + 1 - start) >= this.opts.partBytes) {
          await this.write(chunk.subarray(start, i + 1));
          start = i + 1;
          await this.close();
        }
      }
    }
    if (this.header === undefined) this.headerChunks.push(chunk.subarray(start));
    else await this.write(chunk.subarray(start));
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1]!;
  }

  async finish(): Promise<void> {
    // A last record without a final newline still counts.
    if (this.current && this.lastByte !== NEWLINE) this.current.lines++;
    await this.close();
  }

  /**
   * After a failure, the open part's handle is closed; an error closing it is secondary (the file is
   * in scratch, removed with it), and the failure that got here is what the caller sees.
   */
  async dispose(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const index = this.parts.length;
    const file = path.join(this.opts.dir, `part-${index}`);
    this.handle = await fs.open(file, "w");
    this.current = { index, file, bytes: 0, firstLine: this.line, lines: 0 };
    if (this.header!.length > 0) await this.handle.write(this.header!);
  }

  private async write(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    if (!this.handle) await this.open();
    await this.handle!.write(bytes);
    this.current!.bytes += bytes.length;
  }

  private async close(): Promise<void> {
    if (!this.handle || !this.current) return;
    await this.handle.close();
    this.handle = undefined;
    const part: PartFile = { ...this.current, bytes: this.current.bytes + this.header!.length };
    this.current = undefined;
    this.parts.push(part);
    await this.opts.onPart(part);
  }
}

/** The blob's bytes, decompressed when it is gzip (a read error reaches the reader either way). */
export function recordStream(stream: Readable, gzip: boolean): AsyncIterable<Buffer> {
  if (!gzip) return stream;
  const gunzip = createGunzip();
  stream.on("error", (err) => gunzip.destroy(err));
  return stream.pipe(gunzip);
}
