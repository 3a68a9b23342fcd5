/**
 * The bench's command line: which axes and sizes to measure, how often, and which jobs (--only).
 */
import { parseArgs } from "node:util";

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bench: --sizes: ${JSON.stringify(s)} is not like 1m or 300k`);
  return Math.round(Number(m[1]) * ({ k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1));
}

/** The parsed flags and the axes they select (`--history-only` measures nothing but history). */
export function benchOptions() {
  const { values: opts } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      "entity-rows": { type: "string" },
      widths: { type: "string" },
      "wide-rows": { type: "string" },
      reps: { type: "string" },
      history: { type: "string" },
      "history-only": { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (opts.help) {
    process.stdout.write(
      "usage: npm run bench -- [--quick] [--sizes 1m,3m,9m] [--widths 20,100,300] [--wide-rows 200k] [--reps 3] [--entity-rows 1m] [--history 50,1000] [--history-only] [--only <regex>] [--json]\n" +
        "  --only <regex>  run only the jobs whose id matches (ids: anchor:<file>, ingest:<file>, scan:<file>,\n" +
        "                  infer:<file>, validate-cli:<file>, hash:<file>, history ids…); no cold start then\n",
    );
    process.exit(0);
  }
  const historyOnly = opts["history-only"];
  // `--sizes ""` measures no flights file (e.g. only the width axis).
  const sizes = [
    ...new Set(
      (historyOnly ? "" : (opts.sizes ?? (opts.quick ? "1m" : "1m,3m,9m")))
        .split(",")
        .filter((s) => s.trim() !== "")
        .map(parseSize),
    ),
  ].sort((a, b) => a - b);
  // Width axis: wide tables (INT, FLOAT, text, categorical; a few bad cells), none in a quick run.
  const widths = [
    ...new Set(
      (historyOnly ? "" : (opts.widths ?? (opts.quick ? "" : "20,100,300")))
        .split(",")
        .filter((w) => w.trim() !== "")
        .map((w) => parseSize(w)),
    ),
  ].sort((a, b) => a - b);
  const wideRows = parseSize(opts["wide-rows"] ?? "200k");
  // History axis: one dataset with this many committed runs each (the first is every ratio's baseline).
  const historyRuns = [
    ...new Set(
      (opts.history ?? (opts.quick ? "" : "50,1000"))
        .split(",")
        .filter((n) => n.trim() !== "")
        .map(parseSize),
    ),
  ].sort((a, b) => a - b);
  // --only: a regex over job ids; jobs that do not match are neither run nor reported.
  const only = opts.only === undefined ? undefined : new RegExp(opts.only);
  const selected = (id: string) => only === undefined || only.test(id);
  const reps = Math.max(1, Number.parseInt(opts.reps ?? "3", 10) || 3);
  return { opts, historyOnly, sizes, widths, wideRows, historyRuns, only, selected, reps };
}
