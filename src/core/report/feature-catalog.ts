/** The feature catalog as one self-contained HTML page: every view, its features and their standing. */
import type { CatalogView } from "../features/catalog.js";
import { esc, num } from "./format.js";
import { REPORT_CSS } from "./style.js";

function stat(f: CatalogView["features"][number]): string {
  const s = f.statistics;
  if (!s) return "–";
  const present = `${num(s.present)} present, ${num(s.missing)} missing`;
  if (s.numeric)
    return `${present}; min ${num(s.numeric.min)}, mean ${num(s.numeric.mean)}, max ${num(s.numeric.max)}`;
  if (s.string)
    return `${present}; top ${s.string.topValues
      .slice(0, 3)
      .map((v) => `${esc(v.value)} (${num(v.count)})`)
      .join(", ")}`;
  return present;
}

/**
 * Where the page links a raw blob and a training set (relative to the page, or absolute URLs);
 * undefined: shown as plain text. The page's location is the caller's business, not this module's.
 */
export interface CatalogLinks {
  rawBlob?(key: string): string | undefined;
  trainingSet?(name: string, version: string): string | undefined;
}

function linked(href: string | undefined, html: string): string {
  return href === undefined ? html : `<a href="${esc(href)}">${html}</a>`;
}

function viewSection(v: CatalogView, links: CatalogLinks): string {
  const features = v.features
    .map(
      (f) =>
        `<tr><td><code>${esc(f.name)}</code></td><td>${esc(f.type)}</td><td>${esc(f.description)}</td><td>${esc(f.owner)}</td><td><code>${esc(f.column)}</code></td><td>${esc(stat(f))}</td></tr>`,
    )
    .join("\n");
  const sets = v.lineage.trainingSets.length
    ? `<ul>${v.lineage.trainingSets
        .map(
          (t) =>
            `<li>${linked(links.trainingSet?.(t.name, t.version), `<code>${esc(t.name)}</code> version <code>${esc(t.version)}</code>`)}, as of ${esc(t.asOf)}, ${num(t.rows)} rows</li>`,
        )
        .join("")}</ul>`
    : "<p>none yet</p>";
  return `<section id="${esc(v.view)}">
<h2>${esc(v.view)} <small>v${esc(v.version)}</small></h2>
<p>${esc(v.description ?? "")}${v.owner ? ` Owner: <b>${esc(v.owner)}</b>.` : ""}</p>
<table><tbody>
<tr><th>dataset</th><td><code>${esc(v.dataset)}</code> (${esc(v.environment)} rows)</td></tr>
<tr><th>entity</th><td>${v.entities.map((e) => `<code>${esc(e)}</code>`).join(", ")}</td></tr>
<tr><th>event time</th><td><code>${esc(v.eventTime)}</code>; TTL ${esc(v.ttl ?? "none")}</td></tr>
<tr><th>freshness</th><td>${num(v.freshness.rows)} rows, ${num(v.freshness.entities)} entities; latest event ${esc(v.freshness.latestEventTime ?? "–")}, latest ingest ${esc(v.freshness.latestIngestedAt ?? "–")}; ${num(v.freshness.onlineEntities)} entities online</td></tr>
</tbody></table>
<h3>Features</h3>
<table><thead><tr><th>feature</th><th>type</th><th>description</th><th>owner</th><th>column</th><th>latest TRAINING statistics</th></tr></thead><tbody>
${features}
</tbody></table>
<h3>Lineage</h3>
<p>Fed by ${num(v.lineage.runs)} committed run(s) of <code>${esc(v.dataset)}</code> from ${num(v.lineage.rawBlobs.length)} raw blob(s): ${v.lineage.rawBlobs.map((b) => linked(links.rawBlob?.(b), `<code>${esc(b)}</code>`)).join(", ") || "–"}.
Statistics from <code>${esc(v.lineage.statisticsFrom ?? "–")}</code>.</p>
<p>Training sets that used it:</p>${sets}
</section>`;
}

export function renderFeatureCatalog(
  views: readonly CatalogView[],
  generatedAt: string,
  links: CatalogLinks = {},
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lakeline feature catalog</title>
<style>${REPORT_CSS}</style></head><body>
<h1>Feature catalog</h1>
<p class="legend">${num(views.length)} view(s), ${num(views.reduce((n, v) => n + v.features.length, 0))} feature(s); generated ${esc(generatedAt)}.</p>
<nav>${views.map((v) => `<a href="#${esc(v.view)}">${esc(v.view)}</a>`).join(" · ")}</nav>
${views.map((v) => viewSection(v, links)).join("\n")}
</body></html>
`;
}
