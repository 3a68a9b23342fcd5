// The bundled CLI's entry point (see scripts/build-cli.mjs and bin/lakeline.mjs).
import { main } from "./main.js";

// `lakeline … | head` closes the pipe early: that is the reader's choice, not an error to report
// with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv);
