/**
 * `lakeline schema …`: infer a draft from a data file, check a schemas folder (format and
 * version-to-version compatibility), emit the JSON Schema of the file format.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { inferSchemaFromFile } from "../../src/adapters/duckdb/infer-file.js";
import { checkSchemasDir } from "../../src/adapters/node/schemas-dir.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { assertDatasetName } from "../../src/contract/raw-key.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { LakelineError, SchemaFormatError, UsageError } from "../../src/core/errors.js";
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  compatibilityProblems,
} from "../../src/core/schema/compat.js";
import { parseSchema, schemaFileJsonSchema } from "../../src/core/schema/format.js";
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
      "Draft the next schema version of a dataset from a data file (CSV, TSV, JSON lines/array, Parquet; .gz ok)",
    )
    .argument("<file>", "data file to read")
    .requiredOption("--dataset <name>", "dataset the draft belongs to")
    .option("--schemas <dir>", `schemas folder (default ./schemas or $${ENV.schemas})`)
    .option("--stdout", "print the draft instead of writing schemas/<dataset>/v<N+1>.json")
    .option("--json", "machine-readable output")
    .action(
      async (file: string, opts: { dataset: string; schemas?: string; stdout?: boolean; json?: boolean }) => {
        const dataset = assertDatasetName(opts.dataset);
        const dir = localConfig({ schemas: opts.schemas }).schemasDir;
        const registry = new SchemaRegistry(dir);
        const version = (registry.versions(dataset).at(-1) ?? 0) + 1;
        const { schema, statistics } = await inferSchemaFromFile(file, { dataset, version });
        const compatibility =
          version > 1
            ? compatibilityProblems(registry.load(dataset, version - 1).schema, schema, "BACKWARD")
            : [];
        const text = schemaFileText(schema, `../${JSON_SCHEMA_FILE}`);
        let written: string | undefined;
        if (!opts.stdout) written = writeNewFile(path.join(dir, dataset, `v${version}.json`), text);
        if (opts.json) {
          process.stdout.write(
            `${toJson({ file: written ?? null, dataset, version, rows: statistics.rowsRead, schema, compatibility }, true)}\n`,
          );
          return;
        }
        if (opts.stdout) process.stdout.write(text);
        else process.stdout.write(`${written}\n`);
        if (compatibility.length > 0) {
          process.stderr.write(
            `note: the draft is not BACKWARD compatible with v${version - 1}:\n${compatibility.map((p) => `  - ${p}`).join("\n")}\n`,
          );
        }
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
      const mode = opts.mode.toUpperCase() as CompatibilityMode;
      if (!COMPATIBILITY_MODES.includes(mode))
        throw new UsageError(
          `unknown compatibility mode ${JSON.stringify(opts.mode)}: use BACKWARD, FORWARD or FULL`,
          { mode: opts.mode },
        );
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

/** Released schema files are never overwritten: create-only, failing if the version exists. */
function writeNewFile(file: string, text: string): string {
  // A draft the real parser rejects is a bug in inference, not something to hand a person.
  parseSchema(text, file);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, text, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new SchemaFormatError(file, [
        "already exists; schema versions are never overwritten (use --stdout to preview)",
      ]);
    }
    throw err;
  }
  return file;
}
