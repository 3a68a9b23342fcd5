/**
 * The current state of a dataset: for each source blob, its latest processing. A blob processed
 * again (a re-processing under a new schema version, or the same bytes uploaded again with content
 * dedupe off) must count once, with the rows of the processing that happened last; the earlier
 * processings stay in the history views for audit.
 *
 * A source blob is its content within an environment: the raw blob's md5 (its DVC version), so the
 * same bytes under another key are the same source. A processing is a run that landed (status
 * `ok`, with or without table rows: a run that quarantined every row still says what the blob holds
 * now); rejected, duplicate and routed runs replace nothing. "Latest" is by `ingestedAt` (a
 * re-processing's is its request time), then by run id so that equal instants still pick one run.
 */

import { type From, renderSelect, type Select } from "../sql-builder.js";

/** `<dataset>_history`: every processing of every source blob. */
export const HISTORY_SUFFIX = "_history";

export interface Processing {
  readonly runId: string;
  readonly status: string;
  readonly environment: string;
  readonly sourceMd5: string | null;
  readonly ingestedAt: string;
}

/** The identity of the source blob a run processed (a run without a hash is its own source). */
export function sourceOf(run: Processing): string {
  return `${run.environment.toUpperCase()}|${run.sourceMd5 ?? `run:${run.runId}`}`;
}

function later(a: Processing, b: Processing): boolean {
  const ta = Date.parse(a.ingestedAt);
  const tb = Date.parse(b.ingestedAt);
  return ta > tb || (ta === tb && a.runId > b.runId);
}

/** The landed processings, each the latest of its source blob, in their input order. */
export function latestProcessings<R extends Processing>(runs: readonly R[]): R[] {
  const latest = new Map<string, R>();
  for (const r of runs) {
    if (r.status !== "ok") continue;
    const source = sourceOf(r);
    const seen = latest.get(source);
    if (!seen || later(r, seen)) latest.set(source, r);
  }
  const keep = new Set(latest.values());
  return runs.filter((r) => keep.has(r));
}

/** Landed processings that a later processing of the same source blob replaced. */
export function replacedProcessings<R extends Processing>(runs: readonly R[]): R[] {
  const current = new Set(latestProcessings(runs));
  return runs.filter((r) => r.status === "ok" && !current.has(r));
}

/**
 * The same rule in SQL (DuckDB and Athena/Trino alike), over a relation with one row per commit
 * marker (`runId`, `status`, `environment`, `sourceMd5`, `ingestedAt`): the run ids of the current
 * state. `ingestedAt` may be a TIMESTAMP or the marker's ISO 8601 string (fixed width, UTC, so it
 * sorts as time). For a view over a runs table built from the markers (e.g. a Glue table over
 * `_runs/<dataset>/`): `SELECT * FROM <dataset> WHERE "_run_id" IN (<this>)`.
 */
export function latestRunIdsSql(runs: string): string {
  return renderSelect(latestRunIdsSelect(runs), { compact: true });
}

/** The same rule as a query to build on (formatted by the caller); `runs` as in latestRunIdsSql. */
export function latestRunIdsSelect(runs: From): Select {
  const source = `upper("environment"), coalesce("sourceMd5", 'run:' || "runId")`;
  const ranked: Select = {
    select: [
      `"runId"`,
      `row_number() OVER (PARTITION BY ${source} ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank"`,
    ],
    from: runs,
    where: [`"status" = 'ok'`],
  };
  return { select: [`"runId"`], from: { query: ranked, as: `"ranked"` }, where: [`"_rank" = 1`] };
}
