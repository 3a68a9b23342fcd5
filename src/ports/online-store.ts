/** The online feature store: the latest item per (view, entity), kept by conditional writes. */
import type { OnlineItem } from "../core/features/online.js";

export type PutOutcome = "written" | "unchanged" | "older";

export interface OnlineStore {
  /** Store `item` unless the stored item for its view and key is as new or newer (compare `order`). */
  putIfNewer(item: OnlineItem): Promise<PutOutcome>;
  /** putIfNewer for many items (one run's entities), outcomes in the same order. */
  putAll(items: readonly OnlineItem[]): Promise<PutOutcome[]>;
  get(view: string, key: string): Promise<OnlineItem | undefined>;
  /**
   * Replace the stored item of (view, key) by `next`, or remove it when `next` is null, only if the
   * stored item's order is still `expectedOrder` (a correction after a re-processing: the stored
   * row's processing was replaced, so a newer order may now be wrong and an older one right).
   * Returns false when the stored item changed meanwhile (nothing done).
   */
  replaceIf(view: string, key: string, expectedOrder: string, next: OnlineItem | null): Promise<boolean>;
  /** Every item of a view, in key order. */
  scan(view: string): Promise<OnlineItem[]>;
}
