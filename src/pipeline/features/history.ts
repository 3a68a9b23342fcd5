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
import { ENV } from "../../contract/env.js";
import { DATA_DIR, versionOf } from "../../contract/export-keys.js";
import { DEFAULT_SPLIT, parseAsOf } from "../../contract/export-request.js";
import { assertDatasetName } from "../../contract/raw-key.js";
import type { ViewRegistry } from "../../contract/view-registry.js";
import { LakelineError, UsageError } from "../../core/errors.js";
import { ORDER_COLUMNS, SPLIT_COLUMN } from "../../core/export/snapshot-sql.js";
import { historySql, type KnowledgeMode, ROW_COLUMN, TIE_BREAK } from "../../core/features/history-sql.js";
import { parseFeatureRefs } from "../../core/features/view.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import type { SplitKeyColumn } from "../../core/split/canonical.js";
import { DEFAULT_SPLIT_SEED, formatSplitSpec, parseSplitArg, splitRanges } from "../../core/split/spec.js";
import { splitBucketSql, splitCaseSql } from "../../core/split/sql.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { type ColumnType, glueType } from "../../core/warehouse/table.js";
import { putFileOnce, putOnce } from "../../ports/conditional-put.js";
import type { ExportDeps } from "../export/deps.js";
import { committedSourceRuns, type SourceFile, sourceFiles } from "../export/driver.js";
import { writeWithDuckdb } from "../export/executor.js";
import { dvcFileFor, pushDvcObjects } from "../export/publisher.js";
import type { DatasetRef, RunHandle } from "../lineage/recorder.js";
import { hashPath, md5File } from "../shared/hash-files.js";
import { ENTITIES_TABLE, loadEntities } from "./entities.js";
import { type ResolvedFeatures, resolveFeatures } from "./resolve.js";
import {
  TRAINING_SET_PIPELINE_VERSION,
  type TrainingSetKeys,
  type TrainingSetManifest,
  trainingSetKeys,
} from "./training-set-layout.js";

export interface HistoryRequest {
  /** Local path of the entity file (CSV or Parquet). */
  readonly entities: string;
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
}

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

const DEFAULT_ROWS_PER_PART = 1_000_000;

function sourceRef(namespace: string, s: SourceFile): DatasetRef {
  return {
    namespace,
    name: s.key,
    version: s.md5,
    artifactType: "WarehouseFile",
    size: s.size,
    rowCount: s.rows,
    properties: { runId: s.runId, ingestedAt: s.ingestedAt },
  };
}

/** The request checked and resolved: views, keys, columns, split, knowledge mode, instant. */
interface HistoryPlan {
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

function planHistory(deps: HistoryDeps, req: HistoryRequest): HistoryPlan {
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

/** Driver: the entity file's digest, the warehouse files read, and the deterministic run id. */
async function driveHistory(deps: HistoryDeps, req: HistoryRequest, plan: HistoryPlan) {
  const entityDigest = await md5File(req.entities).catch(() => {
    throw new UsageError(`no such entity file: ${req.entities}`, { file: req.entities });
  });
  const sources: (SourceFile & { dataset: string })[] = [];
  const pairs = new Set(plan.resolved.views.map((v) => `${v.table}\u0000${v.environment}`));
  for (const pair of pairs) {
    const [dataset, environment] = pair.split("\u0000") as [string, string];
    const runs = await committedSourceRuns(deps.stores.warehouse, dataset, environment, plan.asOf);
    for (const s of await sourceFiles(deps.stores.warehouse, runs)) sources.push({ ...s, dataset });
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
    namespace: `file://${path.dirname(path.resolve(req.entities))}`,
    name: path.basename(req.entities),
    version: entityDigest.md5,
    artifactType: "RawBlob",
    size: entityDigest.size,
    properties: { role: "entities" },
  };
  const inputs = [entityRef, ...sources.map((s) => sourceRef(deps.stores.warehouse.namespace, s))];
  return { entityDigest, sources, runId, inputs };
}

interface Written {
  readonly query: string;
  readonly rows: Record<string, number>;
  readonly totalRows: number;
  readonly served: Record<string, number>;
  readonly entityTypes: Map<string, string>;
}

/** The history query with its split columns, over the loaded entity table. */
function historyQuery(
  plan: HistoryPlan,
  entityMd5: string,
  entityTypes: Map<string, string>,
  dialect: "duckdb" | "athena",
): string {
  const { resolved, timestamp, carry, asOf, knowledge, spec } = plan;
  const history = historySql(
    { entities: ENTITIES_TABLE, timestamp, carry, views: resolved.views, asOf, knowledge },
    dialect,
  );
  const keyColumns: SplitKeyColumn[] = plan.splitKeyNames.map((n) => ({
    name: n,
    type: plan.keyTypes.get(n) ?? duckType(entityTypes.get(n) ?? "VARCHAR"),
  }));
  const cols = plan.outColumns.map(sqlIdent).join(", ");
  const bucketed = `SELECT ${cols}, ${sqlString(entityMd5)} AS ${sqlIdent(ORDER_COLUMNS[0])}, ${sqlIdent(ROW_COLUMN)} AS ${sqlIdent(ORDER_COLUMNS[1])}, ${splitBucketSql(keyColumns, spec.seed, dialect)} AS "_bucket" FROM (${history}) AS "history"`;
  return `SELECT ${cols}, ${ORDER_COLUMNS.map(sqlIdent).join(", ")}, ${splitCaseSql('"_bucket"', spec)} AS ${sqlIdent(SPLIT_COLUMN)} FROM (${bucketed}) AS "bucketed"`;
}

/** Executor: entity file into DuckDB, the history query, the split parts in `dataDir`. */
async function executeHistory(
  deps: HistoryDeps,
  req: HistoryRequest,
  plan: HistoryPlan,
  entityMd5: string,
  dataDir: string,
): Promise<Written> {
  const engine = await deps.openEngine(plan.asOf);
  try {
    if (engine.name !== "duckdb")
      throw new UsageError("features history runs on the local lake (DuckDB); see the README for Athena");
    const totalRows = await loadEntities(engine, req.entities, {
      keys: plan.resolved.keys,
      timestamp: plan.timestamp,
      ...(plan.label ? { label: plan.label } : {}),
    });
    if (totalRows === 0) throw new UsageError(`entity file ${path.basename(req.entities)} has no rows`);
    const described = await engine.query(`DESCRIBE SELECT * FROM ${ENTITIES_TABLE}`);
    const entityTypes = new Map(described.rows.map((r) => [String(r.column_name), String(r.column_type)]));
    const query = historyQuery(plan, entityMd5, entityTypes, engine.name);
    const written = await writeWithDuckdb(
      engine,
      { snapshot: query, columns: plan.outColumns, splits: plan.spec.parts.map((p) => p.name), dataDir },
      deps.rowsPerPart ?? DEFAULT_ROWS_PER_PART,
    ).catch((err: unknown) => {
      if (/out of memory/i.test(String((err as Error)?.message)))
        throw new LakelineError(
          `features history: DuckDB ran out of memory joining ${totalRows} entity rows with ${plan.resolved.views.length} view(s); raise ${ENV.duckdbMemory} (e.g. 512MB)`,
          { entities: totalRows },
          { cause: err },
        );
      throw err;
    });
    const featureCols = plan.resolved.views.flatMap((v) => v.features.map((f) => f.as));
    const counted = await engine.query(
      `SELECT ${featureCols.map((c, i) => `count(${sqlIdent(c)}) AS "c${i}"`).join(", ")} FROM read_parquet(${sqlString(path.join(dataDir, "**", "*.parquet"))})`,
    );
    const served = Object.fromEntries(
      featureCols.map((c, i) => [c, Number(counted.rows[0]?.[`c${i}`] ?? 0)]),
    );
    return { query, rows: written.rows, totalRows, served, entityTypes };
  } finally {
    await engine.close();
  }
}

function columnTypesOf(plan: HistoryPlan, written: Written) {
  return [
    ...plan.resolved.keys.map((k) => ({ name: k.name, type: glueType(k.type) })),
    { name: plan.timestamp, type: "timestamp" },
    ...(plan.label
      ? [{ name: plan.label, type: glueType(duckType(written.entityTypes.get(plan.label) ?? "VARCHAR")) }]
      : []),
    ...plan.resolved.views.flatMap((v) => v.features.map((f) => ({ name: f.as, type: glueType(f.type) }))),
  ];
}

type Hashed = Extract<Awaited<ReturnType<typeof hashPath>>, { kind: "dir" }>;
type Driven = Awaited<ReturnType<typeof driveHistory>>;

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

function manifestOf(
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
    sources: driven.sources.map((s) => ({
      dataset: s.dataset,
      key: s.key,
      md5: s.md5,
      size: s.size,
      runId: s.runId,
      ingestedAt: s.ingestedAt,
      rows: s.rows,
    })),
    query: written.query,
    engine: "duckdb",
    runId: driven.runId,
    pipelineVersion: TRAINING_SET_PIPELINE_VERSION,
  };
}

/** Publisher: DVC objects, data, manifest, then the `.dvc` file (its presence commits the set). */
async function publishHistory(
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

function outputRef(
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

function startRun(
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

export async function trainingSetHistory(deps: HistoryDeps, req: HistoryRequest): Promise<HistoryResult> {
  const plan = planHistory(deps, req);
  const driven = await driveHistory(deps, req, plan);
  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-features-"));
  let run: RunHandle | undefined;
  try {
    run = await startRun(deps, req, plan, driven);
    const dataDir = path.join(scratch, DATA_DIR);
    await fs.mkdir(dataDir);
    const written = await executeHistory(deps, req, plan, driven.entityDigest.md5, dataDir);
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

function duckType(t: string): ColumnType {
  if (t === "BIGINT" || t === "HUGEINT") return { kind: "bigint" };
  if (t === "INTEGER") return { kind: "int" };
  if (t === "DOUBLE" || t === "FLOAT") return { kind: "double" };
  if (t === "BOOLEAN") return { kind: "boolean" };
  if (t.startsWith("TIMESTAMP")) return { kind: "timestamp" };
  if (t === "DATE") return { kind: "date" };
  return { kind: "string" };
}
