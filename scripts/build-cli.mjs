#!/usr/bin/env node
// Bundles the CLI into dist/cli with esbuild (run by `npm ci` through `prepare`). Code splitting keeps
// dynamic imports lazy, so a local command never loads the AWS SDK. bin/lakeline.mjs uses the bundle
// only while it is newer than every source file, and runs the TypeScript directly otherwise.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

/**
 * Packages loaded by every command are bundled (measured: 0.03-0.05 s less CPU before a command
 * runs than loading zod's ~100 files and the rest from node_modules); the others, the AWS SDK
 * above all, stay external and lazy.
 */
const BUNDLED = /^(zod|commander|@aws-lambda-powertools\/[^/]+|@middy\/core)(\/|$)/;

/**
 * DuckDB's JavaScript API is bundled too: it is ~180 CommonJS files, and Node imports CommonJS from
 * ESM by lexing every re-exported file for its export names — measured 0.47 s of CPU to load it
 * that way against 0.17 s bundled, on each run.
 * The sources import it as ESM (named exports), so it is bundled behind a facade that names its
 * exports; its native binding (`@duckdb/node-bindings`) stays external, loaded through the
 * `require` the banner provides, as in the Lambda bundles (infra/constructs/bundling.ts).
 */
const DUCKDB_API = "@duckdb/node-api";
const require = createRequire(import.meta.url);
const packages = {
  name: "packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (BUNDLED.test(args.path)) return undefined;
      if (args.path !== DUCKDB_API) return { path: args.path, external: true };
      return { path: DUCKDB_API, namespace: "duckdb-api-facade" };
    });
    build.onLoad({ filter: /.*/, namespace: "duckdb-api-facade" }, () => {
      const names = Object.keys(require(DUCKDB_API)).filter((n) => n !== "default");
      const index = JSON.stringify(require.resolve(DUCKDB_API));
      return {
        contents: `import * as api from ${index};\nexport const { ${names.join(", ")} } = api;\n`,
        loader: "js",
        resolveDir: process.cwd(),
      };
    });
  },
};

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
  plugins: [packages],
  banner: {
    js: "import { createRequire as __lakelineCreateRequire } from 'node:module'; const require = __lakelineCreateRequire(import.meta.url);",
  },
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});
