/**
 * Text encodings lakeline does not read, recognised from a file's first bytes so a person gets the
 * conversion command instead of a parser's error. Everything lakeline reads is UTF-8 (with or
 * without a byte-order mark).
 */
export type ForeignEncoding = "UTF-16LE" | "UTF-16BE" | "UTF-32LE" | "UTF-32BE" | "ISO-8859-1";

/** The encoding the bytes are in when it is not UTF-8; undefined for UTF-8 (or plain ASCII). */
export function foreignEncoding(head: Uint8Array, complete: boolean): ForeignEncoding | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return head[2] === 0 && head[3] === 0 ? "UTF-32LE" : "UTF-16LE";
  if (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return "UTF-32BE";
  if (head[0] === 0xfe && head[1] === 0xff) return "UTF-16BE";
  // UTF-16 without a byte-order mark: ASCII text with every other byte NUL.
  if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return "UTF-16LE";
  if (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return "UTF-16BE";
  return latin1(head, complete) ? "ISO-8859-1" : undefined;
}

/**
 * 8-bit text (Latin-1, Windows-1252): bytes above 0x7F that never form a UTF-8 sequence. A file
 * with well-formed UTF-8 sequences and a few broken ones is damaged UTF-8 instead: its bad records
 * are quarantined one by one, not the whole file refused.
 */
function latin1(bytes: Uint8Array, complete: boolean): boolean {
  // Well-formed UTF-8 throughout (plain ASCII included) has no invalid sequence: the decoder, native,
  // says so at once where the byte loop took 8–13 ms of CPU over a 1 MiB head on every ingest.
  return !wellFormedUtf8(bytes) && latin1Bytes(bytes, complete);
}

/** The rule itself, byte by byte: no well-formed multi-byte sequence and at least one broken one. */
export function latin1Bytes(bytes: Uint8Array, complete: boolean): boolean {
  let valid = 0;
  let invalid = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need > 0 && i + need >= bytes.length && !complete) break;
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return invalid > 0 && valid === 0;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function wellFormedUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** What to tell a person whose file is in `encoding`. */
export function encodingAdvice(file: string, encoding: ForeignEncoding): string {
  const from = encoding === "ISO-8859-1" ? "LATIN1" : encoding;
  const base = file.split("/").at(-1) ?? file;
  const dot = base.lastIndexOf(".");
  const out = dot > 0 ? `${base.slice(0, dot)}.utf8${base.slice(dot)}` : `${base}.utf8`;
  return (
    `the file is ${encoding === "ISO-8859-1" ? "not UTF-8 (Latin-1 or another 8-bit encoding?)" : `${encoding} text`}; ` +
    `lakeline reads UTF-8: convert it with \`iconv -f ${from} -t UTF-8 ${base} > ${out}\``
  );
}
