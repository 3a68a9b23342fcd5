/**
 * Bench child: `lakeline ingest` of one file through the same upload → notification → handler path
 * as the CLI, then the online materializer as the CLI runs it after a commit, but with explicit
 * DuckDB settings (what the Lambda wiring passes), to measure what those settings change. Usage:
 *   node --import tsx scripts/bench/ingest-with.ts <file> --lake <dir> [--memory-limit 512MB] [--threads n]
 */
import { onlineAfterCommit } from "../../cli/commands/ingest.js";
import { localMaterializer } from "../../cli/deps/features.js";
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
const config = { ...localConfig({ lake }), ...(memoryLimit ? { duckdbMemory: memoryLimit } : {}) };
const deps = localIngestDeps(config, { database });
const key = await uploadRaw(deps.stores.raw, file, "flights", "training");
const response = await localIngestInvoker(deps)(await notificationFor(deps.stores.raw, key));
const result = response.results[0]!;
// The CLI's ingest hands each commit to the online materializer: without it this row would leave
// out work the default row pays for.
const online = await onlineAfterCommit(localMaterializer(config), result);
process.stdout.write(`${JSON.stringify({ ...result, ...online })}\n`);
