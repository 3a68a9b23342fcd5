/**
 * The online store's item: the latest row of one entity in one view, with where it came from.
 * Items are ordered by the same rule as training sets (event time, then ingest time, run id,
 * record number — src/core/features/history-sql.ts), encoded as one string that sorts the same way,
 * so a store can keep "the newest" with a single conditional write: replace only if the stored
 * order is smaller. A re-delivered run writes an equal order (no change); an older run a smaller one.
 */

/** Fixed-width UTC with microseconds: sorts as text as it sorts as time (years 1000–9999). */
export const ORDER_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ";

export type OnlineValue = string | number | boolean | null | OnlineValue[];

export interface OnlineItem {
  readonly view: string;
  readonly viewVersion: number;
  /** Entity key values by column. */
  readonly entity: Readonly<Record<string, OnlineValue>>;
  /** Canonical entity key text (see entityKeyText). */
  readonly key: string;
  /** Feature values by feature name. */
  readonly values: Readonly<Record<string, OnlineValue>>;
  /** ORDER_TIME_FORMAT */
  readonly eventTime: string;
  readonly ingestedAt: string;
  readonly runId: string;
  readonly sourceRow: number;
  /** Raw blob the row was read from, and its md5 (DVC version). */
  readonly sourceKey: string;
  readonly sourceMd5: string;
  readonly order: string;
}

/** `["AAPL"]`: the key's values as text, in the view's entity-column order. */
export function entityKeyText(values: readonly OnlineValue[]): string {
  return JSON.stringify(values.map((v) => (v === null ? null : String(v))));
}

export function orderOf(eventTime: string, ingestedAt: string, runId: string, sourceRow: number): string {
  if (!Number.isSafeInteger(sourceRow) || sourceRow < 0)
    throw new Error(`source row must be a whole number, not ${sourceRow}`);
  return `${eventTime}|${ingestedAt}|${runId}|${String(sourceRow).padStart(16, "0")}`;
}

/** Whether `candidate` replaces `current` (strictly newer). */
export function supersedes(
  candidate: Pick<OnlineItem, "order">,
  current: Pick<OnlineItem, "order"> | undefined,
): boolean {
  return current === undefined || candidate.order > current.order;
}

/** Seconds since the value's event time, and whether that is past the view's TTL. */
export function freshness(
  item: Pick<OnlineItem, "eventTime">,
  now: Date,
  ttlSeconds?: number,
): { ageSeconds: number; expired: boolean } {
  const ev = Date.parse(item.eventTime.replace(/(\.\d{3})\d*Z$/, "$1Z"));
  const ageSeconds = Math.floor((now.getTime() - ev) / 1000);
  return { ageSeconds, expired: ttlSeconds !== undefined && ageSeconds > ttlSeconds };
}
