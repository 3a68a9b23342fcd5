/**
 * `features history` planning and driver: the request checked and resolved (views, keys, columns,
 * split, knowledge mode, instant), then the entity file digest, warehouse files read and run id.
 */
import * as path from "node:path";
import { DEFAULT_SPLIT, parseAsOf } from "../../contract/export-request.js";
import { assertDatasetName } from "../../contract/raw-key.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import { UsageError } from "../../core/errors.js";
import type { KnowledgeMode } from "../../core/features/history-sql.js";
import { parseFeatureRefs } from "../../core/features/view.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import { DEFAULT_SPLIT_SEED, formatSplitSpec, parseSplitArg } from "../../core/split/spec.js";
import type { ColumnType } from "../../core/warehouse/table.js";
import type { SplitPartsWriter } from "../../ports/export-writer.js";
import type { ExportEngine, QueryEngine } from "../../ports/query-engine.js";
import type { ExportDeps } from "../export/deps.js";
import {
  committedSourceRuns,
  type SourceFile,
  snapshotRef,
  sourceFiles,
  sourceRef,
} from "../export/driver.js";
import type { DatasetRef, SnapshotInput } from "../lineage/recorder.js";
import { md5File } from "../shared/hash-files.js";
import { type ResolvedFeatures, resolveFeatures } from "./resolve.js";
import { TRAINING_SET_PIPELINE_VERSION } from "./training-set-layout.js";

export interface HistoryRequest {
  /** Local path of the entity file (CSV or Parquet). */
  readonly entities: string;
  /** Where the entity file was read from, for lineage, when not the local path (S3 in AWS). */
  readonly entitiesSource?: { readonly namespace: string; readonly name: string };
  /** `view:feature,feature,view2:feature` */
  readonly features: string;
  /** Timestamp column of the entity file. @default event_timestamp */
  readonly timestamp?: string;
  readonly label?: string;
  readonly asOf?: Date | string;
  /** @default row */
  readonly knowledge?: KnowledgeMode;
  readonly split?: string;
  readonly seed?: string;
  /** Columns of the output whose values decide a row's split; default: entity keys and timestamp. */
  readonly splitKey?: string;
  /** Name of the training set (snake_case). @default training_set */
  readonly name?: string;
}

export interface HistoryDeps extends ExportDeps {
  readonly views: ViewRegistry;
  /**
   * The engine over the warehouse as known at `asOf`: the lake's DuckDB, where the entity file is
   * joined in that session; or Athena, where it is registered as a table (history-athena.ts).
   */
  openEngine(asOf: Date): Promise<ExportEngine>;
  /** Writes the history query's split parts on that engine into local scratch. */
  readonly writeSplits: SplitPartsWriter;
  /**
   * A DuckDB engine with no tables, for the entity file and the written parts when `openEngine`
   * is Athena (which cannot read a local file).
   */
  openLocal?(): Promise<QueryEngine>;
}

/** The request checked and resolved: views, keys, columns, split, knowledge mode, instant. */
export interface HistoryPlan {
  readonly name: string;
  readonly knowledge: KnowledgeMode;
  readonly timestamp: string;
  readonly label?: string;
  readonly asOf: Date;
  readonly resolved: ResolvedFeatures;
  readonly spec: ReturnType<typeof parseSplitArg>;
  readonly splitText: string;
  readonly keyTypes: Map<string, ColumnType>;
  readonly carry: string[];
  readonly splitKeyNames: string[];
  readonly outColumns: string[];
}

export function planHistory(deps: HistoryDeps, req: HistoryRequest): HistoryPlan {
  const name = assertDatasetName(req.name ?? "training_set");
  const knowledge = req.knowledge ?? "row";
  if (knowledge !== "row" && knowledge !== "as-of")
    throw new UsageError(`knowledge time must be row or as-of, not ${JSON.stringify(knowledge)}`);
  const timestamp = req.timestamp ?? "event_timestamp";
  let refs: ReturnType<typeof parseFeatureRefs>;
  try {
    refs = parseFeatureRefs(req.features);
  } catch (err) {
    throw new UsageError(`--features: ${(err as Error).message}`);
  }
  const resolved = resolveFeatures(deps.views, deps.schemas, refs);
  const spec = parseSplitArg(req.split ?? DEFAULT_SPLIT, req.seed ?? DEFAULT_SPLIT_SEED);
  const keyTypes = new Map<string, ColumnType>(resolved.keys.map((k) => [k.name, k.type]));
  for (const c of [timestamp, req.label].filter((c): c is string => c !== undefined))
    if (keyTypes.has(c))
      throw new UsageError(`${c} is an entity key; the timestamp and label must be other columns`);
  const carry = [...resolved.keys.map((k) => k.name), timestamp, ...(req.label ? [req.label] : [])];
  const splitKeyNames = req.splitKey
    ? req.splitKey
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [...resolved.keys.map((k) => k.name), timestamp];
  for (const k of splitKeyNames)
    if (!carry.includes(k))
      throw new UsageError(`split key column ${k} is not an entity column (${carry.join(", ")})`);
  const outColumns = [...carry, ...resolved.views.flatMap((v) => v.features.map((f) => f.as))];
  return {
    name,
    knowledge,
    timestamp,
    ...(req.label ? { label: req.label } : {}),
    asOf: parseAsOf(req.asOf, deps.clock.now()),
    resolved,
    spec,
    splitText: formatSplitSpec(spec),
    keyTypes,
    carry,
    splitKeyNames,
    outColumns,
  };
}

/**
 * Driver: the entity file's digest, the warehouse files read, and the deterministic run id. Each
 * table read is one lineage input, its snapshot (as an export records it), with its files as the
 * snapshot's members: the run's lineage does not grow with the number of runs that fed the tables.
 */
export async function driveHistory(deps: HistoryDeps, req: HistoryRequest, plan: HistoryPlan) {
  const entityDigest = await md5File(req.entities).catch(() => {
    throw new UsageError(`no such entity file: ${req.entities}`, { file: req.entities });
  });
  const { warehouse } = deps.stores;
  const sources: (SourceFile & { dataset: string })[] = [];
  const inputMembers: SnapshotInput[] = [];
  const pairs = new Set(plan.resolved.views.map((v) => viewPair(v)));
  for (const pair of pairs) {
    const [dataset, environment] = pair.split("\u0000") as [string, string];
    const runs = await committedSourceRuns(warehouse, dataset, environment, plan.asOf);
    if (runs.length === 0) continue;
    const files = await sourceFiles(warehouse, runs);
    for (const s of files) sources.push({ ...s, dataset });
    const readAt = new Date(Math.max(...runs.map((r) => Date.parse(r.ingestedAt))));
    inputMembers.push({
      snapshot: snapshotRef(warehouse.namespace, dataset, files, readAt),
      members: files.map((s) => sourceRef(warehouse.namespace, s)),
    });
  }
  const runId = deterministicUuid(
    "features.history",
    TRAINING_SET_PIPELINE_VERSION,
    plan.name,
    entityDigest.md5,
    req.features,
    plan.timestamp,
    plan.label ?? "",
    plan.knowledge,
    plan.asOf.toISOString(),
    plan.splitText,
    plan.spec.seed,
    plan.splitKeyNames.join(","),
    ...plan.resolved.views.map((v) => `${v.name}@${v.viewVersion}:${v.viewMd5}`),
    ...sources.map((s) => `${s.key}@${s.md5}`),
  );
  const entityRef: DatasetRef = {
    namespace: req.entitiesSource?.namespace ?? `file://${path.dirname(path.resolve(req.entities))}`,
    name: req.entitiesSource?.name ?? path.basename(req.entities),
    version: entityDigest.md5,
    artifactType: "RawBlob",
    size: entityDigest.size,
    properties: { role: "entities" },
  };
  const inputs = [entityRef, ...inputMembers.map((m) => m.snapshot)];
  return { entityDigest, sources, runId, inputs, inputMembers };
}

const viewPair = (v: { table: string; environment: string }) => `${v.table}\u0000${v.environment}`;

export type Driven = Awaited<ReturnType<typeof driveHistory>>;
