/**
 * DuckDB's error text is for DuckDB's developers (error classes, internal assertions, advice to
 * `SET memory_limit`, stack dumps); what a person reads instead names lakeline's own knob or the
 * input problem, with the engine's first line kept as detail.
 */

/** The engine message rewritten for a person; `memoryLimit` is the limit the engine ran under. */
export function engineMessage(raw: string, memoryLimit: string): string {
  const first = (raw.split("\n").find((l) => l.trim() !== "") ?? raw).trim();
  if (/out of memory|could not allocate|failed to allocate/i.test(raw)) {
    return (
      `the query engine ran out of memory under its limit of ${memoryLimit}; raise LAKELINE_DUCKDB_MEMORY ` +
      `(e.g. LAKELINE_DUCKDB_MEMORY=2GB) or split the input into smaller files`
    );
  }
  if (/^INTERNAL Error/i.test(first) || /assertion|stack trace/i.test(raw)) {
    return "the query engine failed on an internal check (a bug: rerun with LAKELINE_DEBUG=1 and report it)";
  }
  // "Binder Error: Referenced column "x" not found…" → the sentence after the class, one line.
  const detail = first.replace(/^[A-Za-z ]*Error:\s*/, "");
  return detail.length > 300 ? `${detail.slice(0, 297)}…` : detail;
}
