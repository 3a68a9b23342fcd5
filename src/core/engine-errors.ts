/**
 * DuckDB's error text is for DuckDB's developers (error classes, internal assertions, advice to
 * `SET memory_limit`, stack dumps); what a person reads instead names lakeline's own knob or the
 * input problem, with the engine's first line kept as detail.
 */

export interface EngineContext {
  /** The memory limit the engine ran under, e.g. "256MB". */
  readonly memoryLimit: string;
  /** The environment variable that raises it. */
  readonly memoryVariable: string;
  /** The environment variable that prints stacks. */
  readonly debugVariable: string;
}

/** The engine message rewritten for a person. */
export function engineMessage(raw: string, ctx: EngineContext): string {
  const first = (raw.split("\n").find((l) => l.trim() !== "") ?? raw).trim();
  if (/out of memory|could not allocate|failed to allocate/i.test(raw)) {
    return (
      `the query engine ran out of memory under its limit of ${ctx.memoryLimit}; raise ${ctx.memoryVariable} ` +
      `(e.g. ${ctx.memoryVariable}=2GB) or split the input into smaller files`
    );
  }
  if (/^INTERNAL Error/i.test(first) || /assertion|stack trace/i.test(raw)) {
    return `the query engine failed on an internal check (a bug: rerun with ${ctx.debugVariable}=1 and report it)`;
  }
  // "Binder Error: Referenced column "x" not found…" → the sentence after the class, one line.
  const detail = first.replace(/^[A-Za-z ]*Error:\s*/, "");
  const short = detail.length > 300 ? `${detail.slice(0, 297)}…` : detail;
  // The columns a misspelt one could be are worth their line. (Not "Did you mean" for a table: the
  // lake creates a table when a statement names it, so the engine's guess is from its own catalog.)
  const hint = raw.split("\n").find((l) => /^Candidate bindings/.test(l.trim()));
  return hint ? `${short} ${hint.trim().slice(0, 200)}` : short;
}
