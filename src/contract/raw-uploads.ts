/**
 * Which raw uploads ingest reads: the record formats by extension, in any letter case, optionally
 * gzip-compressed (`.gz` or `.gzip`). S3 notification filters match suffixes case-sensitively and
 * cannot express this, so the raw bucket notifies on every ObjectCreated and the ingest function
 * decides here (`data.CSV`, `x.csv.GZIP` are ingested like `data.csv`).
 */
export const RAW_FORMAT_EXTENSIONS: readonly string[] = [".csv", ".tsv", ".json", ".jsonl", ".ndjson"];
export const RAW_COMPRESSION_EXTENSIONS: readonly string[] = [".gz", ".gzip"];

/** Whether an uploaded key names a blob ingest reads (the key as S3 stores it, not URL-encoded). */
export function isRawUpload(key: string): boolean {
  let lower = key.toLowerCase();
  const compression = RAW_COMPRESSION_EXTENSIONS.find((c) => lower.endsWith(c));
  if (compression) lower = lower.slice(0, -compression.length);
  const format = RAW_FORMAT_EXTENSIONS.find((f) => lower.endsWith(f));
  // A bare extension (`.csv`, `folder/.csv`) names no file.
  return format !== undefined && !lower.endsWith(`/${format}`) && lower !== format;
}
