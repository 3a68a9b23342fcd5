/** `lakeline query "<SQL>"`: SQL over the warehouse, on DuckDB locally or Athena in AWS. */
import type { Command } from "commander";
import { withAsOf } from "../../src/contract/as-of-relations.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { QueryError, UsageError } from "../../src/core/errors.js";
import { parseInstant } from "../../src/core/time/iso8601.js";
import type { QueryEngine, QueryResult } from "../../src/ports/query-engine.js";
import { openLakeEngine } from "../deps/lake-engine.js";
import { formatTable, toJson } from "../output.js";

interface QueryOpts {
  format: string;
  json?: boolean;
  engine: string;
  lake?: string;
  schemas?: string;
  asOf?: string;
  workgroup?: string;
  database?: string;
  region?: string;
}

export function parseAsOf(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : parseInstant(value, "--as-of");
}

async function openEngine(opts: QueryOpts): Promise<QueryEngine> {
  const asOf = parseAsOf(opts.asOf);
  if (opts.engine === "duckdb")
    return openLakeEngine(localConfig({ lake: opts.lake, schemas: opts.schemas }), asOf ? { asOf } : {});
  if (opts.engine === "athena") {
    if (!opts.workgroup || !opts.database)
      throw new UsageError("--engine athena needs --workgroup and --database (see the stack outputs)");
    const { createAthenaEngine } = await import("../../src/adapters/aws/athena-engine.js");
    const engine = createAthenaEngine({
      workgroup: opts.workgroup,
      database: opts.database,
      ...(opts.region ? { region: opts.region } : {}),
    });
    if (!asOf) return engine;
    // As of an instant: the dataset relations the statement names are replaced by their state then
    // (src/contract/as-of-relations.ts); the datasets are those of the schemas folder.
    const datasets = new SchemaRegistry(opts.schemas ?? "schemas").datasets();
    const database = opts.database;
    return {
      name: engine.name,
      query: (sql: string) => engine.query(withAsOf(sql, database, datasets, asOf)),
      close: () => engine.close(),
    };
  }
  throw new UsageError(`--engine must be duckdb or athena, not ${JSON.stringify(opts.engine)}`);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? toJson(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function renderResult(result: QueryResult, format: string): string {
  const names =
    result.columns.length > 0 ? result.columns.map((c) => c.name) : Object.keys(result.rows[0] ?? {});
  if (format === "json") return `${toJson(result.rows, true)}\n`;
  if (format === "csv")
    return `${[names.join(","), ...result.rows.map((r) => names.map((n) => csvCell(r[n])).join(","))].join("\n")}\n`;
  if (format === "table") return formatTable(result.rows, names);
  throw new UsageError(`--format must be table, json or csv, not ${JSON.stringify(format)}`);
}

export function register(program: Command): void {
  program
    .command("query")
    .description(
      "run SQL over the warehouse: one table per dataset, <dataset>_quarantine, lakeline_runs, lineage_events",
    )
    .argument("<sql>", 'the query, e.g. "SELECT species, count(*) FROM penguins GROUP BY 1"')
    .option("-f, --format <format>", "table, json (array of row objects) or csv", "table")
    .option("--json", "same as --format json")
    .option("--engine <engine>", "duckdb (embedded lake) or athena", "duckdb")
    .option(
      "--as-of <iso>",
      "read the warehouse as it was known at this instant: each blob's latest processing committed by then (Athena too)",
    )
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--workgroup <name>", "Athena workgroup (with --engine athena)")
    .option("--database <name>", "Glue database (with --engine athena)")
    .option("--region <region>", "AWS region (with --engine athena)")
    .action(async (sql: string, opts: QueryOpts) => {
      const engine = await openEngine(opts);
      try {
        const result = await engine.query(sql).catch((err: unknown) => {
          // The statement is the user's: say the error is in it, not in the lake.
          if (err instanceof QueryError)
            throw new QueryError(`query: ${err.message}`, err.data, { cause: err });
          throw err;
        });
        process.stdout.write(renderResult(result, opts.json ? "json" : opts.format));
      } finally {
        // After the statement: a view's files (and a set-aside compaction record) are read when it is bound.
        for (const w of (engine as { warnings?: string[] }).warnings ?? [])
          process.stderr.write(`lakeline: warning: ${w}\n`);
        await engine.close();
      }
    });
}
