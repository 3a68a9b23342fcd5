/**
 * Small inline SVG charts (no scripts, no fonts fetched): a histogram for numeric features and
 * a bar chart of top values for categorical ones, each with the previous batch overlaid so drift
 * is visible at a glance.
 */
import type { HistogramBucket, ValueFrequency } from "../stats/types.js";
import { esc, num } from "./format.js";

const W = 360;
const H = 120;
const PAD = 18;

/** Current histogram as bars, previous (if any) as an outline, both as fractions of their totals. */
export function histogramSvg(
  current: readonly HistogramBucket[],
  previous: readonly HistogramBucket[] | undefined,
  label: (x: number) => string = num,
): string {
  const total = (h: readonly HistogramBucket[]) => h.reduce((s, b) => s + b.count, 0);
  const ct = total(current);
  if (ct === 0) return "";
  const pt = previous ? total(previous) : 0;
  const all = [...current, ...(previous && pt > 0 ? previous : [])];
  const lo = Math.min(...all.map((b) => b.low));
  const hi = Math.max(...all.map((b) => b.high));
  const span = hi - lo || 1;
  // Height shows density (fraction per unit width) so buckets of different widths compare fairly.
  const density = (b: HistogramBucket, t: number) => b.count / t / Math.max(b.high - b.low, span / 50);
  const maxD = Math.max(
    ...current.map((b) => density(b, ct)),
    ...(previous && pt > 0 ? previous.map((b) => density(b, pt)) : []),
  );
  const x = (v: number) => PAD + ((v - lo) / span) * (W - 2 * PAD);
  const y = (d: number) => H - PAD - (d / maxD) * (H - 2 * PAD);
  const bars = current
    .map((b) => {
      const x0 = x(b.low);
      const w = Math.max(x(b.high) - x0 - 1, 2);
      const top = y(density(b, ct));
      return `<rect class="bar" x="${x0.toFixed(1)}" y="${top.toFixed(1)}" width="${w.toFixed(1)}" height="${(H - PAD - top).toFixed(1)}"><title>${esc(`${label(b.low)} – ${label(b.high)}: ${num(b.count)}`)}</title></rect>`;
    })
    .join("");
  let outline = "";
  if (previous && pt > 0) {
    const pts = [...previous]
      .sort((a, b) => a.low - b.low)
      .flatMap((b) => {
        const yy = y(density(b, pt)).toFixed(1);
        return [`${x(b.low).toFixed(1)},${yy}`, `${Math.max(x(b.high), x(b.low) + 2).toFixed(1)},${yy}`];
      });
    outline = `<polyline class="prev" points="${x(Math.min(...previous.map((b) => b.low))).toFixed(1)},${H - PAD} ${pts.join(" ")} ${x(Math.max(...previous.map((b) => b.high))).toFixed(1)},${H - PAD}"/>`;
  }
  const axis = `<line class="axis" x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}"/>`;
  const ticks = `<text x="${PAD}" y="${H - 4}">${esc(label(lo))}</text><text x="${W - PAD}" y="${H - 4}" text-anchor="end">${esc(label(hi))}</text>`;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="histogram">${bars}${outline}${axis}${ticks}</svg>`;
}

/** Top values as horizontal bars (share of the listed counts); previous shares as tick marks. */
export function barChartSvg(
  current: readonly ValueFrequency[],
  previous: readonly ValueFrequency[] | undefined,
  limit = 10,
): string {
  const ct = current.reduce((s, v) => s + v.count, 0);
  if (ct === 0) return "";
  const pt = previous?.reduce((s, v) => s + v.count, 0) ?? 0;
  const prevShare = new Map((previous ?? []).map((v) => [v.value, pt > 0 ? v.count / pt : 0]));
  const shown = current.slice(0, limit);
  const row = 18;
  const labelW = 120;
  const barW = W - labelW - 60;
  const maxShare = Math.max(
    ...shown.map((v) => v.count / ct),
    ...shown.map((v) => prevShare.get(v.value) ?? 0),
  );
  const h = shown.length * row + 4;
  const rows = shown
    .map((v, i) => {
      const share = v.count / ct;
      const yy = i * row + 2;
      const w = Math.max((share / maxShare) * barW, 1);
      const name = v.value.length > 18 ? `${v.value.slice(0, 17)}…` : v.value;
      const prev = prevShare.get(v.value);
      const mark =
        prev === undefined || pt === 0
          ? ""
          : `<line class="prev" x1="${(labelW + (prev / maxShare) * barW).toFixed(1)}" y1="${yy}" x2="${(labelW + (prev / maxShare) * barW).toFixed(1)}" y2="${yy + row - 4}"/>`;
      return (
        `<text x="${labelW - 6}" y="${yy + 12}" text-anchor="end">${esc(name)}</text>` +
        `<rect class="bar" x="${labelW}" y="${yy}" width="${w.toFixed(1)}" height="${row - 4}"><title>${esc(`${v.value}: ${num(v.count)}`)}</title></rect>` +
        mark +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${yy + 12}">${esc(num(100 * share))}%</text>`
      );
    })
    .join("");
  return `<svg class="chart" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="top values">${rows}</svg>`;
}
