/**
 * Every test file gets its own temporary root, removed when the file's tests end: whatever a test,
 * the CLI it runs or the pipeline's scratch space puts under the OS temp dir lands in there, so a
 * run leaves no temp folder behind (registered in vitest.config.ts as a setup file).
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";

// The machine's temp dir, remembered once per process: later files must not nest in a removed root.
process.env.LAKELINE_TEST_TMP_BASE ??= os.tmpdir();
const root = mkdtempSync(path.join(process.env.LAKELINE_TEST_TMP_BASE, "lakeline-test-"));
for (const name of ["TMPDIR", "TMP", "TEMP"]) process.env[name] = root;

afterAll(() => {
  // Retries: a test that timed out may still have writes in flight (ENOTEMPTY while removing).
  rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});
