/**
 * The demo's claim on a lake folder: it may recreate a lake only when every file in it is one the
 * demo made. The marker file lists them when a run completes; a lake holding anything else (a
 * user's ingest, an export, a lineage record) is refused, never deleted.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { UsageError } from "../../src/core/errors.js";

export const DEMO_MARK = ".lakeline-demo";

interface Mark {
  readonly createdBy: "lakeline demo";
  /** Files the demo made, relative to the lake; absent while a run is in progress (or crashed). */
  readonly files?: readonly string[];
}

function filesUnder(dir: string, rel = ""): string[] {
  if (!existsSync(path.join(dir, rel))) return [];
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, child));
    else if (child !== DEMO_MARK) out.push(child);
  }
  return out.sort();
}

function readMark(dir: string): Mark | undefined {
  try {
    const mark = JSON.parse(readFileSync(path.join(dir, DEMO_MARK), "utf8")) as Mark;
    return mark.createdBy === "lakeline demo" ? mark : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Files in `dir` the demo did not make. Without a completed run's list (a run that stopped half
 * way), only the demo's own sample uploads and what derives from them are presumed its own.
 */
export function foreignFiles(dir: string, sampleRawKeys: readonly string[]): string[] {
  const mark = readMark(dir);
  // Without the demo's mark, anything at all (even an empty folder) is someone else's.
  if (!mark) return existsSync(dir) ? readdirSync(dir).sort() : [];
  const files = filesUnder(dir);
  if (mark.files) {
    const made = new Set(mark.files);
    return files.filter((f) => !made.has(f));
  }
  const samples = new Set(sampleRawKeys.map((k) => `raw/${k}`));
  return files.filter((f) => f.startsWith("raw/") && !samples.has(f));
}

/** Empties `dir` for a new demo run, or refuses when it holds anything the demo did not make. */
export async function claimDemoLake(dir: string, sampleRawKeys: readonly string[]): Promise<void> {
  // Uploads first: they are what a person recognises as theirs.
  const foreign = foreignFiles(dir, sampleRawKeys).sort(
    (a, b) => Number(!a.startsWith("raw/")) - Number(!b.startsWith("raw/")) || a.localeCompare(b),
  );
  if (foreign.length > 0) {
    const shown =
      foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? `, … (${foreign.length} files)` : "");
    throw new UsageError(
      `${dir} holds data the demo did not make (${shown}); the demo never deletes it: pass --lake <new dir> to run the demo elsewhere`,
      { lake: dir, foreign: foreign.length },
    );
  }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, DEMO_MARK), `${JSON.stringify({ createdBy: "lakeline demo" })}\n`);
}

/** Records every file the finished demo made, so a re-run can tell them from a user's. */
export async function sealDemoLake(dir: string): Promise<void> {
  const mark: Mark = { createdBy: "lakeline demo", files: filesUnder(dir) };
  await fs.writeFile(path.join(dir, DEMO_MARK), `${JSON.stringify(mark, null, 1)}\n`);
}
