/**
 * `features history` publisher: the manifest, DVC objects, data and `.dvc` file (each a conditional
 * put), and the lineage run with its output ref.
 */
import * as path from "node:path";
import { DATA_DIR, versionOf } from "../../contract/export-keys.js";
import { TIE_BREAK } from "../../core/features/history-sql.js";
import { splitRanges } from "../../core/split/spec.js";
import { glueType } from "../../core/warehouse/table.js";
import { putFileOnce, putOnce } from "../../ports/conditional-put.js";
import { dvcFileFor, pushDvcObjects } from "../export/publisher.js";
import { manifestSource } from "../export/sources.js";
import type { DatasetRef, RunHandle } from "../lineage/recorder.js";
import type { hashPath } from "../shared/hash-files.js";
import { columnTypesOf, type Written } from "./history-execute.js";
import type { Driven, HistoryDeps, HistoryPlan, HistoryRequest } from "./history-plan.js";
import {
  TRAINING_SET_PIPELINE_VERSION,
  type TrainingSetKeys,
  type TrainingSetManifest,
} from "./training-set-layout.js";
export type Hashed = Extract<Awaited<ReturnType<typeof hashPath>>, { kind: "dir" }>;

function manifestFeatures(plan: HistoryPlan, written: Written): TrainingSetManifest["features"] {
  return plan.resolved.views.flatMap((v) =>
    v.features.map((f) => ({
      view: v.name,
      viewVersion: v.viewVersion,
      viewMd5: v.viewMd5,
      dataset: v.table,
      feature: f.feature,
      sourceColumn: f.column,
      column: f.as,
      type: glueType(f.type),
      served: written.served[f.as] ?? 0,
    })),
  );
}

export function manifestOf(
  plan: HistoryPlan,
  req: HistoryRequest,
  driven: Driven,
  written: Written,
  hashed: Hashed,
): TrainingSetManifest {
  return {
    manifestFormat: 1,
    kind: "training-set",
    name: plan.name,
    md5: hashed.md5,
    version: versionOf(hashed.md5),
    asOf: plan.asOf.toISOString(),
    knowledge: plan.knowledge,
    tieBreak: TIE_BREAK,
    entities: {
      file: path.basename(req.entities),
      md5: driven.entityDigest.md5,
      rows: written.totalRows,
      keys: plan.resolved.keys.map((k) => k.name),
      timestamp: plan.timestamp,
      label: plan.label ?? null,
    },
    features: manifestFeatures(plan, written),
    columns: columnTypesOf(plan, written),
    split: {
      parts: splitRanges(plan.spec),
      seed: plan.spec.seed,
      key: plan.splitKeyNames,
      hash: "int(first 8 hex digits of md5(canonical key text)) mod 10000; canonical text: src/core/split/canonical.ts",
    },
    rows: written.rows,
    totalRows: written.totalRows,
    files: hashed.entries.map((e) => ({ relpath: e.relpath, md5: e.md5, size: e.size })),
    sources: driven.sources.map((s) => ({ dataset: s.dataset, ...manifestSource(s) })),
    query: written.query,
    engine: "duckdb",
    runId: driven.runId,
    pipelineVersion: TRAINING_SET_PIPELINE_VERSION,
  };
}

/** Publisher: DVC objects, data, manifest, then the `.dvc` file (its presence commits the set). */
export async function publishHistory(
  deps: HistoryDeps,
  dataDir: string,
  keys: TrainingSetKeys,
  hashed: Hashed,
  manifest: TrainingSetManifest,
): Promise<boolean> {
  const { exports } = deps.stores;
  if (await exports.head(keys.dvcFile)) return false;
  await pushDvcObjects(exports, { dir: dataDir, entries: hashed.entries }, hashed.md5);
  for (const e of hashed.entries)
    await putFileOnce(exports, `${keys.data}/${e.relpath}`, path.join(dataDir, ...e.relpath.split("/")));
  await putOnce(exports, keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  await putOnce(
    exports,
    keys.dvcFile,
    dvcFileFor(hashed.md5, hashed.size, hashed.nfiles, DATA_DIR),
    "text/yaml",
  );
  return true;
}

export function outputRef(
  deps: HistoryDeps,
  plan: HistoryPlan,
  keys: TrainingSetKeys,
  hashed: Hashed,
  written: Written,
): DatasetRef {
  return {
    namespace: deps.stores.exports.namespace,
    name: keys.data,
    version: hashed.md5,
    artifactType: "Export",
    size: hashed.size,
    rowCount: written.totalRows,
    fields: columnTypesOf(plan, written),
    properties: {
      kind: "training-set",
      asOf: plan.asOf.toISOString(),
      knowledge: plan.knowledge,
      split: plan.splitText,
      views: plan.resolved.views.map((v) => `${v.name}@v${v.viewVersion}`).join(","),
      nfiles: hashed.nfiles,
    },
  };
}

export function startRun(
  deps: HistoryDeps,
  req: HistoryRequest,
  plan: HistoryPlan,
  driven: Driven,
): Promise<RunHandle> {
  return deps.lineage.start({
    runId: driven.runId,
    jobName: `features.history.${plan.name}`,
    executionType: "Export",
    eventTime: deps.clock.now(),
    inputs: driven.inputs,
    inputMembers: driven.inputMembers,
    parameters: {
      features: req.features,
      asOf: plan.asOf.toISOString(),
      knowledge: plan.knowledge,
      split: plan.splitText,
      seed: plan.spec.seed,
      splitKey: plan.splitKeyNames.join(","),
      pipelineVersion: TRAINING_SET_PIPELINE_VERSION,
    },
    contexts: plan.resolved.views.map((v) => ({ type: "Dataset" as const, name: v.table })),
  });
}
