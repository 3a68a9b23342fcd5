/**
 * `lakeline features …`: the feature store over the warehouse. Training sets (history), online
 * values (get, materialize, check) and discovery (list, describe, catalog).
 */
import type { Command } from "commander";
import { TRAINING_SET_MEMORY_LIMIT } from "../../src/adapters/duckdb/database.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { DEFAULT_SPLIT } from "../../src/contract/export-request.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import { UsageError } from "../../src/core/errors.js";
import type { KnowledgeMode } from "../../src/core/features/history-sql.js";
import { type HistoryResult, trainingSetHistory } from "../../src/pipeline/features/history.js";
import { localExportDeps } from "../deps/export.js";
import { toJson } from "../output.js";
import { registerDiscovery } from "./features-discovery.js";
import { registerOnline } from "./features-online.js";

interface HistoryOpts {
  entities: string;
  features: string;
  timestamp: string;
  label?: string;
  asOf?: string;
  knowledge: string;
  split: string;
  splitKey?: string;
  seed?: string;
  name: string;
  lake?: string;
  schemas?: string;
  json?: boolean;
}

function describeHistory(r: HistoryResult, lakeDir: string): string {
  const mark = r.status === "exported" ? "✓" : "=";
  const lines = [
    `${mark} training set ${r.name} as of ${r.asOf} (knowledge time: ${r.knowledge === "row" ? "each row's timestamp" : "as-of"}) [${r.status}]  version ${r.version}`,
    `    rows: ${Object.entries(r.rows)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} (total ${r.totalRows}) from ${r.sources} warehouse file(s)`,
    ...Object.entries(r.served).map(([c, n]) => `    ${c}: ${n} of ${r.totalRows} rows have a value`),
    `    split ${r.split} keyed by ${r.splitKey.join(", ")}`,
    `    data: ${lakeDir}/exports/${r.keys.data}/  (md5 ${r.md5})`,
    `    dvc:  ${lakeDir}/exports/${r.keys.dvcFile}  (remote: ${lakeDir}/exports)`,
  ];
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  const features = program
    .command("features")
    .description("Feature store: point-in-time training sets, online values, discovery");

  features
    .command("history")
    .description(
      "point-in-time-correct training set: each entity row gets, per view, the latest values known at its timestamp; published as a versioned, split export",
    )
    .requiredOption(
      "--entities <file>",
      "entity rows: CSV or Parquet with the views' key columns and a timestamp",
    )
    .requiredOption("--features <list>", "view:feature,… (a bare name continues the previous view)")
    .option("--timestamp <column>", "timestamp column of the entity file", "event_timestamp")
    .option("--label <column>", "entity-file column carried through as the label")
    .option("--as-of <iso>", "read the lake as known at this instant (default: now)")
    .option(
      "--knowledge <mode>",
      "row: a value counts only if ingested at or before the row's timestamp; as-of: if ingested at or before --as-of (history loaded after the fact)",
      "row",
    )
    .option("--split <parts>", "split names and percentages, summing to 100", DEFAULT_SPLIT)
    .option(
      "--split-key <columns>",
      "columns whose values decide a row's split (default: entity keys and timestamp)",
    )
    .option("--seed <text>", "salt of the split hash (default: lakeline)")
    .option("--name <name>", "training set name (snake_case)", "training_set")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      "\nTie-break among rows of the same entity: later event time, then later _ingested_at, then run id, then record number.\n" +
        "Example:\n  lakeline features history --entities orders.csv --features stock_prices:price,daily_weather:temp_max --label bought",
    )
    .action(async (opts: HistoryOpts) => {
      const knowledge = opts.knowledge.toLowerCase();
      if (knowledge !== "row" && knowledge !== "as-of")
        throw new UsageError(`--knowledge must be row or as-of, not ${JSON.stringify(opts.knowledge)}`);
      const lake = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const config = { ...lake, duckdbMemory: lake.duckdbMemory ?? TRAINING_SET_MEMORY_LIMIT };
      const result = await trainingSetHistory(
        { ...localExportDeps(config), views: new ViewRegistry(config.schemasDir) },
        {
          entities: opts.entities,
          features: opts.features,
          timestamp: opts.timestamp,
          knowledge: knowledge as KnowledgeMode,
          split: opts.split,
          name: opts.name,
          ...(opts.label !== undefined ? { label: opts.label } : {}),
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
          ...(opts.splitKey !== undefined ? { splitKey: opts.splitKey } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        },
      );
      process.stdout.write(opts.json ? `${toJson(result)}\n` : describeHistory(result, config.lakeDir));
    });

  registerOnline(features);
  registerDiscovery(features);
}
