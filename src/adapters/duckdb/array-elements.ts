/**
 * When DuckDB runs out of memory reading a JSON array, the cause is often one huge element (a JSON
 * array is read element by element, and an element is held whole): this finds the largest one, so
 * the failure can name it — its ordinal, byte offset and size — instead of only the memory limit.
 * A byte scan tracking depth and strings, run only after such a failure.
 */
import { createReadStream } from "node:fs";
import { QueryError } from "../../core/errors.js";

export interface ArrayElement {
  /** 1-based ordinal of the element in the array (its `_source_row`). */
  readonly index: number;
  /** Byte offset of its first byte in the (decompressed) file. */
  readonly offset: number;
  readonly bytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The largest top-level element of the JSON array in `file`, or undefined when it has none. */
export async function largestArrayElement(file: string): Promise<ArrayElement | undefined> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pos = 0;
  let index = 0;
  let start = -1;
  /** Just past the last byte of the element being read (trailing spaces are not the element's). */
  let end = 0;
  let largest: ArrayElement | undefined;
  const close = () => {
    if (start < 0) return;
    index += 1;
    if (!largest || end - start > largest.bytes) largest = { index, offset: start, bytes: end - start };
    start = -1;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++, pos++) {
      const c = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        end = pos + 1;
        continue;
      }
      if (SPACE.has(c)) continue;
      if (depth === 1 && (c === COMMA || CLOSERS.has(c))) {
        close();
        if (CLOSERS.has(c)) depth = 0;
        continue;
      }
      if (depth === 1 && start < 0) start = pos;
      if (c === QUOTE) inString = true;
      else if (OPENERS.has(c)) depth += 1;
      else if (CLOSERS.has(c)) depth -= 1;
      end = pos + 1;
    }
  }
  return largest;
}

/**
 * An out-of-memory failure reading a JSON array whose largest element is over `elementBytes`, told
 * with that element; any other failure is returned as it is. The run still fails (not rejected):
 * the same bytes land once the memory limit is raised (`lakeline replay`).
 */
export async function explainLargeElement(
  key: string,
  file: string,
  elementBytes: number,
  err: unknown,
): Promise<unknown> {
  if (!(err instanceof QueryError) || !/ran out of memory/.test(err.message)) return err;
  const largest = await largestArrayElement(file).catch(() => undefined);
  if (!largest || largest.bytes <= elementBytes) return err;
  return new QueryError(
    `${key}: element ${largest.index} of the JSON array (at byte ${largest.offset}, ${largest.bytes} bytes) ` +
      `does not fit in memory: ${err.message}; or write the file as JSON lines, where a record over ` +
      `${elementBytes} bytes is quarantined alone and the others land`,
    { ...err.data, element: largest.index, elementOffset: largest.offset, elementBytes: largest.bytes },
    { cause: err },
  );
}
