/** The start of a local data file as text (gunzipped when it is gzip), refusing encodings lakeline does not read. */
import * as fs from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { UsageError } from "../../core/errors.js";
import { encodingAdvice, foreignEncoding } from "../../core/input/encoding.js";

const HEAD = 64 * 1024;

async function firstBytes(file: string): Promise<{ bytes: Buffer; complete: boolean }> {
  const fh = await fs.open(file, "r").catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`, {
      file,
    });
  });
  try {
    const buf = Buffer.alloc(HEAD);
    const { bytesRead } = await fh.read(buf, 0, HEAD, 0);
    const size = (await fh.stat()).size;
    return { bytes: buf.subarray(0, bytesRead), complete: bytesRead >= size };
  } finally {
    await fh.close();
  }
}

function gunzipHead(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const z = createGunzip();
    z.on("data", (c: Buffer) => {
      chunks.push(c);
      total += c.length;
      if (total >= HEAD) z.destroy();
    });
    const done = () => resolve(Buffer.concat(chunks).subarray(0, HEAD));
    z.on("end", done);
    z.on("close", done);
    z.on("error", done);
    z.end(bytes);
  });
}

export async function fileStartText(file: string): Promise<string> {
  const head = await firstBytes(file);
  let bytes = head.bytes;
  let complete = head.complete;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = await gunzipHead(bytes);
    complete = bytes.length < HEAD && head.complete;
  }
  const encoding = foreignEncoding(bytes, complete);
  if (encoding)
    throw new UsageError(`cannot read ${file}: ${encodingAdvice(file, encoding)}`, { file, encoding });
  return bytes.toString("utf8");
}
