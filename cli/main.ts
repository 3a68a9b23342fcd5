import { Command, CommanderError } from "commander";
import { debugEnabled } from "../src/contract/env.js";
import { errorMessage, LakelineError } from "../src/core/errors.js";
import { commandsFor } from "./commands/index.js";
import { EXIT, EXIT_HELP } from "./exit-codes.js";

export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("lakeline")
    .description(
      "Validated, versioned, lineage-tracked ML datasets: raw blobs → schema checks → Parquet warehouse → exports.\n" +
        "Runs on an embedded local lake (folders + DuckDB) with the same code the AWS Lambdas run.",
    )
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_HELP)
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code; never lets a stack trace reach the user. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof LakelineError) {
      process.stderr.write(`lakeline: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`lakeline: unexpected error: ${errorMessage(err)}\n`);
    if (debugEnabled()) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
    return EXIT.internal;
  }
}
