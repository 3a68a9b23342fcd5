/**
 * The scale-out executor for a blob too large for one invocation (see chunk.ts): its parts are
 * written to the raw zone next to it, under `<dataset>/<environment>/_parts/<runId>/`, each a raw
 * blob the ordinary ingest takes in an invocation of its own; the run that split it commits as
 * routed, naming the parts. Deterministic, so a retried run rewrites nothing: the same bytes give
 * the same parts under the same keys (written once).
 */
import * as fs from "node:fs/promises";
import { PARTS_FOLDER, partsPrefix } from "../../contract/keys.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef } from "../lineage/recorder.js";
import { publishFile } from "../shared/publish.js";
import { recordStream, splitRecords, splittable } from "./chunk.js";

/** Whether `key` can be split here: CSV or JSON lines, and not itself a part (no splitting twice). */
export function canSplit(key: string): boolean {
  return splittable(key) !== undefined && !key.split("/").includes(PARTS_FOLDER);
}

/** Split the raw blob `key` into parts of about `partBytes`, stored in the raw zone; their refs. */
export async function splitIntoParts(args: {
  raw: ObjectStore;
  key: string;
  runId: string;
  partBytes: number;
  scratch: string;
}): Promise<DatasetRef[]> {
  const kind = splittable(args.key);
  if (!kind) throw new Error(`cannot split ${args.key}: only CSV and JSON lines are split by records`);
  const [dataset = "", environment = ""] = args.key.split("/");
  const prefix = partsPrefix(dataset, environment, args.runId);
  const refs: DatasetRef[] = [];
  await splitRecords(recordStream(await args.raw.getStream(args.key), kind.gzip), {
    csv: kind.csv,
    partBytes: args.partBytes,
    dir: args.scratch,
    onPart: async (part) => {
      const key = `${prefix}${kind.stem}.part-${String(part.index + 1).padStart(5, "0")}.${kind.ext}`;
      refs.push(
        await publishFile(args.raw, key, part.file, {
          artifactType: "RawBlob",
          properties: { partOf: args.key, firstLine: part.firstLine, lines: part.lines },
        }),
      );
      await fs.rm(part.file, { force: true });
    },
  });
  return refs;
}
