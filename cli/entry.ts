// The bundled CLI's entry point (see scripts/build-cli.mjs and bin/lakeline.mjs).
import { main } from "./main.js";

process.exitCode = await main(process.argv);
