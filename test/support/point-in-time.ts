/**
 * The point-in-time rule, row by row, with nothing clever: the reference the feature store's SQL is
 * held to. For an entity row at t, of the view's rows with the same key take those with
 * event time ≤ t, ingested ≤ t (row knowledge) or ≤ as-of (as-of knowledge), and event time ≥ t − ttl;
 * the first by event time, ingest time, run id, record number (all descending) supplies the values.
 */
export interface HistoryRow {
  readonly key: string | null;
  /** Event time, ms since the epoch. */
  readonly ev: number;
  /** _ingested_at, ms. */
  readonly ing: number;
  readonly run: string;
  readonly srow: number;
  readonly values: readonly (number | string | null)[];
}

export interface Lookup {
  readonly key: string | null;
  readonly t: number;
}

export interface Rule {
  readonly ttlMs?: number;
  readonly knowledge: "row" | "as-of";
  readonly asOf: number;
}

/** The chosen row, or undefined when none qualifies (every feature NULL). */
export function pointInTime(rows: readonly HistoryRow[], at: Lookup, rule: Rule): HistoryRow | undefined {
  let best: HistoryRow | undefined;
  for (const r of rows) {
    if (at.key === null || r.key !== at.key) continue;
    if (r.ing > rule.asOf) continue;
    if (r.ev > at.t) continue;
    if (rule.knowledge === "row" && r.ing > at.t) continue;
    if (rule.ttlMs !== undefined && r.ev < at.t - rule.ttlMs) continue;
    if (!best || later(r, best)) best = r;
  }
  return best;
}

function later(a: HistoryRow, b: HistoryRow): boolean {
  if (a.ev !== b.ev) return a.ev > b.ev;
  if (a.ing !== b.ing) return a.ing > b.ing;
  if (a.run !== b.run) return a.run > b.run;
  return a.srow > b.srow;
}
