/** `lakeline features get | materialize | check`: the online store on the embedded lake. */
import type { Command } from "commander";
import { localOnlineStore } from "../../src/adapters/local/online-store.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { ViewRegistry } from "../../src/contract/view-registry.js";
import { LakelineError } from "../../src/core/errors.js";
import { checkOnline } from "../../src/pipeline/features/check.js";
import { materializeAll } from "../../src/pipeline/features/materialize.js";
import { readOnline } from "../../src/pipeline/features/online-read.js";
import { systemClock } from "../../src/ports/clock.js";
import { localMaterializeDeps } from "../deps/features.js";
import { openLakeEngine } from "../deps/lake-engine.js";
import { EXIT } from "../exit-codes.js";
import { formatTable, toJson } from "../output.js";

interface LakeOpts {
  lake?: string;
  schemas?: string;
  json?: boolean;
}

export function registerOnline(features: Command): void {
  features
    .command("get")
    .description("the online values of one entity in a view, with their freshness and their raw blob")
    .requiredOption("--view <view>", "feature view")
    .requiredOption("--entity <key>", "the key: a value for a one-column key, or col=value,col=value")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      "\nExit status: 0 found, 3 no value for that entity.\nExample:\n  lakeline features get --view stock_prices --entity AAPL",
    )
    .action(async (opts: LakeOpts & { view: string; entity: string }) => {
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const r = await readOnline(
        {
          views: new ViewRegistry(config.schemasDir),
          online: localOnlineStore(config.lakeDir),
          clock: systemClock,
        },
        { view: opts.view, entity: opts.entity },
      );
      if (opts.json) process.stdout.write(`${toJson(r)}\n`);
      else if (!r.found) process.stdout.write(`∅ ${r.view} ${JSON.stringify(r.entity)}: no online value\n`);
      else {
        const lines = [
          `${r.view} ${Object.entries(r.entity)
            .map(([k, v]) => `${k}=${v}`)
            .join(
              ",",
            )}  event time ${r.eventTime}${r.expired ? "  (EXPIRED: older than the view's TTL)" : ""}`,
          ...Object.entries(r.values ?? {}).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`),
          `    from ${r.source!.key} record ${r.source!.row} (md5 ${r.source!.md5}), run ${r.source!.runId}, ingested ${r.source!.ingestedAt}`,
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      process.exitCode = r.found ? EXIT.ok : EXIT.notFound;
    });

  features
    .command("materialize")
    .description(
      "write the latest value per entity of every committed run into the online store (idempotent)",
    )
    .option("--view <view>", "only the datasets this view reads")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "one JSON object per run")
    .action(async (opts: LakeOpts & { view?: string }) => {
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const results = await materializeAll(localMaterializeDeps(config), opts.view);
      if (opts.json) {
        for (const r of results) process.stdout.write(`${toJson(r)}\n`);
        return;
      }
      const rows = results.flatMap((r) =>
        r.views.map((v) => ({
          run: r.runId,
          view: v.view,
          entities: v.entities,
          written: v.written,
          unchanged: v.unchanged,
          older: v.older,
        })),
      );
      process.stdout.write(formatTable(rows, ["run", "view", "entities", "written", "unchanged", "older"]));
    });

  features
    .command("check")
    .description("prove the online store equals the latest warehouse row for every entity of every view")
    .option("--view <view>", "check one view")
    .option("--lake <dir>", `lake directory (default ./.lakeline or $${ENV.lake})`)
    .option("--schemas <dir>", "schemas directory (default ./schemas)")
    .option("--json", "print the result as one JSON object")
    .addHelpText("after", "\nExit status: 0 every entity matches, 1 a mismatch (each is listed).")
    .action(async (opts: LakeOpts & { view?: string }) => {
      const config = localConfig({ lake: opts.lake, schemas: opts.schemas });
      const asOf = systemClock.now();
      const engine = await openLakeEngine(config, { asOf });
      let result: Awaited<ReturnType<typeof checkOnline>>;
      try {
        result = await checkOnline(
          {
            schemas: new SchemaRegistry(config.schemasDir),
            views: new ViewRegistry(config.schemasDir),
            online: localOnlineStore(config.lakeDir),
            engine,
          },
          asOf,
          opts.view,
        );
      } finally {
        await engine.close();
      }
      if (opts.json) process.stdout.write(`${toJson(result)}\n`);
      else {
        process.stdout.write(
          formatTable(
            result.views.map((v) => ({
              view: v.view,
              entities: v.entities,
              online: v.online,
              matching: v.matching,
              mismatches: v.mismatches.length,
            })),
          ),
        );
        for (const v of result.views)
          for (const m of v.mismatches.slice(0, 20))
            process.stdout.write(
              `  ✗ ${m.view} ${m.key}: ${m.problem}${m.offline ? `; warehouse ${m.offline.order} ${JSON.stringify(m.offline.values)}` : ""}${m.online ? `; online ${m.online.order} ${JSON.stringify(m.online.values)}` : ""}\n`,
            );
      }
      if (!result.ok) {
        const n = result.views.reduce((a, v) => a + v.mismatches.length, 0);
        throw new LakelineError(
          `features check failed: ${n} entit${n === 1 ? "y differs" : "ies differ"} between online and warehouse`,
        );
      }
    });
}
