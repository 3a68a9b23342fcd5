/** An in-memory ObjectStore for pipeline tests: puts (conditional too), reads, heads and listing. */
import { Readable } from "node:stream";
import { ObjectExistsError, ObjectNotFoundError } from "../../src/core/errors.js";
import type { ObjectInfo, ObjectStore, PutOptions, PutResult } from "../../src/ports/object-store.js";

export class MemoryStore implements ObjectStore {
  readonly namespace: string;
  readonly objects = new Map<string, { body: Uint8Array; at: Date }>();
  constructor(
    readonly bucket = "memory",
    private readonly now: () => Date = () => new Date(),
  ) {
    this.namespace = `memory://${bucket}`;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    if (options.ifNoneMatch && this.objects.has(key)) throw new ObjectExistsError(this.bucket, key);
    this.objects.set(key, { body: typeof body === "string" ? Buffer.from(body) : body, at: this.now() });
    return { key };
  }

  async copy(sourceKey: string, key: string, options: PutOptions = {}): Promise<PutResult> {
    return this.put(key, await this.get(sourceKey), options);
  }

  async get(key: string): Promise<Uint8Array> {
    const o = this.objects.get(key);
    if (!o) throw new ObjectNotFoundError(this.bucket, key);
    return o.body;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(key);
    return o ? { key, size: o.body.length, lastModified: o.at } : undefined;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const key of [...this.objects.keys()].sort()) {
      if (key.startsWith(prefix)) yield (await this.head(key))!;
    }
  }

  putFile(): Promise<PutResult> {
    throw new Error("MemoryStore: putFile is not faked");
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([Buffer.from(await this.get(key))]);
  }
  download(): never {
    throw new Error("MemoryStore: download is not faked");
  }
}
