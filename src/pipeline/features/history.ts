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
import { hashPath, md5File } from "../../adapters/local/hash-fs.js";
import { LakelineError, UsageError } from "../../core/errors.js";
import { historySql, type KnowledgeMode, ROW_COLUMN, TIE_BREAK } from "../../core/features/history-sql.js";
import { parseFeatureRefs } from "../../core/features/view.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import { assertDatasetName } from "../../core/keys.js";
import type { SplitKeyColumn } from "../../core/split/canonical.js";
import { DEFAULT_SPLIT_SEED, formatSplitSpec, parseSplitArg, splitRanges } from "../../core/split/spec.js";
import { splitBucketSql, splitCaseSql } from "../../core/split/sql.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { type ColumnType, glueType } from "../../core/warehouse/table.js";
import type { DatasetRef, RunHandle } from "../../lineage/recorder.js";
import { putFileOnce, putOnce } from "../../ports/conditional-put.js";
import type { ViewRegistry } from "../../schema/views.js";
import { dvcFileFor, pushDvcObjects } from "../dvc-remote.js";
import type { ExportDeps } from "../export-deps.js";
import { DATA_DIR, versionOf } from "../export-layout.js";
import { DEFAULT_SPLIT, parseAsOf } from "../export-request.js";
import { committedSourceRuns, type SourceFile, sourceFiles } from "../export-sources.js";
import { ORDER_COLUMNS, SPLIT_COLUMN } from "../export-sql.js";
import { writeWithDuckdb } from "../export-writers.js";
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

export async function trainingSetHistory(deps: HistoryDeps, req: HistoryRequest): Promise<HistoryResult> {
  const { stores } = deps;
  const name = assertDatasetName(req.name ?? "training_set");
  const knowledge = req.knowledge ?? "row";
  if (knowledge !== "row" && knowledge !== "as-of")
    throw new UsageError(`knowledge time must be row or as-of, not ${JSON.stringify(knowledge)}`);
  const timestamp = req.timestamp ?? "event_timestamp";
  const asOf = parseAsOf(req.asOf, deps.clock.now());
  let refs: ReturnType<typeof parseFeatureRefs>;
  try {
    refs = parseFeatureRefs(req.features);
  } catch (err) {
    throw new UsageError(`--features: ${(err as Error).message}`);
  }
  const resolved: ResolvedFeatures = resolveFeatures(deps.views, deps.schemas, refs);
  const spec = parseSplitArg(req.split ?? DEFAULT_SPLIT, req.seed ?? DEFAULT_SPLIT_SEED);
  const splitText = formatSplitSpec(spec);
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
  const outColumns = [...carry, ...resolved.views.flatMap((v) => v.features.map((f) => f.as))];
  for (const k of splitKeyNames)
    if (!carry.includes(k))
      throw new UsageError(`split key column ${k} is not an entity column (${carry.join(", ")})`);

  // Driver: what this training set reads, and who this run is.
  const entityDigest = await md5File(req.entities).catch(() => {
    throw new UsageError(`no such entity file: ${req.entities}`, { file: req.entities });
  });
  const sources: (SourceFile & { dataset: string })[] = [];
  for (const ds of [...new Set(resolved.views.map((v) => `${v.table}\u0000${v.environment}`))]) {
    const [dataset, environment] = ds.split("\u0000") as [string, string];
    const runs = await committedSourceRuns(stores.warehouse, dataset, environment, asOf);
    for (const s of await sourceFiles(stores.warehouse, runs)) sources.push({ ...s, dataset });
  }
  const runId = deterministicUuid(
    "features.history",
    TRAINING_SET_PIPELINE_VERSION,
    name,
    entityDigest.md5,
    req.features,
    timestamp,
    req.label ?? "",
    knowledge,
    asOf.toISOString(),
    splitText,
    spec.seed,
    splitKeyNames.join(","),
    ...resolved.views.map((v) => `${v.name}@${v.viewVersion}:${v.viewMd5}`),
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
  const inputs = [entityRef, ...sources.map((s) => sourceRef(stores.warehouse.namespace, s))];

  const scratch = await fs.mkdtemp(path.join(deps.scratchDir, "lakeline-features-"));
  let run: RunHandle | undefined;
  try {
    run = await deps.lineage.start({
      runId,
      jobName: `features.history.${name}`,
      executionType: "Export",
      eventTime: deps.clock.now(),
      inputs,
      parameters: {
        features: req.features,
        asOf: asOf.toISOString(),
        knowledge,
        split: splitText,
        seed: spec.seed,
        splitKey: splitKeyNames.join(","),
        pipelineVersion: TRAINING_SET_PIPELINE_VERSION,
      },
      contexts: resolved.views.map((v) => ({ type: "Dataset" as const, name: v.table })),
    });

    // Executor.
    const dataDir = path.join(scratch, DATA_DIR);
    await fs.mkdir(dataDir);
    const engine = await deps.openEngine(asOf);
    let query: string;
    let rows: Record<string, number>;
    let totalRows: number;
    const served: Record<string, number> = {};
    let entityTypes = new Map<string, string>();
    try {
      totalRows = await loadEntities(engine, req.entities, {
        keys: resolved.keys,
        timestamp,
        ...(req.label ? { label: req.label } : {}),
      });
      if (totalRows === 0) throw new UsageError(`entity file ${path.basename(req.entities)} has no rows`);
      const history = historySql(
        { entities: ENTITIES_TABLE, timestamp, carry, views: resolved.views, asOf, knowledge },
        engine.name,
      );
      entityTypes = new Map(
        (await engine.query(`DESCRIBE SELECT * FROM ${ENTITIES_TABLE}`)).rows.map((r) => [
          String(r.column_name),
          String(r.column_type),
        ]),
      );
      const keyColumns: SplitKeyColumn[] = splitKeyNames.map((n) => ({
        name: n,
        type: keyTypes.get(n) ?? duckType(entityTypes.get(n) ?? "VARCHAR"),
      }));
      const cols = outColumns.map(sqlIdent).join(", ");
      const bucketed = `SELECT ${cols}, ${sqlString(entityDigest.md5)} AS ${sqlIdent(ORDER_COLUMNS[0])}, ${sqlIdent(ROW_COLUMN)} AS ${sqlIdent(ORDER_COLUMNS[1])}, ${splitBucketSql(keyColumns, spec.seed, engine.name)} AS "_bucket" FROM (${history}) AS "history"`;
      query = `SELECT ${cols}, ${ORDER_COLUMNS.map(sqlIdent).join(", ")}, ${splitCaseSql('"_bucket"', spec)} AS ${sqlIdent(SPLIT_COLUMN)} FROM (${bucketed}) AS "bucketed"`;
      if (engine.name !== "duckdb")
        throw new UsageError("features history runs on the local lake (DuckDB); see the README for Athena");
      const written = await writeWithDuckdb(
        engine,
        { snapshot: query, columns: outColumns, splits: spec.parts.map((p) => p.name), dataDir },
        deps.rowsPerPart ?? DEFAULT_ROWS_PER_PART,
      ).catch((err: unknown) => {
        if (/out of memory/i.test(String((err as Error)?.message)))
          throw new LakelineError(
            `features history: DuckDB ran out of memory joining ${totalRows} entity rows with ${resolved.views.length} view(s); raise LAKELINE_DUCKDB_MEMORY (e.g. 512MB)`,
            { entities: totalRows },
            { cause: err },
          );
        throw err;
      });
      rows = written.rows;
      const featureCols = resolved.views.flatMap((v) => v.features.map((f) => f.as));
      const glob = sqlString(path.join(dataDir, "**", "*.parquet"));
      const counted = await engine.query(
        `SELECT ${featureCols.map((c, i) => `count(${sqlIdent(c)}) AS "c${i}"`).join(", ")} FROM read_parquet(${glob})`,
      );
      featureCols.forEach((c, i) => {
        served[c] = Number(counted.rows[0]?.[`c${i}`] ?? 0);
      });
    } finally {
      await engine.close();
    }

    // Publisher.
    const hashed = await hashPath(dataDir);
    if (hashed.kind !== "dir") throw new Error("training set data folder is not a directory");
    const version = versionOf(hashed.md5);
    const keys = trainingSetKeys(name, version);
    const columnTypes = [
      ...resolved.keys.map((k) => ({ name: k.name, type: glueType(k.type) })),
      { name: timestamp, type: "timestamp" },
      ...(req.label
        ? [{ name: req.label, type: glueType(duckType(entityTypes.get(req.label) ?? "VARCHAR")) }]
        : []),
      ...resolved.views.flatMap((v) => v.features.map((f) => ({ name: f.as, type: glueType(f.type) }))),
    ];
    const output: DatasetRef = {
      namespace: stores.exports.namespace,
      name: keys.data,
      version: hashed.md5,
      artifactType: "Export",
      size: hashed.size,
      rowCount: totalRows,
      fields: columnTypes,
      properties: {
        kind: "training-set",
        asOf: asOf.toISOString(),
        knowledge,
        split: splitText,
        views: resolved.views.map((v) => `${v.name}@v${v.viewVersion}`).join(","),
        nfiles: hashed.nfiles,
      },
    };
    const exists = await stores.exports.head(keys.dvcFile);
    if (!exists) {
      await pushDvcObjects(stores.exports, { dir: dataDir, entries: hashed.entries }, hashed.md5);
      for (const e of hashed.entries)
        await putFileOnce(
          stores.exports,
          `${keys.data}/${e.relpath}`,
          path.join(dataDir, ...e.relpath.split("/")),
        );
      const manifest: TrainingSetManifest = {
        manifestFormat: 1,
        kind: "training-set",
        name,
        md5: hashed.md5,
        version,
        asOf: asOf.toISOString(),
        knowledge,
        tieBreak: TIE_BREAK,
        entities: {
          file: path.basename(req.entities),
          md5: entityDigest.md5,
          rows: totalRows,
          keys: resolved.keys.map((k) => k.name),
          timestamp,
          label: req.label ?? null,
        },
        features: resolved.views.flatMap((v) =>
          v.features.map((f) => ({
            view: v.name,
            viewVersion: v.viewVersion,
            viewMd5: v.viewMd5,
            dataset: v.table,
            feature: f.feature,
            sourceColumn: f.column,
            column: f.as,
            type: glueType(f.type),
            served: served[f.as] ?? 0,
          })),
        ),
        columns: columnTypes,
        split: {
          parts: splitRanges(spec),
          seed: spec.seed,
          key: splitKeyNames,
          hash: "int(first 8 hex digits of md5(canonical key text)) mod 10000; canonical text: src/core/split/canonical.ts",
        },
        rows,
        totalRows,
        files: hashed.entries.map((e) => ({ relpath: e.relpath, md5: e.md5, size: e.size })),
        sources: sources.map((s) => ({
          dataset: s.dataset,
          key: s.key,
          md5: s.md5,
          size: s.size,
          runId: s.runId,
          ingestedAt: s.ingestedAt,
          rows: s.rows,
        })),
        query,
        engine: "duckdb",
        runId,
        pipelineVersion: TRAINING_SET_PIPELINE_VERSION,
      };
      await putOnce(
        stores.exports,
        keys.manifest,
        `${JSON.stringify(manifest, null, 2)}\n`,
        "application/json",
      );
      await putOnce(
        stores.exports,
        keys.dvcFile,
        dvcFileFor(hashed.md5, hashed.size, hashed.nfiles, DATA_DIR),
        "text/yaml",
      );
    }
    await run.complete({ eventTime: deps.clock.now(), outputs: [output] });
    return {
      status: exists ? "unchanged" : "exported",
      name,
      asOf: asOf.toISOString(),
      knowledge,
      version,
      md5: hashed.md5,
      rows,
      totalRows,
      served,
      columns: outColumns,
      split: splitText,
      splitKey: splitKeyNames,
      sources: sources.length,
      keys,
      remote: stores.exports.namespace,
      runId,
    };
  } catch (err) {
    if (run)
      await run
        .fail({ eventTime: deps.clock.now(), error: err instanceof Error ? err : new Error(String(err)) })
        .catch(() => {});
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
