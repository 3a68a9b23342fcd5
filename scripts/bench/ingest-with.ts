/**
 * Bench child: `lakeline ingest` of one file through the same upload → notification → handler path
 * as the CLI, but with explicit DuckDB settings (what the Lambda wiring passes), to measure what
 * those settings change. Usage:
 *   node --import tsx scripts/bench/ingest-with.ts <file> --lake <dir> [--memory-limit 512MB] [--threads n]
 */
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { localIngestInvoker, notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import type { DatabaseOptions } from "../../src/adapters/duckdb/database.js";
import { localConfig } from "../../src/contract/env.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const file = process.argv[2];
const lake = option("--lake");
if (!file || !lake)
  throw new Error("usage: ingest-with.ts <file> --lake <dir> [--memory-limit 512MB] [--threads n]");
const memoryLimit = option("--memory-limit");
const threads = option("--threads");
const database: DatabaseOptions = {
  ...(memoryLimit ? { memoryLimit } : {}),
  ...(threads ? { threads: Number(threads) } : {}),
};
const deps = localIngestDeps(localConfig({ lake }), { database });
const key = await uploadRaw(deps.stores.raw, file, "flights", "training");
const response = await localIngestInvoker(deps)(await notificationFor(deps.stores.raw, key));
process.stdout.write(`${JSON.stringify(response.results[0])}\n`);
