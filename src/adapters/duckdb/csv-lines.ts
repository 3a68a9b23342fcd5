/**
 * Where DuckDB's rejected CSV records are in the file, in a person's terms. DuckDB numbers a rejected
 * record by its own line counter (the `line` of the rejects table), which counts the header and every
 * record as one line each — a record whose quoted field holds a newline too — and counts blank lines,
 * although the records it returns skip them. So after a multi-line record its `line` is not the
 * line an editor shows, and after a blank line it is not the record's ordinal either: read as an
 * ordinal, a malformed record and the valid rows after it got each other's numbers.
 *
 * This reads the file up to the last rejected record, splitting records as DuckDB does (a newline
 * inside quotes does not end a record), and gives each rejected `line` its physical line and the
 * blank lines before it. Its own record text must equal the one DuckDB rejected (`csv_line`), or the
 * positions are not used at all (then `line` stands, as before).
 */
import { createReadStream } from "node:fs";

/** A rejected record located: the line it starts on, and how many blank lines precede it. */
export interface CsvRecordPosition {
  /** 1-based line of the file where the record starts. */
  readonly physical: number;
  /** Blank lines before it, which DuckDB's `line` counts but its records skip. */
  readonly blankBefore: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/** A rejects table's records, one row per DuckDB `line`, with the text it rejected (`text`). */
export function rejectedTextsSql(table: string): string {
  return `SELECT line, any_value(csv_line) AS text FROM ${table} GROUP BY line ORDER BY line`;
}

/** Rows of rejectedTextsSql located in `file` (see csvRecordPositions). */
export function locateRejected(
  file: string,
  quote: string,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<Map<number, CsvRecordPosition> | undefined> {
  return csvRecordPositions(file, quote, new Map(rows.map((r) => [Number(r.line), String(r.text ?? "")])));
}

/** DuckDB's `csv_line` without the line ends it may carry at either edge. */
function bare(text: string): string {
  return text.replace(/^[\r\n]+|[\r\n]+$/g, "");
}

/**
 * Positions of the records DuckDB counted as `lines` (with their rejected text), or undefined when
 * the file does not split into those records as DuckDB read it.
 */
export async function csvRecordPositions(
  file: string,
  quote: string,
  rejected: ReadonlyMap<number, string>,
): Promise<Map<number, CsvRecordPosition> | undefined> {
  if (rejected.size === 0) return new Map();
  const last = Math.max(...rejected.keys());
  const q = quote.charCodeAt(0);
  const found = new Map<number, CsvRecordPosition & { text: string }>();
  let line = 1;
  let physical = 1;
  let startPhysical = 1;
  let blanks = 0;
  let quoted = false;
  /** Bytes of the current record other than line ends, to tell a blank line. */
  let length = 0;
  let previous = -1;
  /** Pieces of the current record when it is one of `rejected`. */
  let pieces: Buffer[] | undefined = rejected.has(1) ? [] : undefined;
  const endRecord = () => {
    if (pieces) {
      found.set(line, {
        physical: startPhysical,
        blankBefore: blanks,
        text: bare(Buffer.concat(pieces).toString("utf8")),
      });
    }
    if (length === 0) blanks++;
    line++;
    physical++;
    startPhysical = physical;
    length = 0;
    pieces = rejected.has(line) ? [] : undefined;
  };
  /** A carriage return ended the previous chunk: a line end if the next chunk starts with a newline. */
  let pendingCr = false;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    // Native searches (memchr) for quotes and newlines, not a loop over every byte: the records
    // before the last rejected one are only counted.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const n = chunk.length;
      if (pendingCr && chunk[0] !== NEWLINE) length++;
      pendingCr = false;
      let from = 0;
      let i = 0;
      let nextQuote = chunk.indexOf(q, 0);
      while (i < n) {
        if (quoted) {
          const end = nextQuote === -1 ? n : nextQuote;
          for (let p = chunk.indexOf(NEWLINE, i); p !== -1 && p < end; p = chunk.indexOf(NEWLINE, p + 1))
            physical++;
          length += end - i;
          if (nextQuote === -1) {
            i = n;
            break;
          }
          quoted = false;
          i = nextQuote + 1;
          nextQuote = chunk.indexOf(q, i);
          continue;
        }
        const nl = chunk.indexOf(NEWLINE, i);
        if (nextQuote !== -1 && (nl === -1 || nextQuote < nl)) {
          length += nextQuote - i + 1;
          quoted = true;
          i = nextQuote + 1;
          nextQuote = chunk.indexOf(q, i);
          continue;
        }
        if (nl === -1) {
          // The record goes on in the next chunk; a carriage return here may be its line end.
          pendingCr = chunk[n - 1] === CR;
          length += n - i - (pendingCr ? 1 : 0);
          i = n;
          break;
        }
        length += nl - i - (nl > i && chunk[nl - 1] === CR ? 1 : 0);
        pieces?.push(chunk.subarray(from, nl));
        from = nl + 1;
        i = nl + 1;
        endRecord();
        if (line > last) return verified(found, rejected);
      }
      pieces?.push(chunk.subarray(from));
      previous = chunk[n - 1] ?? previous;
    }
    // The last record may have no line end.
    if (pieces && previous !== NEWLINE) endRecord();
    return verified(found, rejected);
  } finally {
    stream.destroy();
  }
}

function verified(
  found: ReadonlyMap<number, CsvRecordPosition & { text: string }>,
  rejected: ReadonlyMap<number, string>,
): Map<number, CsvRecordPosition> | undefined {
  const out = new Map<number, CsvRecordPosition>();
  for (const [line, text] of rejected) {
    const f = found.get(line);
    if (!f || f.text !== bare(text)) return undefined;
    out.set(line, { physical: f.physical, blankBefore: f.blankBefore });
  }
  return out;
}
