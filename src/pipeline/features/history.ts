/**
 * `features history`: a point-in-time-correct training set, published as an export.
 * Driver (views, committed runs ≤ as-of, entity file md5, deterministic run id) → executor (the
 * entity file into DuckDB, the history query, the split, Parquet parts into scratch) → publisher
 * (the folder's DVC hash names the version; DVC objects, data, manifest, then the `.dvc` file, each a
 * conditional put; lineage from the entity file and every warehouse file read to the training set).
 * Same entity file + same lake as of the same instant ⇒ same bytes ⇒ same version.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DATA_DIR, versionOf } from "../../contract/export-keys.js";
import type { KnowledgeMode } from "../../core/features/history-sql.js";
import type { RunHandle } from "../lineage/recorder.js";
import { hashPath } from "../shared/hash-files.js";
import { executeHistory } from "./history-execute.js";
import { driveHistory, type HistoryDeps, type HistoryRequest, planHistory } from "./history-plan.js";
import { manifestOf, outputRef, publishHistory, startRun } from "./history-publish.js";
import { type TrainingSetKeys, trainingSetKeys } from "./training-set-layout.js";

export type { HistoryDeps, HistoryRequest };

export interface HistoryResult {
  readonly status: "exported" | "unchanged";
  readonly name: string;
  readonly asOf: string;
  readonly knowledge: KnowledgeMode;
  readonly version: string;
  readonly md5: string;
  readonly rows: Readonly<Record<string, number>>;
  readonly totalRows: number;
  /** Per output feature column: entity rows that received a value. */
  readonly served: Readonly<Record<string, number>>;
  readonly columns: readonly string[];
  readonly split: string;
  readonly splitKey: readonly string[];
  readonly sources: number;
  readonly keys: TrainingSetKeys;
  readonly remote: string;
  readonly runId: string;
}

export async function trainingSetHistory(deps: HistoryDeps, req: HistoryRequest): Promise<HistoryResult> {
  const plan = planHistory(deps, req);
  const driven = await driveHistory(deps, req, plan);
  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-features-"));
  let run: RunHandle | undefined;
  try {
    run = await startRun(deps, req, plan, driven);
    const dataDir = path.join(scratch, DATA_DIR);
    await fs.mkdir(dataDir);
    const written = await executeHistory(deps, req, plan, driven, dataDir);
    const hashed = await hashPath(dataDir);
    if (hashed.kind !== "dir") throw new Error("training set data folder is not a directory");
    const keys = trainingSetKeys(plan.name, versionOf(hashed.md5));
    const fresh = await publishHistory(
      deps,
      dataDir,
      keys,
      hashed,
      manifestOf(plan, req, driven, written, hashed),
    );
    await run.complete({
      eventTime: deps.clock.now(),
      outputs: [outputRef(deps, plan, keys, hashed, written)],
    });
    return {
      status: fresh ? "exported" : "unchanged",
      name: plan.name,
      asOf: plan.asOf.toISOString(),
      knowledge: plan.knowledge,
      version: versionOf(hashed.md5),
      md5: hashed.md5,
      rows: written.rows,
      totalRows: written.totalRows,
      served: written.served,
      columns: plan.outColumns,
      split: plan.splitText,
      splitKey: plan.splitKeyNames,
      sources: driven.sources.length,
      keys,
      remote: deps.stores.exports.namespace,
      runId: driven.runId,
    };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    if (run) await run.fail({ eventTime: deps.clock.now(), error }).catch(() => {});
    throw err;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
