import type { Command } from "commander";
import { UsageError } from "../../src/core/errors.js";
import { hashPath } from "../../src/pipeline/shared/hash-files.js";
import { toJson } from "../output.js";

/** `lakeline hash <path>`: the DVC 3 version of a file (`md5`) or directory (`md5.dir size nfiles`). */
export function register(program: Command): void {
  program
    .command("hash")
    .description(
      "print the DVC-compatible hash of a file (md5) or directory (md5.dir, total size, file count)",
    )
    .argument("<path>", "file or directory")
    .option("--json", "print a JSON object (directories include their manifest entries)")
    .action(async (target: string, opts: { json?: boolean }) => {
      let result: Awaited<ReturnType<typeof hashPath>>;
      try {
        result = await hashPath(target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR")
          throw new UsageError(`no such file or directory: ${target}`, { path: target });
        throw err;
      }
      if (opts.json) {
        process.stdout.write(`${toJson({ path: target, ...result })}\n`);
      } else if (result.kind === "file") {
        process.stdout.write(`${result.md5}\n`);
      } else {
        process.stdout.write(`${result.md5} ${result.size} ${result.nfiles}\n`);
      }
    });
}
