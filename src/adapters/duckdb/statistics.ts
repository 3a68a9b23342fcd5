/**
 * Per-batch statistics as SQL over the staged table: three scans at most (aggregates, histograms,
 * top values), whatever the number of features. They describe every record read, quarantined ones
 * included (as TFDV's statistics describe the data, not what passed), so a value that sent rows to
 * quarantine — out of range, outside the domain, NaN — shows in the report beside the anomaly.
 * A value that does not parse as the feature's type has no typed value: it counts as present, and
 * the anomaly (and the quarantine) names it. Records that could not be read at all are counted only.
 */

import { QueryError } from "../../core/errors.js";
import { isList } from "../../core/schema/types.js";
import type { DatasetStatistics, FeatureStatistics } from "../../core/stats/types.js";
import type { AnomalyType } from "../../core/validate/anomaly.js";
import type { FeaturePlan } from "../../core/validate/row-sql.js";
import type { Database } from "./database.js";
import { histogramsOf, isCategorical, isNumeric } from "./distributions.js";
import type { Statistic, ValidAggregates } from "./statistic-columns.js";
import { aggregatesQuery, failedCodesSql, failedTotalsSql, VALID_ROWS } from "./statistics-sql.js";
import { drainTopValues, topValuesOf, wideStatements } from "./top-values.js";
import { countPresence, filePresence, presenceFromFile } from "./valid-presence.js";

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface RowCodeCount {
  readonly feature: string;
  readonly code: AnomalyType;
  readonly rows: number;
}

export interface StagedStatistics {
  readonly rows: number;
  /** Staged rows that were not records at all (e.g. a JSON line that is not an object). */
  readonly badRecords: number;
  readonly rowsValid: number;
  readonly features: FeatureStatistics[];
  readonly codeCounts: RowCodeCount[];
}

/**
 * Statistics of the staged table (see rowValidationPlan for its columns). `badRecord` is the SQL
 * telling a row that was not a record at all (a JSON line that is not an object); CSV has none.
 */
export async function stagedStatistics(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  badRecord = "false",
  /** Distributions in one scan for all features (see distributions.ts), e.g. for a staged file. */
  oneScan = false,
  /**
   * The valid-row Parquet file being written meanwhile (its path once written, undefined if the write
   * failed): presence among valid rows is then read from its statistics (see valid-presence.ts).
   */
  validFile?: Promise<string | undefined>,
): Promise<StagedStatistics> {
  // Value statistics describe every record (not the rows that are not records at all): one scan with
  // plain aggregates. Presence and row-level error codes of rejected rows come from a second query
  // over the (usually few) rows that failed.
  const records = `(__ok IS NOT NULL AND NOT ${badRecord})`;
  const inFile = validFile ? presenceFromFile : () => false;
  const valid = await recordAggregates(db, table, plans, records, (p) => !inFile(p));
  const failed = await failedCounts(db, table, badRecord);
  const rowsValid = num(valid.row?.[VALID_ROWS]);
  const rows = rowsValid + failed.rows;
  // Staged on disk (wide tables), the top values are statements of bounded cells in a queue that this
  // connection drains after the histograms and a second one once the valid-row write has ended, so the
  // write and the statistics stay two streams on two cores and finish together; the free text (the
  // largest hash tables) goes first. Run beside the write and the aggregates in one statement, the
  // top values of 300 columns ran out of memory under a 555 MB limit.
  const queue = oneScan && validFile ? wideStatements(plans, rows) : undefined;
  const [numbers, lateTops] = await Promise.allSettled([
    (async () => ({
      histograms: await histogramsOf(db, table, plans, valid, oneScan, records),
      tops: queue
        ? await drainTopValues(db, table, queue, records)
        : await topValuesOf(db, table, plans, oneScan, records, rows),
    }))(),
    queue ? afterWrite(db, validFile, (side) => drainTopValues(side, table, queue, records)) : new Map(),
  ]);
  if (numbers.status === "rejected") throw numbers.reason;
  if (lateTops.status === "rejected") throw lateTops.reason;
  const { histograms } = numbers.value;
  const tops = new Map([...numbers.value.tops, ...lateTops.value]);
  const features: FeatureStatistics[] = [];
  const codeCounts: RowCodeCount[] = [];
  const inSql = (p: FeaturePlan) => num(valid.columns.read(valid.row, p, "present"));
  const presence = validFile
    ? await validPresence(db, table, plans.filter(inFile), rowsValid, validFile)
    : new Map<number, number>();
  for (const p of plans) {
    const stat = (s: Statistic) => valid.columns.read(valid.row, p, s);
    // A rejected row has the feature unless its code says it is absent ('' or FEATURE_TYPE_NOT_PRESENT).
    const byCode = failed.codes.get(p.index);
    const absent = (byCode?.get("") ?? 0) + (byCode?.get("FEATURE_TYPE_NOT_PRESENT") ?? 0);
    const present = (presence.get(p.index) ?? inSql(p)) + failed.records - absent;
    for (const code of p.codes) {
      const n = byCode?.get(code) ?? 0;
      if (n > 0) codeCounts.push({ feature: p.feature.name, code, rows: n });
    }
    const base = {
      name: p.feature.name,
      column: p.feature.column,
      type: p.feature.type,
      present,
      // Over well-formed records only; malformed ones are counted as RECORD_MALFORMED instead.
      missing: rows - failed.badRecords - present,
    };
    if (isNumeric(p) && stat("min") !== null && stat("min") !== undefined) {
      const sum = num(stat("sum"));
      features.push({
        ...base,
        numeric: {
          min: num(stat("min")),
          max: num(stat("max")),
          // sum / count of finite values: the same division avg() performs, without a third accumulator.
          mean: sum / num(stat("finite")),
          stddev: num(stat("stddev")),
          sum,
          sumSquares: num(stat("sumSquares")),
          quantiles: ((stat("quantiles") as unknown[]) ?? []).map(num),
          histogram: histograms.get(p.index) ?? [],
          zeros: num(stat("zeros")),
          nonFinite: num(stat("nonFinite")),
        },
      });
    } else if (isCategorical(p)) {
      const top = tops.get(p.index);
      features.push({
        ...base,
        distinctApprox: top?.distinct ?? 0,
        string: { topValues: top?.values ?? [], avgLength: top?.avgLength ?? 0 },
      });
    } else if (isList(p.feature) && stat("listMin") !== null) {
      features.push({
        ...base,
        valueCount: { min: num(stat("listMin")), max: num(stat("listMax")), mean: num(stat("listMean")) },
      });
    } else {
      features.push(base);
    }
  }
  return { rows, rowsValid, badRecords: failed.badRecords, features, codeCounts };
}

interface FailedCounts {
  /** Rejected rows. */
  readonly rows: number;
  /** Rejected rows that were not records at all. */
  readonly badRecords: number;
  /** Rejected rows that were records (rows − badRecords). */
  readonly records: number;
  /** Feature index → error code ('' = absent but optional) → rows. */
  readonly codes: Map<number, Map<string, number>>;
}

async function failedCounts(db: Database, table: string, badRecord: string): Promise<FailedCounts> {
  const [totals] = await db.all(failedTotalsSql(table, badRecord));
  const rows = num(totals?.n);
  const badRecords = num(totals?.n_bad_record);
  const codes = new Map<number, Map<string, number>>();
  if (rows > badRecords) {
    for (const g of await db.all(failedCodesSql(table, badRecord))) {
      const f = Number(g.f);
      const m = codes.get(f) ?? new Map<string, number>();
      m.set(String(g.e), num(g.n));
      codes.set(f, m);
    }
  }
  return { rows, badRecords, records: rows - badRecords, codes };
}

/** `work` on a connection of its own, once the valid-row write (`written`) has ended either way. */
async function afterWrite<T>(
  db: Database,
  written: Promise<unknown> | undefined,
  work: (side: Database) => Promise<T>,
): Promise<T> {
  await written;
  const side = await db.fork();
  try {
    return await work(side);
  } finally {
    side.close();
  }
}

/**
 * Valid rows having each of `plans`: from the valid file's statistics, else (the write failed, or its
 * file lacks a column's null counts) counted in SQL.
 */
async function validPresence(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  rowsValid: number,
  validFile: Promise<string | undefined>,
): Promise<Map<number, number>> {
  const file = await validFile;
  const fromFile = file === undefined ? undefined : await filePresence(db, file, plans, rowsValid);
  const counted = await countPresence(
    db,
    table,
    plans.filter((p) => !fromFile?.has(p.index)),
  );
  return new Map([...counted, ...(fromFile ?? [])]);
}

/**
 * The aggregates of the records `scope` selects (see aggregatesQuery), retried with the overflow
 * guard when needed.
 */
async function recordAggregates(
  db: Database,
  table: string,
  plans: readonly FeaturePlan[],
  scope: string,
  counted: (p: FeaturePlan) => boolean,
): Promise<ValidAggregates> {
  const run = async (guarded: boolean): Promise<ValidAggregates> => {
    const { sql, columns } = aggregatesQuery(table, plans, guarded, scope, counted);
    return { row: (await db.all(sql))[0], columns };
  };
  try {
    return await run(false);
  } catch (err) {
    if (!(err instanceof QueryError) || !/out of range/i.test(String(err.data.engine ?? err.message)))
      throw err;
    return run(true);
  }
}

export function toDatasetStatistics(args: {
  dataset: string;
  schemaVersion: number;
  environment: string;
  staged: StagedStatistics;
  malformed: number;
  sourceFields: readonly string[];
}): DatasetStatistics {
  const { staged } = args;
  return {
    dataset: args.dataset,
    schemaVersion: args.schemaVersion,
    environment: args.environment,
    rowsRead: staged.rows + args.malformed,
    rowsValid: staged.rowsValid,
    rowsQuarantined: staged.rows - staged.rowsValid + args.malformed,
    sourceFields: [...args.sourceFields],
    features: staged.features,
  };
}
