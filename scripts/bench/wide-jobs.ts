/**
 * The width axis for `schema infer`: the draft of a wide CSV (scripts/bench/wide-input.ts)
 * against its anchor, DuckDB reading the same file once with its own sniffer (`count(*)` over
 * `read_csv`, all threads) — the issue's "the time DuckDB takes to scan the file once".
 */
import type { Job } from "./contenders.js";
import { LAKELINE } from "./contenders.js";
import type { BenchInput } from "./inputs.js";

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function wideScanJob(input: BenchInput): Job {
  const script = [
    `import { DuckDBInstance } from "@duckdb/node-api";`,
    `const db = await DuckDBInstance.create(":memory:");`,
    `const c = await db.connect();`,
    `const r = await c.runAndReadAll(${JSON.stringify(`SELECT count(*) FROM read_csv(${q(input.path)})`)});`,
    `console.log(String(r.getRows()[0][0]));`,
  ].join("\n");
  return {
    id: `scan:${input.name}`,
    operation: "anchor: DuckDB scans the CSV once (read_csv, sniffed)",
    input,
    baseline: `scan:${input.name}`,
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: ["--input-type=module", "-e", script],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: scan exited ${code}`);
            if (Number(out.trim()) !== input.rows)
              throw new Error(`bench: scan: expected ${input.rows} rows, got ${out.trim()}`);
          },
        },
        cleanup: async () => {},
      };
    },
  };
}

/** `lakeline schema infer <file> --stdout --json`; checks the rows read and one feature per column. */
export function inferJob(input: BenchInput, columns: number, baseline: string): Job {
  return {
    id: `infer:${input.name}`,
    operation: "lakeline schema infer (draft to stdout)",
    input,
    baseline,
    memoryBound: true,
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: [...LAKELINE, "schema", "infer", input.path, "--dataset", "wide", "--stdout", "--json"],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: schema infer exited ${code}`);
            const r = JSON.parse(out) as { rows: number; schema: { features: unknown[] } };
            if (r.rows !== input.rows || r.schema.features.length !== columns)
              throw new Error(
                `bench: schema infer read ${r.rows} rows, ${r.schema.features.length} features`,
              );
          },
        },
        cleanup: async () => {},
      };
    },
  };
}
