/**
 * Lambda cold start, approximated locally: bundle functions/ingest.ts the way infra/constructs/bundling.ts
 * tells CDK to (esbuild, ESM, node22, minified, DuckDB's native bindings external), once with the AWS
 * SDK bundled (what the stack ships) and once with it external (what relying on the runtime's copy
 * would give), then time `import()` of the bundle in fresh processes.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median } from "./measure.js";

export interface ColdStart {
  readonly variant: string;
  readonly bundleBytes: number;
  /** Median `await import(bundle)` time over fresh processes, ms. */
  readonly initMs: number;
  readonly initRuns: readonly number[];
}

const BANNER =
  "import { createRequire as __lakelineCreateRequire } from 'node:module'; const require = __lakelineCreateRequire(import.meta.url);";

async function bundle(outfile: string, sdkExternal: boolean): Promise<number> {
  await build({
    entryPoints: ["functions/ingest.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    mainFields: ["module", "main"],
    banner: { js: BANNER },
    // As bundling.ts: the bindings load a .node file through a computed require, so they stay external.
    external: ["@duckdb/node-bindings", "@duckdb/node-bindings-*", ...(sdkExternal ? ["@aws-sdk/*"] : [])],
    logLevel: "silent",
  });
  return statSync(outfile).size;
}

function importTime(file: string): Promise<number> {
  const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("close", (c) =>
      c === 0
        ? resolve(Number(out.trim()))
        : reject(new Error(`bench: importing ${file} failed (${c}): ${err.slice(0, 500)}`)),
    );
  });
}

/** Bundles live under `dir` inside the project, so the external packages resolve from its node_modules. */
export async function measureColdStart(
  dir: string,
  runs: number,
  log: (m: string) => void,
): Promise<ColdStart[]> {
  await fs.mkdir(dir, { recursive: true });
  const variants = [
    { variant: "AWS SDK bundled (as the stack ships)", sdkExternal: false, name: "sdk-bundled" },
    { variant: "AWS SDK external (runtime-provided)", sdkExternal: true, name: "sdk-external" },
  ];
  const built = [];
  for (const v of variants) {
    const file = path.join(dir, v.name, "index.mjs");
    built.push({ ...v, file, bundleBytes: await bundle(file, v.sdkExternal), initRuns: [] as number[] });
  }
  // Alternate the variants so machine noise hits both alike.
  for (let i = 0; i < runs; i++) for (const b of built) b.initRuns.push(await importTime(b.file));
  const out: ColdStart[] = built.map((b) => ({
    variant: b.variant,
    bundleBytes: b.bundleBytes,
    initMs: median(b.initRuns),
    initRuns: b.initRuns,
  }));
  for (const b of built)
    log(
      `cold start ${b.name}: ${b.bundleBytes} bytes, init ${b.initRuns.map((t) => t.toFixed(0)).join("/")} ms`,
    );
  return out;
}
