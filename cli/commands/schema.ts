/**
 * `lakeline schema …`: infer a draft from a data file, check a schemas folder (format and
 * version-to-version compatibility), emit the JSON Schema of the file format.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { inferSchemaFromFile } from "../../src/adapters/duckdb/infer-file.js";
import { releaseDraft, writeDraft } from "../../src/adapters/node/schema-release.js";
import { checkSchemasDir } from "../../src/adapters/node/schemas-dir.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { assertDatasetName } from "../../src/contract/raw-key.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { LakelineError, UsageError } from "../../src/core/errors.js";
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  compatibilityProblems,
} from "../../src/core/schema/compat.js";
import { schemaFileJsonSchema } from "../../src/core/schema/format.js";
import { schemaFileText } from "../../src/core/schema/infer.js";
import { formatTable, toJson } from "../output.js";

export const JSON_SCHEMA_FILE = "schema-file.schema.json";

export function register(program: Command): void {
  const schema = program
    .command("schema")
    .description("Dataset schemas: infer drafts, check versions, file-format JSON Schema");

  schema
    .command("infer")
    .description(
      "Draft the next schema version of a dataset from a data file (CSV, TSV, JSON lines/array, Parquet; .gz ok). " +
        "The draft goes to schemas/<dataset>/drafts/ and is not live until `lakeline schema release`.",
    )
    .argument("<file>", "data file to read")
    .requiredOption("--dataset <name>", "dataset the draft belongs to")
    .option("--schemas <dir>", `schemas folder (default ./schemas or $${ENV.schemas})`)
    .option(
      "--numeric-ranges",
      "copy the observed min/max of numbers into the draft (off: a sample's range is not the feature's)",
    )
    .option("--json-integers", "type whole-number JSON fields INT (off: JSON numbers are FLOAT)")
    .option("--fresh", "draft from the data alone, not from the latest released version")
    .option("--stdout", "print the draft instead of writing schemas/<dataset>/drafts/v<N>.json")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      "\nWith a released version, the draft starts from it (label, environments, domains kept) and only relaxes\n" +
        "what the data contradicts, like tfdv.update_schema.\n" +
        "Next: review the draft, then `lakeline schema release <dataset>`.",
    )
    .action(
      async (
        file: string,
        opts: {
          dataset: string;
          schemas?: string;
          stdout?: boolean;
          json?: boolean;
          numericRanges?: boolean;
          jsonIntegers?: boolean;
          fresh?: boolean;
        },
      ) => {
        const dataset = assertDatasetName(opts.dataset);
        const dir = localConfig({ schemas: opts.schemas }).schemasDir;
        const registry = new SchemaRegistry(dir);
        const latest = registry.versions(dataset).at(-1);
        const version = (latest ?? 0) + 1;
        const previous =
          latest !== undefined && !opts.fresh ? registry.load(dataset, latest).schema : undefined;
        const { schema, statistics } = await inferSchemaFromFile(file, {
          dataset,
          version,
          numericRanges: opts.numericRanges === true,
          jsonIntegers: opts.jsonIntegers === true,
          ...(previous ? { previous } : {}),
        });
        const compatibility =
          latest !== undefined
            ? compatibilityProblems(registry.load(dataset, latest).schema, schema, "BACKWARD")
            : [];
        // Drafts sit one folder deeper than releases; the release copies the bytes as they are.
        const text = schemaFileText(schema, `../${JSON_SCHEMA_FILE}`);
        let written: string | undefined;
        if (!opts.stdout) written = writeDraft(registry, schema, text);
        if (opts.json) {
          process.stdout.write(
            `${toJson({ file: written ?? null, dataset, version, status: "draft", basedOn: previous ? previous.version : null, rows: statistics.rowsRead, skippedLines: statistics.skipped ?? null, schema, compatibility }, true)}\n`,
          );
          return;
        }
        const { skipped } = statistics;
        // Said whether the draft goes to a file or to stdout: its statistics leave these lines out.
        if (skipped)
          process.stderr.write(
            `warning: ${path.basename(file)}: ${skipped.lines} malformed line${skipped.lines === 1 ? "" : "s"} skipped (the first on line ${skipped.first}); the draft describes the other rows\n`,
          );
        if (opts.stdout) process.stdout.write(text);
        else {
          process.stdout.write(`${written}\n`);
          process.stderr.write(
            `draft ${dataset} v${version} from ${statistics.rowsRead} rows${previous ? ` (starting from v${previous.version})` : ""}; not live until \`lakeline schema release ${dataset}\`\n`,
          );
        }
        if (compatibility.length > 0) {
          process.stderr.write(
            `note: the draft is not BACKWARD compatible with v${latest}; release will refuse it until fixed:\n${compatibility.map((p) => `  - ${p}`).join("\n")}\n`,
          );
        }
      },
    );

  schema
    .command("release")
    .description(
      "Promote a draft to a released (live) version after the same checks as `schema check`; never overwrites",
    )
    .argument("<dataset>", "dataset whose draft to release")
    .argument("[version]", "draft version, e.g. v2 (default: the latest draft)")
    .option("--schemas <dir>", `schemas folder (default ./schemas or $${ENV.schemas})`)
    .option("--mode <mode>", "BACKWARD | FORWARD | FULL", "BACKWARD")
    .option("--json", "machine-readable output")
    .action(
      (
        datasetArg: string,
        versionArg: string | undefined,
        opts: { schemas?: string; mode: string; json?: boolean },
      ) => {
        const dataset = assertDatasetName(datasetArg);
        const mode = compatibilityMode(opts.mode);
        let version: number | undefined;
        if (versionArg !== undefined) {
          const m = /^v?([1-9][0-9]*)$/.exec(versionArg);
          if (!m)
            throw new UsageError(`not a schema version: ${JSON.stringify(versionArg)} (e.g. v2)`, {
              version: versionArg,
            });
          version = Number(m[1]);
        }
        const registry = new SchemaRegistry(localConfig({ schemas: opts.schemas }).schemasDir);
        const released = releaseDraft(registry, dataset, version, mode);
        const check = checkSchemasDir(registry.dir, mode, dataset);
        if (opts.json)
          process.stdout.write(`${toJson({ ...released, status: "released", check: check.ok }, true)}\n`);
        else process.stdout.write(`released ${dataset} v${released.version}: ${released.file}\n`);
      },
    );

  schema
    .command("check")
    .description("Validate every schema file and each version's compatibility with the previous one")
    .argument("[dataset]", "check only this dataset")
    .option("--schemas <dir>", `schemas folder (default ./schemas or $${ENV.schemas})`)
    .option("--mode <mode>", "BACKWARD | FORWARD | FULL", "BACKWARD")
    .option("--json", "machine-readable output")
    .action((dataset: string | undefined, opts: { schemas?: string; mode: string; json?: boolean }) => {
      const mode = compatibilityMode(opts.mode);
      const dir = localConfig({ schemas: opts.schemas }).schemasDir;
      const result = checkSchemasDir(dir, mode, dataset);
      if (opts.json) {
        process.stdout.write(`${toJson(result, true)}\n`);
      } else {
        const rows = result.datasets.map((d) => ({
          dataset: d.dataset,
          versions: d.versions.map((v) => `v${v}`).join(" "),
          features: d.features ?? null,
          views: d.views ?? 0,
          status:
            d.problems.length === 0
              ? "ok"
              : `${d.problems.length} problem${d.problems.length === 1 ? "" : "s"}`,
        }));
        process.stdout.write(
          `schemas in ${dir} (compatibility ${mode})\n${formatTable(rows, ["dataset", "versions", "features", "status", "views"])}`,
        );
        const problems = result.datasets.flatMap((d) => d.problems);
        if (problems.length > 0)
          process.stdout.write(
            `\nbreaking changes and format errors:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
          );
      }
      if (!result.ok) {
        const count = result.datasets.reduce((n, d) => n + d.problems.length, 0);
        throw new LakelineError(`schema check failed: ${count} problem${count === 1 ? "" : "s"} in ${dir}`, {
          dir,
          mode,
        });
      }
    });

  schema
    .command("json-schema")
    .description(
      `Print the JSON Schema of the schema file format (--write: update <schemas>/${JSON_SCHEMA_FILE})`,
    )
    .option("--schemas <dir>", `schemas folder (default ./schemas or $${ENV.schemas})`)
    .option("--write", "write the file instead of printing it")
    .action((opts: { schemas?: string; write?: boolean }) => {
      const text = jsonSchemaText();
      if (!opts.write) {
        process.stdout.write(text);
        return;
      }
      const file = path.join(localConfig({ schemas: opts.schemas }).schemasDir, JSON_SCHEMA_FILE);
      writeFileSync(file, text);
      process.stdout.write(`${file}\n`);
    });
}

/** The committed `schemas/schema-file.schema.json`, byte for byte. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(schemaFileJsonSchema(), null, 2)}\n`;
}

function compatibilityMode(value: string): CompatibilityMode {
  const mode = value.toUpperCase() as CompatibilityMode;
  if (!COMPATIBILITY_MODES.includes(mode))
    throw new UsageError(
      `unknown compatibility mode ${JSON.stringify(value)}: use BACKWARD, FORWARD or FULL`,
      {
        mode: value,
      },
    );
  return mode;
}
