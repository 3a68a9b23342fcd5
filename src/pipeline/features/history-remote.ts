/**
 * A training set asked of the export function: the request checked (src/contract/
 * training-set-request.ts), its entity file downloaded from the exports zone into scratch, then
 * `features history` as on the local lake — the engine (Athena there) decides how it is computed.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { entitiesKey, parseTrainingSetRequest, splitText } from "../../contract/training-set-request.js";
import { UsageError } from "../../core/errors.js";
import { type HistoryDeps, type HistoryResult, trainingSetHistory } from "./history.js";

export async function trainingSetFromRequest(deps: HistoryDeps, input: unknown): Promise<HistoryResult> {
  const req = parseTrainingSetRequest(input);
  const key = entitiesKey(req.entities, deps.stores.exports.bucket);
  if (!(await deps.stores.exports.head(key)))
    throw new UsageError(`training set request: no entity file ${deps.stores.exports.namespace}/${key}`, {
      entities: req.entities,
    });
  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-entities-"));
  try {
    // The file keeps its name: its extension says how to read it.
    const local = path.join(scratch, path.posix.basename(key));
    await deps.stores.exports.download(key, local);
    const split = splitText(req.split);
    return await trainingSetHistory(deps, {
      entities: local,
      entitiesSource: { namespace: deps.stores.exports.namespace, name: key },
      features: req.features,
      ...(req.name ? { name: req.name } : {}),
      ...(req.timestamp ? { timestamp: req.timestamp } : {}),
      ...(req.label ? { label: req.label } : {}),
      ...(req.asOf ? { asOf: req.asOf } : {}),
      ...(req.knowledge ? { knowledge: req.knowledge } : {}),
      ...(split ? { split } : {}),
      ...(req.seed ? { seed: req.seed } : {}),
      ...(req.splitKey
        ? { splitKey: typeof req.splitKey === "string" ? req.splitKey : req.splitKey.join(",") }
        : {}),
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
