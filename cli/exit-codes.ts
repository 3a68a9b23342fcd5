/**
 * The CLI's one exit-status policy, shared by every command, `--help` and the README's table.
 * When several apply (many files in one ingest), the first row of the table that applies wins.
 */
export const EXIT = {
  /** Everything processed, no ERROR anomaly. */
  ok: 0,
  /** ERROR anomalies (rows quarantined, batch-level checks), a failed run, or a refused command. */
  errors: 1,
  /** Input refused whole: a blob rejected (ingest), would be (validate), nothing to export. */
  refused: 2,
  /** A lookup found nothing: no online value for the entity (`features get`). */
  notFound: 3,
  /** Usage: bad flag, dataset name, path, --where, --as-of, schema version. */
  usage: 64,
  /** Internal error: a bug (LAKELINE_DEBUG=1 prints the stack). */
  internal: 70,
} as const;

export const EXIT_HELP =
  "\nExit status: 0 ok, no ERROR anomaly; 1 ERROR anomalies (incl. quarantined rows), a failed run or a refused\n" +
  "command; 2 input refused whole (blob rejected, nothing to export); 3 nothing found (features get);\n" +
  "64 usage error; 70 internal error.\n" +
  "A file already committed by an earlier run ([already committed] …; nothing written) adds nothing to the status.\n";

interface Outcome {
  readonly status: string;
  /** Set when the run was committed by an earlier invocation: this one wrote nothing. */
  readonly alreadyCommitted?: unknown;
  /** The online store was not updated after a committed run (feature views). */
  readonly onlineError?: string;
  readonly anomalies?: readonly { readonly severity: string }[];
  /** A routed blob cut into parts: the parts' own outcomes say how its rows fared. */
  readonly outputs?: { readonly parts?: readonly string[] };
}

/**
 * Exit status of a set of ingest outcomes: a failed run (or a committed run whose online store
 * update failed), then a rejected blob, then ERROR anomalies. An outcome committed by an earlier
 * invocation (`[already committed]`) wrote nothing now: its status was that invocation's to report.
 */
export function ingestExitCode(all: readonly Outcome[]): number {
  const outcomes = all.filter((o) => !o.alreadyCommitted);
  if (outcomes.some((o) => o.status === "failed" || o.onlineError)) return EXIT.errors;
  const refused = (o: Outcome) =>
    o.status === "rejected" || (o.status === "routed" && !o.outputs?.parts?.length);
  if (outcomes.some(refused)) return EXIT.refused;
  if (outcomes.some((o) => (o.anomalies ?? []).some((a) => a.severity === "ERROR"))) return EXIT.errors;
  return EXIT.ok;
}
