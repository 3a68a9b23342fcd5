/** Throwaway folders and lakes for tests; all live under the file's temporary root (temp-root.ts). */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalConfig } from "../../src/contract/env.js";

export const SCHEMAS_DIR = path.resolve("schemas");

export async function tempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `lakeline-${label}-`));
}

/**
 * A fresh lake plus a private copy of `schemas/` that a test may extend with variants
 * without touching the repository's schemas.
 */
export async function tempLake(label: string): Promise<LocalConfig & { root: string }> {
  const root = await tempDir(label);
  const schemasDir = path.join(root, "schemas");
  await fs.cp(SCHEMAS_DIR, schemasDir, { recursive: true });
  return { root, lakeDir: path.join(root, "lake"), schemasDir };
}
