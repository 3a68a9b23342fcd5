/**
 * `features history` executor: the entity file, the history query, the split parts in scratch.
 * On the local lake all of it in the lake's DuckDB (the ASOF form); on Athena see
 * history-athena.ts (the window form, the entity file registered as a table).
 */
import { ENV } from "../../contract/env.js";
import { LakelineError } from "../../core/errors.js";
import { executeOnAthena } from "./history-athena.js";
import type { Driven, HistoryDeps, HistoryPlan, HistoryRequest } from "./history-plan.js";
import {
  historyQuery,
  loadEntityTable,
  servedCounts,
  stageHistory,
  stageTimelines,
  type Written,
} from "./history-query.js";

export type { Written } from "./history-query.js";
export { columnTypesOf } from "./history-query.js";

/** Executor: entity file, the history query, the split parts in `dataDir`. */
export async function executeHistory(
  deps: HistoryDeps,
  req: HistoryRequest,
  plan: HistoryPlan,
  driven: Driven,
  dataDir: string,
): Promise<Written> {
  const engine = await deps.openEngine(plan.asOf);
  try {
    if (engine.name === "athena") return await executeOnAthena(deps, req, plan, driven, dataDir, engine);
    await stageTimelines(engine, plan);
    const { totalRows, entityTypes } = await loadEntityTable(engine, req, plan);
    // The manifest states the history as one query; it runs as one join per view (stageHistory).
    const query = historyQuery(plan, driven.entityDigest.md5, entityTypes, engine.name);
    const written = await stageHistory(engine, plan)
      .then((staged) =>
        deps.writeSplits(engine, {
          snapshot: historyQuery(plan, driven.entityDigest.md5, entityTypes, engine.name, { staged }),
          columns: plan.outColumns,
          splits: plan.spec.parts.map((p) => p.name),
          dataDir,
        }),
      )
      .catch((err: unknown) => {
        if (/out of memory/i.test(String((err as Error)?.message)))
          throw new LakelineError(
            `features history: DuckDB ran out of memory joining ${totalRows} entity rows with ${plan.resolved.views.length} view(s); raise ${ENV.duckdbMemory} (e.g. 512MB)`,
            { entities: totalRows },
            { cause: err },
          );
        throw err;
      });
    const served = await servedCounts(engine, plan, dataDir);
    return { query, rows: written.rows, totalRows, served, entityTypes };
  } finally {
    await engine.close();
  }
}
