/** The report's stylesheet, inlined: the page must render with no network at all. */
export const REPORT_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7fa; --card: #fff;
  --err: #b42318; --err-bg: #fde8e6; --warn: #8a5a00; --warn-bg: #fff4d6; --info: #1d4ed8; --info-bg: #e6efff;
  --bar: #3b6fd8; --prev: #e07a10; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { background: #1d2330; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header dl { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; color: #c8cfdc; font-size: 13px; }
header dt { display: inline; font-weight: 600; color: #fff; margin-right: 4px; }
header dd { display: inline; margin: 0; word-break: break-all; }
main { padding: 20px 32px 40px; max-width: 1400px; }
.rejected { border: 1px solid var(--err); border-radius: 8px; padding: 4px 16px; margin-bottom: 20px; background: var(--card); }
.rejected h2 { color: var(--err); margin-top: 8px; }
.rejected .reason { font-family: ui-monospace, monospace; word-break: break-word; }
.counts { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 20px; }
.count { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.count b { display: block; font-size: 24px; }
.count.bad b { color: var(--err); }
.count.warn b { color: var(--warn); }
h2 { font-size: 18px; margin: 28px 0 10px; }
table { border-collapse: collapse; background: var(--card); width: 100%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.sev-error td { background: var(--err-bg); }
tr.sev-warning td { background: var(--warn-bg); }
tr.sev-info td { background: var(--info-bg); }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 700; color: #fff; }
.badge.error { background: var(--err); } .badge.warning { background: var(--warn); } .badge.info { background: var(--info); }
.none { color: var(--muted); font-style: italic; }
.features { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
.feature { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.feature.flagged { border-color: var(--err); box-shadow: 0 0 0 1px var(--err); }
.feature h3 { margin: 0 0 8px; font-size: 15px; }
.feature h3 small { color: var(--muted); font-weight: 400; }
.feature .body { display: flex; gap: 14px; flex-wrap: wrap; }
.feature table { width: auto; font-size: 13px; }
.chart { background: #fbfcfe; border: 1px solid var(--line); border-radius: 4px; }
.chart .bar { fill: var(--bar); }
.chart .prev { fill: none; stroke: var(--prev); stroke-width: 2; }
.chart .axis { stroke: var(--muted); }
.chart text { font-size: 10px; fill: var(--muted); }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
.legend i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: -1px; }
pre { background: var(--card); border: 1px solid var(--line); padding: 10px; overflow: auto; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding: 0 32px 24px; }
`;
