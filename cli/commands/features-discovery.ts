/** `lakeline features list | describe | catalog`: what the feature store serves, for people and programs. */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { localOnlineStore } from "../../src/adapters/local/online-store.js";
import { ENV, type LocalConfig, localConfig } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import { renderFeatureCatalog } from "../../src/core/report/feature-catalog.js";
import { type CatalogView, featureCatalog } from "../../src/pipeline/features/catalog.js";
import { trainingSetKeys } from "../../src/pipeline/features/training-set-layout.js";
import { openLakeEngine } from "../deps/lake-engine.js";
import { formatTable, toJson } from "../output.js";

interface Opts {
  lake?: string;
  schemas?: string;
  json?: boolean;
  out?: string;
}

async function catalog(config: LocalConfig, only?: string): Promise<CatalogView[]> {
  const stores = localLakeStores(config.lakeDir);
  const engine = await openLakeEngine(config);
  try {
    return await featureCatalog(
      {
        schemas: new SchemaRegistry(config.schemasDir),
        views: new ViewRegistry(config.schemasDir),
        warehouse: stores.warehouse,
        exports: stores.exports,
        online: localOnlineStore(config.lakeDir),
        engine,
      },
      only,
    );
  } finally {
    await engine.close();
  }
}

function describeView(v: CatalogView): string {
  const lines = [
    `${v.view} v${v.version} — ${v.description ?? ""}`,
    `  dataset ${v.dataset} (${v.environment} rows); entity ${v.entities.join(", ")}; event time ${v.eventTime}; TTL ${v.ttl ?? "none"}; owner ${v.owner ?? "–"}`,
    `  freshness: ${v.freshness.rows} rows, ${v.freshness.entities} entities, latest event ${v.freshness.latestEventTime ?? "–"}, latest ingest ${v.freshness.latestIngestedAt ?? "–"}, ${v.freshness.onlineEntities} online`,
    "  features:",
    ...v.features.map(
      (f) =>
        `    ${f.name} (${f.type}, column ${f.column}, owner ${f.owner}): ${f.description}` +
        (f.statistics?.numeric
          ? ` [min ${f.statistics.numeric.min}, mean ${Number(f.statistics.numeric.mean.toPrecision(4))}, max ${f.statistics.numeric.max}]`
          : ""),
    ),
    `  lineage: ${v.lineage.runs} run(s) from ${v.lineage.rawBlobs.length} raw blob(s); statistics from ${v.lineage.statisticsFrom ?? "–"}`,
    ...v.lineage.trainingSets.map(
      (t) => `    used by training set ${t.name} ${t.version} (as of ${t.asOf}, ${t.rows} rows)`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

export function registerDiscovery(features: Command): void {
  const common = (c: Command) =>
    c
      .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
      .option("--schemas <dir>", "schemas directory (default ./schemas)");

  common(
    features.command("list").description("every feature view: dataset, entity, TTL, features, freshness"),
  )
    .option("--json", "one JSON array")
    .action(async (opts: Opts) => {
      const views = await catalog(localConfig({ lake: opts.lake, schemas: opts.schemas }));
      if (opts.json) {
        process.stdout.write(`${toJson(views)}\n`);
        return;
      }
      process.stdout.write(
        formatTable(
          views.map((v) => ({
            view: v.view,
            dataset: v.dataset,
            entity: v.entities.join(","),
            ttl: v.ttl ?? "none",
            features: v.features.map((f) => f.name).join(","),
            owner: v.owner ?? "–",
            entities: v.freshness.entities,
            online: v.freshness.onlineEntities,
            latest_event: v.freshness.latestEventTime ?? "–",
          })),
        ),
      );
    });

  common(
    features.command("describe").description("one view in full: features, statistics, freshness, lineage"),
  )
    .argument("<view>", "feature view")
    .option("--json", "one JSON object")
    .action(async (view: string, opts: Opts) => {
      const [v] = await catalog(localConfig({ lake: opts.lake, schemas: opts.schemas }), view);
      process.stdout.write(opts.json ? `${toJson(v)}\n` : describeView(v!));
    });

  common(features.command("catalog").description("write the feature catalog as an HTML page"))
    .option("--out <file>", "where to write it (default <lake>/features-catalog.html)")
    .option("--json", "one JSON object: the page's path and the views and features it lists")
    .action(async (opts: Opts) => {
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const views = await catalog(config);
      const file = path.resolve(opts.out ?? path.join(config.lakeDir, "features-catalog.html"));
      mkdirSync(path.dirname(file), { recursive: true });
      // Links relative to the page: they work wherever the lake is moved with the page inside it.
      const stores = localLakeStores(config.lakeDir);
      const href = (target: string) =>
        path.relative(path.dirname(file), target).split(path.sep).map(encodeURIComponent).join("/");
      writeFileSync(
        file,
        renderFeatureCatalog(views, new Date().toISOString(), {
          rawBlob: (key) => href(stores.raw.localPath(key)),
          trainingSet: (name, version) =>
            href(stores.exports.localPath(trainingSetKeys(name, version).manifest)),
        }),
      );
      process.stdout.write(
        opts.json
          ? `${toJson({ file, views: views.length, features: views.reduce((n, v) => n + v.features.length, 0) })}\n`
          : `${file}\n`,
      );
    });
}
