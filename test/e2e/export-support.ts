/** Helpers of the export tests: read an export back, and fetch it the way `dvc pull` does. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Database } from "../../src/adapters/duckdb/database.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import type { ExportManifest, ManifestSource } from "../../src/contract/export-keys.js";
import type { ExportResult } from "../../src/pipeline/export/export.js";
import { exportSources } from "../../src/pipeline/export/sources.js";
import { runCli } from "../support/cli.js";

export async function exportJson(...args: string[]): Promise<ExportResult> {
  const r = await runCli("export", ...args, "--json");
  if (r.stderr !== "" || ![0, 2].includes(r.code))
    throw new Error(`export failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as ExportResult;
}

/** An export's manifest, read from the lake's exports zone. */
export function manifestOf(lake: string, made: ExportResult): ExportManifest {
  return JSON.parse(
    fs.readFileSync(path.join(lake, "exports", made.keys!.manifest), "utf8"),
  ) as ExportManifest;
}

/** Every warehouse file the export read, as a reader of its manifest finds them. */
export function sourcesOf(lake: string, made: ExportResult): Promise<ManifestSource[]> {
  return exportSources(localLakeStores(lake).exports, manifestOf(lake, made));
}

/** Ingest one file; its result (run id …). */
export async function ingest(
  lake: string,
  file: string,
  dataset: string,
  ...extra: string[]
): Promise<{ runId: string }> {
  const r = await runCli("ingest", file, "--dataset", dataset, "--lake", lake, "--json", ...extra);
  // Exit status 1 with status "ok" means rows were quarantined (penguins.json has one bad Sex):
  // the run committed, which is all an export test needs.
  const ok =
    r.stdout.trim() !== "" &&
    r.stdout
      .trim()
      .split("\n")
      .every((l) => JSON.parse(l).status === "ok");
  if (r.code > 1 || !ok) throw new Error(`ingest failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n")[0]!);
}

export function md5(bytes: Uint8Array | string): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Every file under `dir` → md5 of its bytes, keyed by POSIX relpath. */
export function folderDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const abs = path.join(dir, rel);
    if (fs.statSync(abs).isFile()) out[rel.split(path.sep).join("/")] = md5(fs.readFileSync(abs));
  }
  return out;
}

/**
 * What `dvc pull` does with a `.dvc` file naming a directory: read `<remote>/files/md5/<2>/<30>.dir`,
 * check it hashes to its name, then fetch each listed object (checking each md5) into `<target>/<path>`.
 */
export function dvcPull(
  remote: string,
  dvcFile: string,
  target: string,
): { md5: string; nfiles: number; size: number } {
  const text = fs.readFileSync(dvcFile, "utf8");
  const field = (name: string) => new RegExp(`^\\s*-?\\s*${name}: (.+)$`, "m").exec(text)?.[1]?.trim();
  const dirHash = field("md5")!;
  const outPath = field("path")!;
  if (field("hash") !== "md5") throw new Error("not a DVC 3 .dvc file (hash: md5)");
  const object = (h: string) => path.join(remote, "files", "md5", h.slice(0, 2), h.slice(2));
  const listing = fs.readFileSync(object(dirHash));
  if (`${md5(listing)}.dir` !== dirHash) throw new Error(".dir object does not hash to its name");
  const entries = JSON.parse(listing.toString("utf8")) as { md5: string; relpath: string }[];
  let size = 0;
  for (const e of entries) {
    const bytes = fs.readFileSync(object(e.md5));
    if (md5(bytes) !== e.md5) throw new Error(`object ${e.md5} is corrupt`);
    const dest = path.join(target, outPath, ...e.relpath.split("/"));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, bytes);
    size += bytes.length;
  }
  if (Number(field("nfiles")) !== entries.length || Number(field("size")) !== size)
    throw new Error(".dvc size/nfiles disagree with the objects");
  return { md5: dirHash, nfiles: entries.length, size };
}

/** Rows of an export's data folder, with their split, as plain objects. */
export async function exportRows(dataDir: string): Promise<Record<string, unknown>[]> {
  const db = await Database.open();
  try {
    return await db.all(
      `SELECT regexp_extract(filename, '/data/([a-z_0-9]+)/part-', 1) AS split, * EXCLUDE (filename) FROM read_parquet('${dataDir}/*/*.parquet', filename = true) ORDER BY ALL`,
    );
  } finally {
    db.close();
  }
}

export function rowId(r: Record<string, unknown>, columns: readonly string[]): string {
  return JSON.stringify(
    columns.map((c) =>
      r[c] instanceof Date ? (r[c] as Date).toISOString() : typeof r[c] === "bigint" ? String(r[c]) : r[c],
    ),
  );
}
