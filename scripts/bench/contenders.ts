/**
 * What the bench runs: each job is one whole process (the CLI as a user runs it, or a small child
 * script), with a check that it really did the work, and the job whose rows/s (or MB/s) it is
 * compared with. Jobs needing a lake get a fresh one per run.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { scratchDir } from "../../src/contract/env.js";
import type { BenchInput } from "./inputs.js";
import type { Command } from "./measure.js";

export interface Job {
  readonly id: string;
  readonly operation: string;
  readonly input: BenchInput;
  /** Job whose throughput is 1.00 for this one (none: no ratio). */
  readonly baseline?: string;
  /** Compare by bytes (hashing) rather than rows. */
  readonly byBytes?: boolean;
  /** Counts towards the memory bound (peak RSS ≤ the limit). */
  readonly memoryBound?: boolean;
  prepare(): Promise<{ command: Command; cleanup: () => Promise<void> }>;
}

export const LAKELINE = ["bin/lakeline.mjs"];
const TSX = ["--import", "tsx"];

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** DuckDB's own CSV/JSON → Parquet, single-threaded: the speed of the engine with nothing on top. */
function anchorScript(input: BenchInput, out: string): string {
  const reader =
    input.format === "jsonl"
      ? `read_json(${q(input.path)})`
      : `read_csv(${q(input.path)}${input.badRows === undefined ? "" : ", ignore_errors = true"})`;
  return [
    `import { DuckDBInstance } from "@duckdb/node-api";`,
    `const db = await DuckDBInstance.create(":memory:", { threads: "1" });`,
    `const c = await db.connect();`,
    `const r = await c.runAndReadAll(${JSON.stringify(`COPY (SELECT * FROM ${reader}) TO ${q(out)} (FORMAT parquet)`)});`,
    `console.log(String(r.getRows()[0][0]));`,
  ].join("\n");
}

async function scratch(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(scratchDir(), `lakeline-bench-${prefix}-`));
}

const rm = (dir: string) => () => fs.rm(dir, { recursive: true, force: true });

export function expectRows(label: string, want: number, got: unknown): void {
  if (Number(got) !== want) throw new Error(`bench: ${label}: expected ${want} rows, got ${String(got)}`);
}

export function anchorJob(input: BenchInput): Job {
  return {
    id: `anchor:${input.name}`,
    operation: "anchor: DuckDB COPY → Parquet, 1 thread",
    input,
    baseline: `anchor:${input.name}`,
    async prepare() {
      const dir = await scratch("anchor");
      return {
        command: {
          cmd: process.execPath,
          args: ["--input-type=module", "-e", anchorScript(input, path.join(dir, "out.parquet"))],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: anchor exited ${code}`);
            // Rows with a bad cell that DuckDB's own cast also refuses are skipped (NaN is a DOUBLE to it).
            const got = Number(out.trim());
            if (input.badRows !== undefined && got < input.rows && got >= input.rows - input.badRows) return;
            expectRows("anchor", input.rows, got);
          },
        },
        cleanup: rm(dir),
      };
    },
  };
}

/**
 * `lakeline ingest` into a fresh lake. `keep` receives the lake of each successful run (the caller
 * owns deleting it), so a later query can read a real warehouse.
 */
export function ingestJob(
  input: BenchInput,
  anchor: string | undefined,
  keep?: (lake: string) => Promise<void>,
  variant?: { label: string; args: string[] },
): Job {
  return {
    id: `ingest${variant ? `[${variant.label}]` : ""}:${input.name}`,
    operation: variant ? `lakeline ingest, ${variant.label}` : "lakeline ingest (full)",
    input,
    ...(anchor ? { baseline: anchor } : {}),
    memoryBound: true,
    async prepare() {
      const lake = await scratch("lake");
      const args = variant
        ? [...TSX, "scripts/bench/ingest-with.ts", input.path, "--lake", lake, ...variant.args]
        : [
            ...LAKELINE,
            "ingest",
            input.path,
            "--dataset",
            input.dataset ?? "flights",
            ...(input.schemasDir ? ["--schemas", input.schemasDir] : []),
            "--lake",
            lake,
            "--json",
          ];
      let ok = false;
      return {
        command: {
          cmd: process.execPath,
          args,
          check: (out, code) => {
            checkIngestOutcome(input, out, code);
            ok = true;
          },
        },
        cleanup: async () => {
          if (ok && keep) await keep(lake);
          else await rm(lake)();
        },
      };
    },
  };
}

interface IngestOutcome {
  readonly status?: string;
  readonly rowsRead?: number;
  readonly rowsWritten?: number;
  readonly rowsQuarantined?: number;
}

/**
 * The ingest did exactly the expected work. Exit 1 (ERROR anomalies: quarantined rows) is the CLI's
 * right answer for an input with known bad rows, so it passes only when the outcome is exactly the
 * expected one: every row read, the generator's bad rows quarantined, the rest written. Anything
 * else (another exit status, a failed run, a count off by one) fails the job.
 */
export function checkIngestOutcome(input: BenchInput, out: string, code: number | null): void {
  const fail = (why: string): never => {
    throw new Error(`bench: ingest ${input.name}: ${why}, exit ${code}, ${out.slice(0, 300)}`);
  };
  let r: IngestOutcome = {};
  try {
    r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as IngestOutcome;
  } catch {
    fail("no JSON outcome");
  }
  const bad = input.badRows ?? 0;
  if (r.status !== "ok") fail(`status ${String(r.status)}`);
  if (code !== (bad > 0 ? 1 : 0)) fail(`expected exit ${bad > 0 ? 1 : 0}`);
  if (r.rowsRead !== input.rows) fail(`expected ${input.rows} rows read, got ${String(r.rowsRead)}`);
  if (r.rowsQuarantined !== bad) fail(`expected ${bad} rows quarantined, got ${String(r.rowsQuarantined)}`);
  if (r.rowsWritten !== input.rows - bad)
    fail(`expected ${input.rows - bad} rows written, got ${String(r.rowsWritten)}`);
}

export function validateCliJob(input: BenchInput, anchor: string | undefined): Job {
  return {
    id: `validate-cli:${input.name}`,
    operation: "lakeline validate (checks + statistics, no writes)",
    input,
    ...(anchor ? { baseline: anchor } : {}),
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: [...LAKELINE, "validate", input.path, "--dataset", "flights", "--json"],
          check: (out, code) => {
            if (code !== 0)
              throw new Error(`bench: validate ${input.name}: exit ${code}, ${out.slice(0, 500)}`);
            expectRows(
              `validate ${input.name}`,
              input.rows,
              (JSON.parse(out) as { rowsRead: number }).rowsRead,
            );
          },
        },
        cleanup: async () => {},
      };
    },
  };
}

export function validateOnlyJob(input: BenchInput, anchor: string | undefined, statistics: boolean): Job {
  return {
    id: `validate-only${statistics ? "+stats" : ""}:${input.name}`,
    operation: statistics
      ? "validation: stage + statistics (engine)"
      : "validation: stage only, no statistics (engine)",
    input,
    ...(anchor ? { baseline: anchor } : {}),
    async prepare() {
      return {
        command: {
          cmd: process.execPath,
          args: [
            ...TSX,
            "scripts/bench/validate-only.ts",
            input.path,
            ...(statistics ? ["--statistics"] : []),
          ],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: validate-only ${input.name}: exit ${code}`);
            if (statistics)
              expectRows(
                `validate-only ${input.name}`,
                input.rows,
                (JSON.parse(out) as { rows: number }).rows,
              );
          },
        },
        cleanup: async () => {},
      };
    },
  };
}

/** `lakeline hash` and `md5sum` on the same bytes; both record the digest so they can be compared. */
export function hashJobs(input: BenchInput, digests: Map<string, string>): Job[] {
  const job = (id: string, operation: string, cmd: string, args: string[]): Job => ({
    id,
    operation,
    input,
    baseline: `md5sum:${input.name}`,
    byBytes: true,
    async prepare() {
      return {
        command: {
          cmd,
          args,
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: ${operation}: exit ${code}`);
            digests.set(id, out.trim().split(/\s+/)[0] ?? "");
          },
        },
        cleanup: async () => {},
      };
    },
  });
  return [
    job(`md5sum:${input.name}`, "md5sum (coreutils)", "md5sum", [input.path]),
    job(`hash:${input.name}`, "lakeline hash (DVC md5)", process.execPath, [...LAKELINE, "hash", input.path]),
  ];
}

export function parquetjsJob(input: BenchInput, anchor: string | undefined): Job {
  return {
    id: `parquetjs:${input.name}`,
    operation: "parquetjs 0.11 writer, CSV → Parquet (no validation)",
    input,
    ...(anchor ? { baseline: anchor } : {}),
    async prepare() {
      const dir = await scratch("parquetjs");
      return {
        command: {
          cmd: process.execPath,
          args: [...TSX, "scripts/bench/parquetjs-writer.ts", input.path, path.join(dir, "out.parquet")],
          check: (out, code) => {
            if (code !== 0) throw new Error(`bench: parquetjs: exit ${code}`);
            expectRows("parquetjs", input.rows, (JSON.parse(out) as { rows: number }).rows);
          },
        },
        cleanup: rm(dir),
      };
    },
  };
}

/** Fixed cost of every CLI run: node + the TypeScript loader + the command registry. */
export function startupJob(input: BenchInput): Job {
  return {
    id: "startup",
    operation: "lakeline --version (CLI start-up, fixed cost)",
    input: { ...input, name: "-", rows: 0, bytes: 0 },
    async prepare() {
      return {
        command: { cmd: process.execPath, args: [...LAKELINE, "--version"] },
        cleanup: async () => {},
      };
    },
  };
}
