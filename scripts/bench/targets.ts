/**
 * The targets of the width axis and of speed on the narrow table: every width ingests at the default
 * settings; peak RSS ≤ 512 MB up to 100 columns and ≤ 1 GB beyond; at the widest (300 columns) wall
 * ≥ 0.5× the anchor; 3M flights CSV ≥ 0.7× the anchor at ≤ 1.8× its CPU; 3M JSON lines ≥ 0.6×.
 */
import type { ResultRow, Target } from "./report.js";

const fmt = (n: number | null) => (n === null ? "-" : n.toFixed(2));

export function widthTargets(
  rows: readonly ResultRow[],
  widthJobs: readonly string[],
  failed: ReadonlyMap<string, string>,
): Target[] {
  const targets: Target[] = [];
  for (const id of widthJobs) {
    const r = rows.find((x) => x.id === id);
    const error = failed.get(id)?.split("\n")[0];
    targets.push({
      target: `ingest completes at the default settings (${id.replace("ingest:", "")})`,
      measured: r ? `ok, ${r.wallS.toFixed(2)} s` : `failed: ${error ?? "not run"}`,
      met: r !== undefined,
    });
    if (!r) continue;
    const limit = (r.columns ?? 0) <= 100 ? 512 : 1024;
    targets.push({
      target: `peak RSS ≤ ${limit} MB (${r.input}, ${r.columns} columns)`,
      measured: `${r.peakRssMb.toFixed(0)} MB`,
      met: r.peakRssMb <= limit,
    });
    if ((r.columns ?? 0) >= 300)
      targets.push({
        target: `ingest ≥ 0.5× anchor rows/s (${r.input})`,
        measured: `${fmt(r.ratio)}× (cpu ${fmt(r.cpuRatio)}× the anchor's)`,
        met: (r.ratio ?? 0) >= 0.5,
      });
  }
  const csv3m = rows.find((x) => x.id === "ingest:flights-3m.csv");
  if (csv3m) {
    targets.push(
      {
        target: "ingest ≥ 0.7× anchor rows/s (flights-3m.csv)",
        measured: `${fmt(csv3m.ratio)}×`,
        met: (csv3m.ratio ?? 0) >= 0.7,
      },
      {
        target: "ingest CPU ≤ 1.8× the anchor's (flights-3m.csv)",
        measured: `${fmt(csv3m.cpuRatio)}×`,
        met: csv3m.cpuRatio !== null && csv3m.cpuRatio <= 1.8,
      },
    );
  }
  const jsonl3m = rows.find((x) => x.id === "ingest:flights-3m.jsonl");
  if (jsonl3m)
    targets.push({
      target: "ingest ≥ 0.6× anchor rows/s (flights-3m.jsonl)",
      measured: `${fmt(jsonl3m.ratio)}×`,
      met: (jsonl3m.ratio ?? 0) >= 0.6,
    });
  return targets;
}
