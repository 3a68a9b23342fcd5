import type { Readable } from "node:stream";

/** What a store knows of one object. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** S3 ETag or the filesystem's equivalent. Never an md5 you may rely on: use `md5Stream`. */
  readonly etag?: string;
  readonly versionId?: string;
  readonly lastModified?: Date;
}

/** A downloaded object, with the md5 of the bytes written (hashed as they streamed, not read again). */
export interface DownloadedObject extends ObjectInfo {
  readonly md5: string;
}

export interface PutOptions {
  /** Conditional create (`If-None-Match: *`): fail with ObjectExistsError if the key exists. */
  readonly ifNoneMatch?: boolean;
  readonly contentType?: string;
  /**
   * putFile only: the file is the caller's own finished output (scratch), which it will neither
   * change nor write again, so a store on the same disk may keep its bytes without copying them.
   */
  readonly handOver?: boolean;
}

export interface PutResult {
  readonly key: string;
  readonly etag?: string;
  readonly versionId?: string;
}

/**
 * A bucket (in AWS) or a zone folder of the embedded lake. Keys are `/`-separated, relative,
 * never containing `..` or starting with `/`. There is deliberately no delete: lakeline never
 * removes what it has written, and never touches raw blobs after upload.
 */
export interface ObjectStore {
  /** Bucket name in AWS, the zone name (`raw`, `warehouse`, …) on the local lake. */
  readonly bucket: string;
  /** OpenLineage dataset namespace: `s3://<bucket>` or `file://<absolute zone path>`. */
  readonly namespace: string;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Upload a local file, streaming (multipart on S3). The object appears whole or not at all. */
  putFile(key: string, path: string, options?: PutOptions): Promise<PutResult>;
  /**
   * Copy an object of this store to another key of it, without the bytes passing through this
   * process (S3: CopyObject, in parts above 5 GiB). `ifNoneMatch` refuses an existing target.
   */
  copy(sourceKey: string, key: string, options?: PutOptions): Promise<PutResult>;
  get(key: string): Promise<Uint8Array>;
  getStream(key: string): Promise<Readable>;
  /** Download to a local file, streaming. */
  download(key: string, path: string): Promise<DownloadedObject>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Objects under a prefix, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * The keys `list` would yield, in the same order, when the store can name them without fetching
   * each object's details (a folder's names without a stat per file); callers that need only keys
   * use it when present.
   */
  listKeys?(prefix: string): Promise<string[]>;
  /** A local filesystem path holding the object's bytes, when the store has one (no copy needed). */
  localPath?(key: string): string | undefined;
}

/** The zones of the lake: one bucket each in AWS, one folder each locally. */
export const ZONES = ["raw", "warehouse", "quarantine", "exports", "lineage", "failed"] as const;
export type Zone = (typeof ZONES)[number];

export type LakeStores = Readonly<Record<Zone, ObjectStore>>;

/**
 * Keys under a prefix, in key order: `listKeys` when the store can name them without each object's
 * details (a local folder: no stat per file), else from `list`.
 */
export async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  if (store.listKeys) return store.listKeys(prefix);
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}
