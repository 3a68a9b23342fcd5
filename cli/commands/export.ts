/**
 * `lakeline export <dataset>`: snapshot a dataset as of an instant, split it repeatably, and
 * publish it to the exports zone as Parquet + manifest + `.dvc` file, laid out as a DVC remote.
 */
import type { Command } from "commander";
import { ENV, localConfig } from "../../src/contract/env.js";
import { DEFAULT_SPLIT } from "../../src/contract/export-request.js";
import { KEY_ENVIRONMENTS } from "../../src/contract/raw-key.js";
import { UsageError } from "../../src/core/errors.js";
import { type ExportResult, exportDataset } from "../../src/pipeline/export/export.js";
import { localExportDeps } from "../deps/export.js";
import { EXIT, EXIT_HELP } from "../exit-codes.js";
import { toJson } from "../output.js";

interface ExportOpts {
  asOf?: string;
  env: string;
  split: string;
  splitKey?: string;
  seed?: string;
  where?: string;
  format: string;
  lake?: string;
  schemas?: string;
  json?: boolean;
}

const ENVS = new Set(KEY_ENVIRONMENTS);

function describe(r: ExportResult, lakeDir: string): string {
  if (r.status === "empty") return `∅ ${r.dataset} ${r.environment}: nothing exported — ${r.reason}\n`;
  const mark = r.status === "exported" ? "✓" : "=";
  const lines = [
    `${mark} ${r.dataset} ${r.environment} as of ${r.asOf} [${r.status}]  version ${r.version}`,
    `    rows: ${Object.entries(r.rows)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} (total ${r.totalRows}) from ${r.sources} warehouse file(s)`,
    `    split ${r.split} keyed by ${r.splitKey.join(", ")}`,
    `    data: ${lakeDir}/exports/${r.keys!.data}/  (${r.nfiles} file(s), ${r.size} bytes, md5 ${r.md5})`,
    `    dvc:  ${lakeDir}/exports/${r.keys!.dvcFile}  (remote: ${lakeDir}/exports)`,
    ...(r.warnings ?? []).map((w) => `    WARNING ${w}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("export")
    .description(
      "snapshot a dataset as of an instant into a repeatable train/eval/test split (Parquet), published as a DVC remote",
    )
    .argument("<dataset>", "dataset to export")
    .option("--as-of <iso>", "snapshot of the rows ingested at or before this instant (default: now)")
    .option("-e, --env <environment>", "training (rows and features incl. the label) or serving", "training")
    .option("--split <parts>", "split names and percentages, summing to 100", DEFAULT_SPLIT)
    .option(
      "--split-key <columns>",
      "column(s) whose values decide a row's split (default: every exported feature)",
    )
    .option("--seed <text>", "salt of the split hash; a new seed reshuffles (default: lakeline)")
    .option(
      "--where <predicate>",
      "SQL predicate over the dataset's warehouse columns, e.g. \"origin = 'SFO'\"",
    )
    .option("--format <format>", "output format (parquet)", "parquet")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      "\nThe same inputs give a byte-identical export with the same version; re-running is a no-op.\n" +
        "A split key containing the label, or split shares more than 5 points off the request, prints a WARNING\n" +
        `(also in the manifest's warnings).${EXIT_HELP}` +
        "Example:\n  lakeline export penguins --split train=70,eval=15,test=15\n  lakeline export flights --as-of 2024-05-01T00:00:00Z --split-key origin,destination --json",
    )
    .action(async (dataset: string, opts: ExportOpts) => {
      if (!ENVS.has(opts.env.toLowerCase()))
        throw new UsageError(`--env must be training or serving, not ${JSON.stringify(opts.env)}`);
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const result = await exportDataset(localExportDeps(config), {
        dataset,
        environment: opts.env,
        split: opts.split,
        format: opts.format,
        ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
        ...(opts.splitKey !== undefined ? { splitKey: opts.splitKey } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.where !== undefined ? { where: opts.where } : {}),
      });
      process.stdout.write(opts.json ? `${toJson(result)}\n` : describe(result, config.lakeDir));
      process.exitCode = result.status === "empty" ? EXIT.refused : EXIT.ok;
    });
}
