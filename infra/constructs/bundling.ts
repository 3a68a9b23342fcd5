/**
 * How a lakeline function becomes a deployment package, offline and without Docker:
 * esbuild (installed locally) bundles the TypeScript entry to one ESM file; afterBundling copies
 * the dataset schemas and DuckDB's native binding next to it.
 *
 * DuckDB: `@duckdb/node-api` is plain JavaScript and is bundled. Its `@duckdb/node-bindings`
 * loads `@duckdb/node-bindings-<platform>/duckdb.node` (+ libduckdb.so) with a computed require,
 * which no bundler can follow, so the bindings stay external and their installed packages are
 * copied from node_modules into the asset's node_modules. `npm ci` installs only the binding of
 * the machine it runs on, so a linux-x64 machine can ship the x86_64 binding offline, but the
 * linux-arm64 one only if it was installed explicitly (`npm i --no-save --os=linux --cpu=arm64
 * @duckdb/node-bindings-linux-arm64@<version>`). That is why functions default to x86_64.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { type BundlingOptions, OutputFormat, SourceMapMode } from "aws-cdk-lib/aws-lambda-nodejs";
import { BUNDLED_SCHEMAS_DIR } from "../layout.js";

export type LakelineArchitecture = "x86_64" | "arm64";

export interface LakelineBundlingProps {
  /** Folder holding package.json and node_modules. */
  readonly projectRoot: string;
  /** The `schemas/` folder copied into the package. */
  readonly schemasDir: string;
  readonly architecture: LakelineArchitecture;
}

const BINDINGS = "@duckdb/node-bindings";

export function nativeBindingPackage(architecture: LakelineArchitecture): string {
  return `${BINDINGS}-linux-${architecture === "arm64" ? "arm64" : "x64"}`;
}

/** Installed package folders that must ship beside the bundle, resolved as Node would. */
export function duckdbRuntimePackages(
  projectRoot: string,
  architecture: LakelineArchitecture,
): Map<string, string> {
  const fromRoot = createRequire(path.join(projectRoot, "package.json"));
  const dirOf = (req: NodeRequire, pkg: string) => path.dirname(req.resolve(`${pkg}/package.json`));
  const bindingsDir = dirOf(fromRoot, BINDINGS);
  const fromBindings = createRequire(path.join(bindingsDir, "package.json"));
  const native = nativeBindingPackage(architecture);
  let nativeDir: string;
  try {
    nativeDir = dirOf(fromBindings, native);
  } catch {
    throw new Error(
      `lakeline infra: ${native} is not installed, so the ${architecture} DuckDB binding cannot be packaged. ` +
        `Install it with \`npm i --no-save --os=linux --cpu=${architecture === "arm64" ? "arm64" : "x64"} ${native}\` ` +
        `or set "architecture" in lakeline.config.json to the platform npm installed.`,
    );
  }
  for (const file of ["duckdb.node", "libduckdb.so"]) {
    if (!existsSync(path.join(nativeDir, file)))
      throw new Error(`lakeline infra: ${native} has no ${file} (reinstall it)`);
  }
  return new Map([
    [BINDINGS, bindingsDir],
    ["detect-libc", dirOf(fromBindings, "detect-libc")],
    [native, nativeDir],
  ]);
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export function lakelineBundling(props: LakelineBundlingProps): BundlingOptions {
  const packages = duckdbRuntimePackages(props.projectRoot, props.architecture);
  return {
    format: OutputFormat.ESM,
    target: "node22",
    mainFields: ["module", "main"],
    // Bundled CommonJS dependencies call require(); ESM has none, so give them one.
    banner:
      "import { createRequire as __lakelineCreateRequire } from 'node:module'; const require = __lakelineCreateRequire(import.meta.url);",
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    // Everything else, the AWS SDK included, is bundled: the function runs the SDK versions it was
    // tested with rather than whatever the Lambda runtime ships.
    externalModules: [BINDINGS, ...[...packages.keys()].filter((p) => p.startsWith(`${BINDINGS}-`))],
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string): string[] => [
        `cp -R ${quote(props.schemasDir)} ${quote(path.join(outputDir, BUNDLED_SCHEMAS_DIR))}`,
        ...[...packages].flatMap(([name, dir]) => {
          const target = path.join(outputDir, "node_modules", name);
          return [`mkdir -p ${quote(path.dirname(target))}`, `cp -R ${quote(dir)} ${quote(target)}`];
        }),
      ],
    },
  };
}
