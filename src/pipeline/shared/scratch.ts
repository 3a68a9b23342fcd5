import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Scratch } from "../../ports/scratch.js";

/** Scratch folders under `root` (the deployment's scratch directory). */
export function scratchUnder(root: string): Scratch {
  return {
    create: (prefix) => fs.mkdtemp(path.join(root, prefix)),
    dispose: (dir) => fs.rm(dir, { recursive: true, force: true }),
  };
}
