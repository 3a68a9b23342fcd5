/**
 * Contenders that work on a lake an ingest left behind: a `lakeline query` aggregate and a
 * `lakeline export`. Each checks its figures against the rows ingested.
 */
import { expectRows, type Job, LAKELINE } from "./contenders.js";
import type { BenchInput } from "./inputs.js";

export const QUERY_SQL =
  "select origin, count(*) as flights, avg(delay_min) as avg_delay from flights group by 1";

/** A `lakeline` command run against the lake `lake()` names, checked by `check`. */
function lakeJob(args: {
  id: string;
  operation: string;
  input: BenchInput;
  lake: () => string | undefined;
  argv: (dir: string) => string[];
  check: (out: string, code: number) => void;
}): Job {
  return {
    id: args.id,
    operation: args.operation,
    input: args.input,
    async prepare() {
      const dir = args.lake();
      if (!dir) throw new Error(`bench: no ingested lake for ${args.id}`);
      return {
        command: { cmd: process.execPath, args: [...LAKELINE, ...args.argv(dir)], check: args.check },
        cleanup: async () => {},
      };
    },
  };
}

/** `lakeline query` over a lake the ingest left; the flight counts must add up to the rows ingested. */
export function queryJob(input: BenchInput, lake: () => string | undefined): Job {
  return lakeJob({
    id: `query:${input.name}`,
    operation: "lakeline query: group by origin (count, avg)",
    input,
    lake,
    argv: (dir) => ["query", QUERY_SQL, "--lake", dir, "--format", "json"],
    check: (out, code) => {
      if (code !== 0) throw new Error(`bench: query exit ${code}: ${out.slice(0, 300)}`);
      const rows = JSON.parse(out) as { flights: number | string }[];
      expectRows(
        "query",
        input.rows,
        rows.reduce((n, r) => n + Number(r.flights), 0),
      );
    },
  });
}

/**
 * `lakeline export` of the whole dataset from a lake the ingest left. Each run gets its own split
 * seed: the same seed would find its export already published and do nothing.
 */
export function exportJob(input: BenchInput, lake: () => string | undefined): Job {
  let run = 0;
  return lakeJob({
    id: `export:${input.name}`,
    operation: "lakeline export: as-of snapshot → train/eval/test Parquet",
    input,
    lake,
    argv: (dir) => ["export", "flights", "--lake", dir, "--seed", `bench-${++run}`, "--json"],
    check: (out, code) => {
      const r = JSON.parse(out) as { status?: string; totalRows?: number };
      if (code !== 0 || r.status !== "exported")
        throw new Error(`bench: export exit ${code}: ${out.slice(0, 300)}`);
      expectRows("export", input.rows, r.totalRows);
    },
  });
}
