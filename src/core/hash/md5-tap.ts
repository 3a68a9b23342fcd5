/** md5 of bytes as they stream past: no file access, so stores and the pipeline share it. */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

export interface FileDigest {
  readonly md5: string;
  readonly size: number;
}

/**
 * A pass-through stream that md5s what flows through it, e.g. while downloading a blob:
 * `pipeline(source, tap, sink)` then `await tap.done`.
 */
export class Md5Tap extends Transform {
  private readonly hash: Hash = createHash("md5");
  private bytes = 0;
  /** Resolves with the digest once the stream has ended; rejects if it is destroyed first. */
  readonly done: Promise<FileDigest>;
  private settle!: { resolve: (d: FileDigest) => void; reject: (e: Error) => void };

  constructor() {
    super();
    this.done = new Promise<FileDigest>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // The owner may only care about the pipeline's own error; don't crash on an unobserved rejection.
    this.done.catch(() => {});
    this.once("close", () => this.settle.reject(new Error("md5 tap closed before the stream ended")));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    // A promise settles once: the later "close" rejection is then a no-op.
    this.settle.resolve({ md5: this.hash.digest("hex"), size: this.bytes });
    callback();
  }
}

export function createMd5Tap(): Md5Tap {
  return new Md5Tap();
}
