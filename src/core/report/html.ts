/**
 * The batch report a person opens after an ingest: one self-contained HTML page (inline CSS and
 * SVG; no scripts, fonts or network) with the counts, the anomalies, and per feature its
 * statistics, a small chart, and its drift from the previous batch. All data is escaped.
 */
import { featureDrift } from "../stats/drift.js";
import type { DatasetStatistics, FeatureStatistics } from "../stats/types.js";
import type { Anomaly } from "../validate/anomaly.js";
import { esc, num, pct, slug, timestamp } from "./format.js";
import { REPORT_CSS } from "./style.js";
import { barChartSvg, histogramSvg } from "./svg.js";

export interface ReportInput {
  readonly dataset: string;
  readonly runId: string;
  readonly environment: string;
  /** Null when the blob was rejected before a schema could be loaded. */
  readonly schemaVersion: number | null;
  readonly sourceKey: string;
  /** Why the blob was rejected whole, when it was: nothing of it reached the warehouse. */
  readonly rejected?: string;
  readonly statistics: DatasetStatistics;
  readonly anomalies: readonly Anomaly[];
  readonly previous?: DatasetStatistics;
  readonly lineageMermaid?: string;
  /** ISO time; passed in so the same input renders the same bytes. */
  readonly generatedAt: string;
}

const SEVERITY_ORDER = { ERROR: 0, WARNING: 1, INFO: 2 } as const;

export function renderReport(input: ReportInput): string {
  const s = input.statistics;
  const ids = featureIds(s);
  const title = `${input.dataset} · ${input.environment} batch report`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<dl>
<div><dt>run</dt><dd>${esc(input.runId)}</dd></div>
<div><dt>schema</dt><dd>${esc(input.dataset)} v${esc(input.schemaVersion ?? "?")}</dd></div>
<div><dt>source</dt><dd>${esc(input.sourceKey)}</dd></div>
<div><dt>generated</dt><dd>${esc(input.generatedAt)}</dd></div>
</dl>
</header>
<main>
${input.rejected === undefined ? "" : `<section class="rejected" id="rejected"><h2>Rejected whole</h2><p>Nothing from this blob reached the warehouse; it is kept with the reason in quarantine.</p><p class="reason">${esc(input.rejected)}</p></section>`}
${counts(s, input.anomalies, input.rejected !== undefined)}
<h2 id="anomalies">Anomalies</h2>
${anomalyTable(input.anomalies, ids)}
${input.previous ? driftTable(s, input.previous, input.anomalies) : ""}
<h2 id="features">Features</h2>
<div class="features">
${s.features.map((f) => featureSection(f, ids.get(f.name)!, s, input.previous, input.anomalies)).join("\n")}
</div>
${input.lineageMermaid ? `<h2 id="lineage">Lineage</h2>\n<pre class="mermaid">${esc(input.lineageMermaid)}</pre>` : ""}
</main>
<footer>lakeline · statistics over all ${esc(num(s.rowsRead))} rows read, the ${esc(num(s.rowsQuarantined))} quarantined included: a value that sent rows to quarantine shows here beside its anomaly (a value that is not of the feature's type counts as present; records that could not be parsed are counted only).</footer>
</body>
</html>
`;
}

/** A blob rejected whole wrote nothing: every row read is in quarantine, with the blob. */
function counts(s: DatasetStatistics, anomalies: readonly Anomaly[], rejected: boolean): string {
  const written = rejected ? 0 : s.rowsValid;
  const quarantined = rejected ? s.rowsRead : s.rowsQuarantined;
  const errors = anomalies.filter((a) => a.severity === "ERROR").length;
  const warnings = anomalies.filter((a) => a.severity === "WARNING").length;
  const card = (label: string, value: string, cls = "") =>
    `<div class="count ${cls}"><b>${esc(value)}</b>${esc(label)}</div>`;
  return `<section class="counts">
${card("rows read", num(s.rowsRead))}
${card("rows written", num(written))}
${card(`rows quarantined (${pct(quarantined, s.rowsRead)})`, num(quarantined), quarantined > 0 ? "warn" : "")}
${card("errors", num(errors), errors > 0 ? "bad" : "")}
${card("warnings", num(warnings), warnings > 0 ? "warn" : "")}
${card("features", num(s.features.length))}
</section>`;
}

/** Anchor ids per feature name, unique even when two names slug alike ("a b", "a-b"). */
function featureIds(s: DatasetStatistics): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const f of s.features) {
    let id = `f-${slug(f.name)}`;
    for (let i = 2; taken.has(id); i++) id = `f-${slug(f.name)}-${i}`;
    taken.add(id);
    ids.set(f.name, id);
  }
  return ids;
}

function anomalyTable(anomalies: readonly Anomaly[], ids: ReadonlyMap<string, string>): string {
  if (anomalies.length === 0) return `<p class="none">No anomalies.</p>`;
  const sorted = [...anomalies].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const rows = sorted
    .map((a) => {
      const sev = a.severity.toLowerCase();
      return `<tr class="anomaly sev-${esc(sev)}" data-type="${esc(a.type)}">
<td><span class="badge ${esc(sev)}">${esc(a.severity)}</span></td>
<td><code>${esc(a.type)}</code></td>
<td>${a.feature === undefined ? "–" : ids.has(a.feature) ? `<a href="#${esc(ids.get(a.feature))}">${esc(a.feature)}</a>` : esc(a.feature)}</td>
<td><b>${esc(a.shortDescription)}</b><br>${esc(a.description)}</td>
<td class="n">${a.rows === undefined ? "–" : esc(num(a.rows))}</td>
<td class="n">${a.value === undefined ? "–" : esc(num(a.value))}</td>
<td class="n">${a.threshold === undefined ? "–" : esc(num(a.threshold))}</td>
</tr>`;
    })
    .join("\n");
  return `<table class="anomalies">
<thead><tr><th>severity</th><th>type</th><th>feature</th><th>description</th><th>rows</th><th>value</th><th>threshold</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function driftTable(
  s: DatasetStatistics,
  previous: DatasetStatistics,
  anomalies: readonly Anomaly[],
): string {
  const before = new Map(previous.features.map((f) => [f.name, f]));
  const rows = s.features.flatMap((f) => {
    const p = before.get(f.name);
    const d = p ? featureDrift(f.type, f, p) : undefined;
    if (!d) return [];
    const flagged = anomalies.find((a) => a.feature === f.name && a.type.startsWith("COMPARATOR_"));
    return [
      `<tr class="${flagged ? "sev-warning" : ""}"><td>${esc(f.name)}</td><td>${d.metric === "L_INFINITY" ? "L-infinity distance" : "Jensen-Shannon divergence"}</td>` +
        `<td class="n">${esc(num(d.value))}</td><td class="n">${flagged?.threshold === undefined ? "–" : esc(num(flagged.threshold))}</td></tr>`,
    ];
  });
  return `<h2 id="drift">Drift vs previous batch</h2>
<p class="legend">Compared with the previous accepted batch: ${esc(num(previous.rowsRead))} rows read, ${esc(previous.environment)}, schema v${esc(previous.schemaVersion)}.</p>
${rows.length === 0 ? `<p class="none">No feature has statistics in both batches.</p>` : `<table class="drift"><thead><tr><th>feature</th><th>metric</th><th>value</th><th>threshold</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`}`;
}

function featureSection(
  f: FeatureStatistics,
  id: string,
  s: DatasetStatistics,
  previous: DatasetStatistics | undefined,
  anomalies: readonly Anomaly[],
): string {
  const p = previous?.features.find((x) => x.name === f.name);
  const own = anomalies.filter((a) => a.feature === f.name);
  const flagged = own.some((a) => a.severity === "ERROR");
  const isTime = f.type === "TIMESTAMP";
  const show = (x: number | undefined) => (isTime ? timestamp(x) : num(x));
  const rows: [string, string][] = [
    ["present", `${num(f.present)} (${pct(f.present, s.rowsRead)})`],
    ["missing", num(f.missing)],
    ["distinct (approx.)", num(f.distinctApprox)],
  ];
  const n = f.numeric;
  if (n) {
    rows.push(["min", show(n.min)], ["max", show(n.max)], ["mean", show(n.mean)]);
    if (!isTime) rows.push(["std dev", num(n.stddev)], ["zeros", num(n.zeros)]);
    if (n.quantiles.length === 11) rows.push(["median", show(n.quantiles[5])]);
    if (n.nonFinite > 0) rows.push(["NaN / ±∞", num(n.nonFinite)]);
  }
  if (f.string) rows.push(["avg length", num(f.string.avgLength)]);
  if (f.valueCount)
    rows.push([
      "values per row",
      `${num(f.valueCount.min)}–${num(f.valueCount.max)} (mean ${num(f.valueCount.mean)})`,
    ]);
  const drift = p ? featureDrift(f.type, f, p) : undefined;
  if (drift)
    rows.push([drift.metric === "L_INFINITY" ? "L∞ vs previous" : "JS vs previous", num(drift.value)]);
  if (own.length > 0) rows.push(["anomalies", own.map((a) => a.type).join(", ")]);
  const chart = n?.histogram.length
    ? histogramSvg(n.histogram, p?.numeric?.histogram, show)
    : f.string?.topValues.length
      ? barChartSvg(f.string.topValues, p?.string?.topValues)
      : "";
  const legend =
    chart && p
      ? `<p class="legend"><i style="background:#3b6fd8"></i>this batch<i style="background:#e07a10"></i>previous batch</p>`
      : "";
  return `<section class="feature${flagged ? " flagged" : ""}" id="${esc(id)}">
<h3>${esc(f.name)} <small>${esc(f.column)} · ${esc(f.type)}</small></h3>
<div class="body">
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="n">${esc(v)}</td></tr>`).join("")}</table>
<div>${chart}${legend}</div>
</div>
</section>`;
}
