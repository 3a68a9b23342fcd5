/**
 * Compaction records through the ObjectStore port: a compacted file counts only once its record
 * exists, and only while the file is there with the size the record names. A record whose file is
 * missing or of another size is set aside with the reason (its runs are read from their own files,
 * so no row is lost); a file without a record is never read.
 */
import { compactionRecordPrefix } from "../../contract/keys.js";
import { mapLimit } from "../../core/map-limit.js";
import type { CompactionRecord } from "../../core/warehouse/compaction.js";
import { keysUnder, type ObjectStore } from "../../ports/object-store.js";

const READ_CONCURRENCY = 16;

export interface CompactionRecords {
  /** Records whose file is present, with the size recorded. */
  readonly valid: CompactionRecord[];
  /** Records set aside, each with why (for the reader to say). */
  readonly invalid: { readonly key: string; readonly reason: string }[];
}

function parseRecord(text: string): CompactionRecord | undefined {
  try {
    const r = JSON.parse(text) as CompactionRecord;
    return typeof r.key === "string" && Array.isArray(r.runs) && typeof r.size === "number" ? r : undefined;
  } catch {
    return undefined;
  }
}

export async function readCompactionRecords(
  warehouse: ObjectStore,
  dataset: string,
): Promise<CompactionRecords> {
  const prefix = compactionRecordPrefix(dataset);
  const keys = await keysUnder(warehouse, prefix);
  const checked = await mapLimit(keys, READ_CONCURRENCY, async (key) => {
    const record = parseRecord(Buffer.from(await warehouse.get(key)).toString("utf8"));
    if (!record) return { key, reason: "not a compaction record" };
    const file = await warehouse.head(record.key);
    if (!file) return { key, reason: `its file ${record.key} is missing` };
    if (file.size !== record.size)
      return {
        key,
        reason: `its file ${record.key} has ${file.size} bytes, not the ${record.size} recorded`,
      };
    return record;
  });
  const valid: CompactionRecord[] = [];
  const invalid: CompactionRecords["invalid"] = [];
  for (const c of checked) {
    if ("reason" in c) invalid.push(c);
    else valid.push(c);
  }
  return { valid, invalid };
}
