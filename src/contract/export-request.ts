/**
 * What an export is asked for (CLI flags, a schedule's constant input) and its validated form:
 * environment, split spec, split key and output columns resolved against the dataset's schema.
 */
import { UsageError } from "../core/errors.js";
import { type DatasetSchema, featureInEnvironment } from "../core/schema/types.js";
import type { SplitKeyColumn } from "../core/split/canonical.js";
import { DEFAULT_SPLIT_SEED, parseSplitArg, type SplitSpec, splitSpec } from "../core/split/spec.js";
import { parseWhere } from "../core/sql/where.js";
import { parseInstant } from "../core/time/iso8601.js";
import { type TableColumn, warehouseTable } from "../core/warehouse/table.js";
import { assertDatasetName, DEFAULT_ENVIRONMENT } from "./raw-key.js";

export const DEFAULT_SPLIT = "train=80,eval=10,test=10";

export interface ExportRequest {
  readonly dataset: string;
  /** Snapshot instant (ISO 8601 or Date); default: now. */
  readonly asOf?: Date | string;
  /** Whose rows and features: TRAINING (default) or SERVING. */
  readonly environment?: string;
  /** `train=80,eval=10,test=10` or `{ train: 80, … }`. */
  readonly split?: string | Readonly<Record<string, number>>;
  readonly seed?: string;
  /** Column names (array or comma-separated); default: every exported scalar feature column. */
  readonly splitKey?: string | readonly string[];
  /** A SQL predicate over the warehouse table's columns. */
  readonly where?: string;
  readonly format?: string;
  /** The schedule's name, for logs and results. */
  readonly name?: string;
}

export interface ResolvedExport {
  readonly dataset: string;
  readonly environment: string;
  readonly requestedAsOf: Date;
  readonly spec: SplitSpec;
  readonly schema: DatasetSchema;
  readonly columns: readonly TableColumn[];
  readonly keyColumns: readonly SplitKeyColumn[];
  /** Whether the request named the key (the default key, every feature, cannot isolate a label). */
  readonly keyNamed: boolean;
  readonly where: string | null;
  readonly format: "parquet";
}

const ENVIRONMENT = /^[A-Z][A-Z0-9_]*$/;

export function parseAsOf(value: Date | string | undefined, now: Date): Date {
  if (value === undefined) return now;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new UsageError("as-of is an invalid date");
    return value;
  }
  return parseInstant(value);
}

export function resolveExport(
  req: ExportRequest,
  versions: readonly DatasetSchema[],
  now: Date,
): ResolvedExport {
  const dataset = assertDatasetName(req.dataset);
  const environment = (req.environment ?? DEFAULT_ENVIRONMENT).toUpperCase();
  if (!ENVIRONMENT.test(environment))
    throw new UsageError(
      `environment must be an upper-case name such as TRAINING, not ${JSON.stringify(req.environment)}`,
    );
  const format = (req.format ?? "parquet").toLowerCase();
  if (format !== "parquet")
    throw new UsageError(`export format must be parquet, not ${JSON.stringify(req.format)}`);
  const seed = req.seed ?? DEFAULT_SPLIT_SEED;
  const spec =
    typeof req.split === "object"
      ? splitSpec(req.split, seed)
      : parseSplitArg(req.split ?? DEFAULT_SPLIT, seed);

  const schema = [...versions].sort((a, b) => b.version - a.version)[0];
  if (!schema) throw new UsageError(`no schema versions for dataset ${dataset}`);
  const table = warehouseTable(versions);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const columns = schema.features
    .filter((f) => featureInEnvironment(schema, f, environment))
    .map((f) => byName.get(f.column)!);
  if (columns.length === 0)
    throw new UsageError(`dataset ${dataset} has no features in environment ${environment}`);

  const keyNames =
    req.splitKey === undefined
      ? undefined
      : (typeof req.splitKey === "string" ? req.splitKey.split(",") : [...req.splitKey])
          .map((s) => s.trim())
          .filter(Boolean);
  let keyColumns: TableColumn[];
  if (keyNames === undefined) {
    keyColumns = columns.filter((c) => c.type.kind !== "list");
    if (keyColumns.length === 0)
      throw new UsageError(
        `dataset ${dataset}: every exported feature is a list; name a split key (--split-key)`,
      );
  } else {
    if (keyNames.length === 0) throw new UsageError("split key must name at least one column");
    keyColumns = keyNames.map((n) => {
      const c = byName.get(n);
      if (!c)
        throw new UsageError(
          `split key column ${JSON.stringify(n)} is not a column of ${dataset} (columns: ${table.columns.map((x) => x.name).join(", ")})`,
        );
      if (c.type.kind === "list")
        throw new UsageError(`split key column ${n} is a list; only scalar columns can key a split`);
      return c;
    });
  }
  // Parsed, never pasted: one boolean expression over the table's columns, re-emitted normalised.
  const where = req.where?.trim()
    ? parseWhere(
        req.where.trim(),
        table.columns.map((c) => c.name),
      ).sql
    : null;
  return {
    dataset,
    environment,
    requestedAsOf: parseAsOf(req.asOf, now),
    spec,
    schema,
    columns,
    keyColumns: keyColumns.map((c) => ({ name: c.name, type: c.type })),
    keyNamed: keyNames !== undefined,
    where,
    format: "parquet",
  };
}
