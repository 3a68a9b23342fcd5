/**
 * Which result column holds which statistic: built alongside the SQL that computes it, so the code
 * reading a row asks for (feature, statistic) and never reconstructs a column name by convention.
 */
import { sqlIdent } from "../../core/sql.js";
import type { FeaturePlan } from "../../core/validate/row-sql.js";
import type { Row } from "./database.js";

export type Statistic =
  | "present"
  | "min"
  | "max"
  /** Integer bounds (INT, or TIMESTAMP as epoch microseconds) for exact histogram buckets. */
  | "intMin"
  | "intMax"
  /** Values counted by mean: finite ones. */
  | "finite"
  | "stddev"
  | "sum"
  | "sumSquares"
  | "quantiles"
  | "zeros"
  | "nonFinite"
  | "listMin"
  | "listMax"
  | "listMean"
  | "histogram";

export class StatisticColumns {
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();

  private static key(p: FeaturePlan, statistic: Statistic): string {
    return `${p.index}\u0000${statistic}`;
  }

  /**
   * `expr AS "<column>.<statistic>"`, recording that alias as the one of (feature, statistic). Two
   * columns whose names would clash (a column literally named `x.min` beside `x`) get the feature's
   * position appended.
   */
  add(p: FeaturePlan, statistic: Statistic, expr: string): string {
    let name = `${p.feature.column}.${statistic}`;
    if (this.taken.has(name)) name = `${name}#${p.index}`;
    this.taken.add(name);
    this.names.set(StatisticColumns.key(p, statistic), name);
    return `${expr} AS ${sqlIdent(name)}`;
  }

  /** The SQL alias of (feature, statistic); throws when the query does not compute it. */
  alias(p: FeaturePlan, statistic: Statistic): string {
    const name = this.names.get(StatisticColumns.key(p, statistic));
    if (name === undefined) throw new Error(`statistics: ${statistic} of ${p.feature.name} is not computed`);
    return sqlIdent(name);
  }

  has(p: FeaturePlan, statistic: Statistic): boolean {
    return this.names.has(StatisticColumns.key(p, statistic));
  }

  /** The value of (feature, statistic) in `row`, undefined when the query does not compute it. */
  read(row: Row | undefined, p: FeaturePlan, statistic: Statistic): unknown {
    const name = this.names.get(StatisticColumns.key(p, statistic));
    return name === undefined || row === undefined ? undefined : row[name];
  }
}

/** The one row of the aggregates query and the map naming its columns. */
export interface ValidAggregates {
  readonly row: Row | undefined;
  readonly columns: StatisticColumns;
}
