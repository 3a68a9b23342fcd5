#!/usr/bin/env node
// The published entry point: registers the TypeScript loader, then runs the CLI from source.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv);
