import * as path from "node:path";
import type { Command } from "commander";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { localConfig } from "../../src/contract/env.js";
import { renderLineage } from "../../src/core/lineage/render.js";
import { exportDataset } from "../../src/pipeline/export/export.js";
import { queryLineage } from "../../src/pipeline/lineage/query.js";
import { prepareSamples } from "../demo/samples.js";
import { localExportDeps } from "../deps/export.js";
import { openLakeEngine } from "../deps/lake-engine.js";
import { formatTable } from "../output.js";
import { claimDemoLake, sealDemoLake } from "./demo-lake.js";
import { ingestFiles } from "./ingest.js";

/** Raw keys of the demo's own uploads (see prepareSamples). */
const SAMPLE_RAW_KEYS = [
  "flights/training/flights-2001-01.csv",
  "flights/training/flights-2001-02.csv.gz",
  "penguins/training/penguins.json",
  "penguins/serving/penguins-serving.jsonl",
  "weather/training/weather.csv",
];

export const DEMO_QUERIES: readonly { title: string; sql: string }[] = [
  {
    title: "Busiest origin airports and their mean delay (flights)",
    sql: "SELECT origin, count(*) AS flights, round(avg(delay_min), 1) AS avg_delay_min FROM flights GROUP BY origin ORDER BY flights DESC LIMIT 5",
  },
  {
    title: "Rows per source file and partition (every row knows where it came from)",
    sql: "SELECT ingest_date, _source_key, _environment, count(*) AS rows FROM flights GROUP BY ALL UNION ALL SELECT ingest_date, _source_key, _environment, count(*) FROM penguins GROUP BY ALL ORDER BY _source_key",
  },
  {
    title: "Penguin body mass by species (training rows only: serving rows carry no label)",
    sql: "SELECT species, count(*) AS penguins, round(avg(body_mass_g)) AS mean_mass_g FROM penguins WHERE _environment = 'TRAINING' GROUP BY species ORDER BY species",
  },
  {
    title: "What was quarantined, and why",
    sql: "SELECT _source_key, _source_row, _reasons[1] AS first_reason FROM flights_quarantine UNION ALL SELECT _source_key, _source_row, _reasons[1] FROM penguins_quarantine ORDER BY _source_key, _source_row",
  },
];

export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "run the whole journey on a fresh local lake with real sample data (vega-datasets); no network",
    )
    .option(
      "--lake <dir>",
      "lake directory (default ./.lakeline; recreated only when everything in it is the demo's own, else refused)",
    )
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--rows <n>", "flights rows in the first drop", "200000")
    .action(async (opts: { lake?: string; schemas?: string; rows: string }) => {
      const started = performance.now();
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const out = (s = "") => process.stdout.write(`${s}\n`);
      await claimDemoLake(config.lakeDir, SAMPLE_RAW_KEYS);
      out(`lakeline demo — embedded lake at ${config.lakeDir}\n`);
      out("1. Sample data from the vega-datasets package:");
      const samples = await prepareSamples(
        path.join(config.lakeDir, "_samples"),
        Number.parseInt(opts.rows, 10) || 200_000,
      );
      for (const s of samples)
        out(`   ${path.basename(s.file).padEnd(26)} → ${s.dataset} (${s.env}): ${s.note}`);
      out("\n2. Upload each into raw/; the S3 ObjectCreated notification runs the ingest handler:");
      let failures = 0;
      for (const s of samples) {
        const [o] = await ingestFiles([s.file], {
          dataset: s.dataset,
          env: s.env,
          lake: config.lakeDir,
          schemas: config.schemasDir,
          concurrency: "1",
        });
        if (!o) continue;
        // The demo's data is damaged on purpose: quarantined rows are the point, not a failure.
        failures += o.status === "ok" ? 0 : 1;
        out(
          `   ${o.status === "ok" ? "✓" : "✗"} ${o.rawKey ?? s.file}: read ${o.rowsRead}, written ${o.rowsWritten}, quarantined ${o.rowsQuarantined}${o.reason ? ` — ${o.reason}` : ""}`,
        );
        const rowsAddUp = o.rowsRead === (o.rowsWritten ?? 0) + (o.rowsQuarantined ?? 0);
        if (!rowsAddUp) out(`     ! counts do not add up`);
        for (const a of (o.anomalies ?? []).slice(0, 4))
          out(`       ${a.severity} ${a.type}${a.feature ? ` (${a.feature})` : ""}: ${a.shortDescription}`);
      }
      out("\n3. SQL over the warehouse (DuckDB here; the same table names on Athena):");
      const engine = await openLakeEngine(config);
      try {
        for (const q of DEMO_QUERIES) {
          out(`\n   -- ${q.title}\n   ${q.sql}`);
          const result = await engine.query(q.sql);
          out(
            formatTable(
              result.rows,
              result.columns.map((c) => c.name),
            )
              .replace(/^/gm, "   ")
              .trimEnd(),
          );
        }
      } finally {
        await engine.close();
      }
      out(
        "\n4. A retraining export: an as-of snapshot of flights, split 80/10/10 by a hash of each row, as a DVC remote:",
      );
      const exported = await exportDataset(localExportDeps(config), {
        dataset: "flights",
        split: "train=80,eval=10,test=10",
      });
      out(
        `   version ${exported.version} (${exported.totalRows} rows: ${Object.entries(exported.rows)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
      );
      if (exported.keys) out(`   ${path.join(config.lakeDir, "exports", exported.keys.dvcFile)}`);
      const stores = localLakeStores(config.lakeDir);
      let parquet: string | undefined;
      for await (const o of stores.warehouse.list("flights/"))
        if (o.key.endsWith(".parquet")) parquet ??= o.key;
      if (parquet) {
        out(
          `\n5. Lineage of one warehouse file (OpenLineage events + ML-Metadata records in lineage/): upstream to its raw blob and schema, downstream to the export:`,
        );
        const graph = await queryLineage(stores.lineage, `${stores.warehouse.namespace}/${parquet}`, {
          direction: "both",
          depth: 1,
        });
        out(renderLineage(graph, "tree").replace(/^/gm, "   ").trimEnd());
      }
      await sealDemoLake(config.lakeDir);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(`\nDone in ${seconds}s. Explore further:`);
      const lakeFlag = opts.lake ? ` --lake ${opts.lake}` : "";
      out(`   npx lakeline query "SELECT * FROM flights LIMIT 5"${lakeFlag}`);
      out(`   npx lakeline report flights${lakeFlag}        # HTML statistics + anomalies page`);
      out(`   npx lakeline lineage --events${lakeFlag}     # every OpenLineage RunEvent`);
      out(`   npx lakeline export penguins${lakeFlag}       # another versioned, split snapshot`);
      process.exitCode = failures > 0 ? 1 : 0;
    });
}
