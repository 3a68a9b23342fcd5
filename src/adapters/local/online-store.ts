/**
 * The online store on the embedded lake: `<lake>/online/<view>.json`, one JSON object per view
 * holding the latest item per entity. Writers serialise on a lock folder (`<view>.lock`, created
 * with mkdir, which is atomic) and replace the file by rename, so a reader sees the old or the new
 * file, never a torn one, and two ingest processes never lose each other's writes. Fit for the
 * local lake's scale (thousands of entities per view); AWS uses DynamoDB.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { LakelineError } from "../../core/errors.js";
import { type OnlineItem, supersedes } from "../../core/features/online.js";
import type { OnlineStore, PutOutcome } from "../../ports/online-store.js";

interface ViewFile {
  readonly format: 1;
  readonly view: string;
  readonly items: Record<string, OnlineItem>;
}

const LOCK_WAIT_MS = 30_000;
/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 60_000;

export class LocalOnlineStore implements OnlineStore {
  private readonly chains = new Map<string, Promise<unknown>>();
  constructor(readonly dir: string) {}

  private file(view: string): string {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(view))
      throw new LakelineError(`invalid view name ${JSON.stringify(view)}`);
    return path.join(this.dir, `${view}.json`);
  }

  private async read(view: string): Promise<ViewFile> {
    try {
      return JSON.parse(await fs.readFile(this.file(view), "utf8")) as ViewFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { format: 1, view, items: {} };
      throw new LakelineError(
        `online store ${this.file(view)} cannot be read: ${(err as Error).message}`,
        { view },
        { cause: err },
      );
    }
  }

  async get(view: string, key: string): Promise<OnlineItem | undefined> {
    return (await this.read(view)).items[key];
  }

  async scan(view: string): Promise<OnlineItem[]> {
    const items = (await this.read(view)).items;
    return Object.keys(items)
      .sort()
      .map((k) => items[k]!);
  }

  async putIfNewer(item: OnlineItem): Promise<PutOutcome> {
    const [outcome] = await this.putAll([item]);
    return outcome!;
  }

  /** One locked read-modify-write for many items of one view (a run materialises every entity at once). */
  async putAll(items: readonly OnlineItem[]): Promise<PutOutcome[]> {
    if (items.length === 0) return [];
    const view = items[0]!.view;
    if (items.some((i) => i.view !== view)) throw new Error("putAll takes items of one view");
    const previous = this.chains.get(view) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.locked(view, () => this.apply(view, items)));
    this.chains.set(view, next);
    return next;
  }

  async replaceIf(
    view: string,
    key: string,
    expectedOrder: string,
    next: OnlineItem | null,
  ): Promise<boolean> {
    if (next && (next.view !== view || next.key !== key)) throw new Error("replaceIf: item of another key");
    const previous = this.chains.get(view) ?? Promise.resolve();
    const done = previous
      .catch(() => {})
      .then(() =>
        this.locked(view, async () => {
          const current = await this.read(view);
          if (current.items[key]?.order !== expectedOrder) return false;
          const items = { ...current.items };
          if (next) items[key] = next;
          else delete items[key];
          await this.write(view, items);
          return true;
        }),
      );
    this.chains.set(view, done);
    return done;
  }

  private async write(view: string, items: Record<string, OnlineItem>): Promise<void> {
    const tmp = path.join(this.dir, `.${view}.${randomUUID()}.tmp`);
    await fs.writeFile(tmp, `${JSON.stringify({ format: 1, view, items }, null, 1)}\n`);
    await fs.rename(tmp, this.file(view));
  }

  private async apply(view: string, items: readonly OnlineItem[]): Promise<PutOutcome[]> {
    const current = await this.read(view);
    const next = { ...current.items };
    const outcomes = items.map((item): PutOutcome => {
      const stored = next[item.key];
      if (stored && stored.order === item.order) return "unchanged";
      if (!supersedes(item, stored)) return "older";
      next[item.key] = item;
      return "written";
    });
    if (outcomes.includes("written")) await this.write(view, next);
    return outcomes;
  }

  private async locked<T>(view: string, work: () => Promise<T>): Promise<T> {
    await fs.mkdir(this.dir, { recursive: true });
    const lock = path.join(this.dir, `${view}.lock`);
    const started = Date.now();
    for (;;) {
      try {
        await fs.mkdir(lock);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const st = await fs.stat(lock).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS)
          await fs.rm(lock, { recursive: true, force: true });
        else if (Date.now() - started > LOCK_WAIT_MS)
          throw new LakelineError(`online store: ${lock} held for more than ${LOCK_WAIT_MS / 1000} s`, {
            view,
          });
        else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(lock, { recursive: true, force: true });
    }
  }
}

export function localOnlineStore(lakeDir: string): LocalOnlineStore {
  return new LocalOnlineStore(path.join(lakeDir, "online"));
}
