#!/usr/bin/env node
// Bundles the CLI into dist/cli with esbuild (run by `npm ci` through `prepare`). Code splitting keeps
// dynamic imports lazy, so a local command never loads the AWS SDK. bin/lakeline.mjs uses the bundle
// only while it is newer than every source file, and runs the TypeScript directly otherwise.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync("dist/cli", { recursive: true, force: true });

await build({
  entryPoints: { lakeline: "cli/entry.ts" },
  outdir: "dist/cli",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});
