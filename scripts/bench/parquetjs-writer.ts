/**
 * Bench child: the "why not parquetjs" row. CSV → parquetjs (0.11) writer, row by row, with the
 * library's defaults (4096-row groups, no compression) — the straightforward pure-JS pipeline,
 * without validation or statistics. Usage: node --import tsx scripts/bench/parquetjs-writer.ts <csv> <out.parquet>
 */
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

// parquetjs ships no types; the few calls used here, declared locally rather than globally.
interface ParquetWriter {
  appendRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
interface Parquetjs {
  ParquetSchema: new (fields: Record<string, { type: string }>) => unknown;
  ParquetWriter: { openFile(schema: unknown, path: string): Promise<ParquetWriter> };
}
const parquet = createRequire(import.meta.url)("parquetjs") as Parquetjs;

const [src, dest] = process.argv.slice(2);
if (!src || !dest) throw new Error("usage: parquetjs-writer.ts <csv> <out.parquet>");
const schema = new parquet.ParquetSchema({
  date: { type: "TIMESTAMP_MILLIS" },
  delay: { type: "INT64" },
  distance: { type: "INT64" },
  origin: { type: "UTF8" },
  destination: { type: "UTF8" },
});
const writer = await parquet.ParquetWriter.openFile(schema, dest);
let rows = 0;
let header = true;
// The flights CSV has no quoted fields, so a split is a faithful parse.
for await (const line of createInterface({
  input: createReadStream(src, { highWaterMark: 1 << 20 }),
  crlfDelay: Number.POSITIVE_INFINITY,
})) {
  if (header) {
    header = false;
    continue;
  }
  if (line === "") continue;
  const [date, delay, distance, origin, destination] = line.split(",");
  await writer.appendRow({
    date: new Date(`${date!.replace(" ", "T")}Z`),
    delay: Number(delay),
    distance: Number(distance),
    origin: origin!,
    destination: destination!,
  });
  rows++;
}
await writer.close();
process.stdout.write(`${JSON.stringify({ rows })}\n`);
