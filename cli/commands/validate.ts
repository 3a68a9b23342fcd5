/** `lakeline validate <file>`: check a file against a dataset schema without writing anything. */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { duckdbIngestEngine } from "../../src/adapters/duckdb/batch.js";
import { localConfig } from "../../src/contract/env.js";
import { assertDatasetName, KEY_ENVIRONMENTS } from "../../src/contract/raw-key.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { UsageError } from "../../src/core/errors.js";
import { validateFile } from "../../src/pipeline/ingest/validate.js";
import { EXIT, EXIT_HELP } from "../exit-codes.js";
import { formatTable, toJson } from "../output.js";

export function register(program: Command): void {
  program
    .command("validate")
    .description(
      "validate a file against a dataset schema (types, presence, domains, valency, environments); writes nothing",
    )
    .argument("<file>", "CSV, TSV, JSON lines or JSON array, optionally .gz")
    .requiredOption("-d, --dataset <name>", "dataset whose schema to use")
    .option("-e, --env <environment>", "TRAINING or SERVING (a SERVING file may omit the label)", "TRAINING")
    .option("--schema-version <n>", "schema version (default: latest)")
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--statistics", "include per-feature statistics in --json output")
    .option("--json", "print the validation report as JSON")
    .addHelpText("after", EXIT_HELP)
    .action(
      async (
        file: string,
        opts: {
          dataset: string;
          env: string;
          schemaVersion?: string;
          schemas?: string;
          json?: boolean;
          statistics?: boolean;
        },
      ) => {
        // The same checks as ingest's: the environments a raw key can name, a dataset name it can hold.
        assertDatasetName(opts.dataset);
        if (!KEY_ENVIRONMENTS.includes(opts.env.toLowerCase()))
          throw new UsageError(`--env must be training or serving, not ${JSON.stringify(opts.env)}`);
        if (!existsSync(file)) throw new UsageError(`no such file: ${file}`, { file });
        const version =
          opts.schemaVersion === undefined ? undefined : Number.parseInt(opts.schemaVersion, 10);
        if (version !== undefined && !(version > 0))
          throw new UsageError(`--schema-version must be a positive integer`);
        const config = localConfig({ schemas: opts.schemas });
        const report = await validateFile({
          engine: duckdbIngestEngine,
          file,
          dataset: opts.dataset,
          environment: opts.env,
          schemas: new SchemaRegistry(config.schemasDir),
          ...(version ? { schemaVersion: version } : {}),
          ...(config.duckdbMemory ? { database: { memoryLimit: config.duckdbMemory } } : {}),
        });
        const errors = report.anomalies.filter((a) => a.severity === "ERROR").length;
        if (opts.json) {
          const { statistics, ...rest } = report;
          process.stdout.write(`${toJson(opts.statistics ? report : rest, true)}\n`);
        } else {
          process.stdout.write(
            `${file}: ${report.dataset} v${report.schemaVersion} ${report.environment} (${report.format}) — ${report.rowsRead} rows read, ${report.rowsValid} valid, ${report.rowsQuarantined} would be quarantined\n`,
          );
          if (report.wouldReject)
            process.stdout.write(`would reject the whole blob: ${report.wouldReject}\n`);
          if (report.anomalies.length > 0) {
            process.stdout.write(
              formatTable(
                report.anomalies.map((a) => ({
                  severity: a.severity,
                  type: a.type,
                  feature: a.feature ?? "",
                  description: a.shortDescription,
                })),
              ),
            );
          } else process.stdout.write("no anomalies\n");
          for (const s of report.sample)
            process.stdout.write(`  row ${s.row ?? "-"}: ${s.reasons.join("; ")}\n`);
        }
        process.exitCode = report.wouldReject ? EXIT.refused : errors > 0 ? EXIT.errors : EXIT.ok;
      },
    );
}
