/**
 * The scale-out executor for a blob too large for one invocation (see chunk.ts): its parts are
 * written to the raw zone next to it, under `<dataset>/<environment>/_parts/<runId>/`, each a raw
 * blob the ordinary ingest takes in an invocation of its own; the run that cut it commits as
 * routed, naming the parts. Deterministic, so a retried run rewrites nothing: the same bytes give
 * the same parts under the same keys (written once).
 */
import * as fs from "node:fs/promises";
import { PARTS_FOLDER, partsPrefix } from "../../contract/keys.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef } from "../lineage/recorder.js";
import { publishFile } from "../shared/publish.js";
import { chunkRecords, cuttable, recordStream } from "./chunk.js";

/** Whether `key` can be cut here: CSV or JSON lines, and not itself a part (no cutting twice). */
export function canCut(key: string): boolean {
  return cuttable(key) !== undefined && !key.split("/").includes(PARTS_FOLDER);
}

/** Cut the raw blob `key` into parts of about `partBytes`, stored in the raw zone; their refs. */
export async function cutIntoParts(args: {
  raw: ObjectStore;
  key: string;
  runId: string;
  partBytes: number;
  scratch: string;
}): Promise<DatasetRef[]> {
  const kind = cuttable(args.key);
  if (!kind) throw new Error(`cannot cut ${args.key}: only CSV and JSON lines are cut at record boundaries`);
  const [dataset = "", environment = ""] = args.key.split("/");
  const prefix = partsPrefix(dataset, environment, args.runId);
  const refs: DatasetRef[] = [];
  await chunkRecords(recordStream(await args.raw.getStream(args.key), kind.gzip), {
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
