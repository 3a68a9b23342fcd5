/**
 * One blob, staged once in DuckDB: parsed, typed and checked row by row in a single pass; then
 * statistics, the warehouse Parquet (valid rows) and the quarantine Parquet (everything else,
 * with reasons) are each one scan of the staged table.
 */
import { randomBytes } from "node:crypto";
import type { DatasetSchema } from "../../core/schema/types.js";
import { sqlIdent, sqlString } from "../../core/sql.js";
import { copyTo, renderSelect, type Select } from "../../core/sql-builder.js";
import { BAD_ROW, type FeaturePlan, rowValidationPlan } from "../../core/validate/row-sql.js";
import type {
  BlobFormat,
  IngestEngine,
  LineageValues,
  MeasuredBatch,
  StagedRecords,
} from "../../ports/ingest-engine.js";
import {
  headerLines,
  LINEAGE_COLUMNS,
  lineageColumns,
  parquet,
  rejectedLines,
  rowPosition,
  stageInParquet,
  stagingFailure,
} from "./batch-sql.js";
import { Database, type DatabaseOptions } from "./database.js";
import { DEFAULT_LIMITS, type PreparedBlob, prepareBlob, type ReadLimits } from "./reader.js";
import { rejectedRecords } from "./rejected-records.js";
import { roomForParts, stagedRowBytes, stagesOnDisk, wideForThreads, widthMemoryLimit } from "./sizing.js";
import { type SourceRelation, sourceRelation } from "./source-relation.js";
import { type Staging, stageInParts } from "./split-staging.js";
import { type StagedStatistics, stagedStatistics, toDatasetStatistics } from "./statistics.js";

export type { LineageValues };

export class StagedBatch implements StagedRecords {
  private closed = false;
  /** The valid-row file being written (its path once written), whose statistics give presence. */
  private validFile?: Promise<string | undefined>;

  get format(): BlobFormat {
    return this.blob.format;
  }

  /** Statistics of the staged rows; fields of JSON records come from a sample, and a feature seen anywhere is present. */
  async measure(args: {
    dataset: string;
    schemaVersion: number;
    environment: string;
  }): Promise<MeasuredBatch> {
    const staged = await this.statistics();
    const seen = new Set(this.sourceFields);
    for (const f of staged.features) if (f.present > 0) seen.add(f.name);
    const sourceFields = this.blob.header ?? [...seen];
    const statistics = toDatasetStatistics({ ...args, staged, malformed: this.malformedCount, sourceFields });
    return {
      statistics,
      malformed: this.malformedCount + staged.badRecords,
      codeCounts: staged.codeCounts,
      sourceFields,
      duplicateFields: this.blob.duplicateFields,
    };
  }

  private constructor(
    private readonly db: Database,
    readonly blob: PreparedBlob,
    readonly plans: readonly FeaturePlan[],
    private readonly rejectsTable: string,
    /** Fields found in the blob: the CSV header, or keys seen in the first JSON records. */
    readonly sourceFields: readonly string[],
    readonly malformedCount: number,
    /**
     * The record's 1-based ordinal in the blob, malformed records included: its line for JSON lines
     * and its record number for CSV, staged in file order without a window (which would serialise the
     * scan), so the staged table's rowid (or the staged Parquet file's row number) plus the malformed
     * records before it is the ordinal (see recordsBefore); its element for a JSON array, numbered in SQL.
     */
    readonly rowExpr: string,
    /** Where the staged rows are: in Parquet files unless "memory" (scanning a file once per feature re-reads its metadata). */
    readonly staging: Staging,
    /** Table locating the rejected CSV records in the file (see rejectedRecords), when it could. */
    private readonly rejectedAt?: string,
  ) {}

  static async stage(args: {
    key: string;
    localPath: string;
    scratch: string;
    schema: DatasetSchema;
    environment: string;
    limits: ReadLimits;
    database?: DatabaseOptions;
    /** Where to keep the staged table; by default chosen from the blob's cells (see stagesOnDisk, stagesInParts). */
    staging?: Staging;
  }): Promise<StagedBatch> {
    const blob = await prepareBlob(args.key, args.localPath, args.scratch, args.limits, args.schema.csv);
    const staged = {
      records: blob.estimatedRecords,
      rowBytes: stagedRowBytes(args.schema),
      columns: args.schema.features.length + 2,
    };
    const columns = Math.max(staged.columns, blob.header?.length ?? 0);
    const memoryLimit = widthMemoryLimit(columns, args.database);
    const database: DatabaseOptions = {
      ...args.database,
      memoryLimit,
      ...(wideForThreads(columns, memoryLimit) ? { threads: 1 } : {}),
    };
    const onDisk = (args.staging ?? (stagesOnDisk(staged, database) ? "disk" : "memory")) !== "memory";
    // A wide CSV table on one DuckDB worker: staged in two parts at once (see split-staging.ts).
    const parts = onDisk && database.threads === 1 && roomForParts(columns, memoryLimit) && "split";
    const inParts = (args.staging ?? parts) === "split" && blob.format === "csv";
    const db = await Database.open({ tempDirectory: `${args.scratch}/duckdb`, ...database });
    try {
      const suffix = randomBytes(4).toString("hex");
      const names = args.schema.features.map((f) => f.name);
      const failed = (err: unknown) => stagingFailure(args.key, blob, args.limits, err);
      const planOf = (source: SourceRelation, checked?: (index: number) => boolean) =>
        rowValidationPlan({
          schema: args.schema,
          environment: args.environment,
          rawExpr: (f) => source.rawExpr(f.name),
          source: source.sql,
          rowColumn: source.rowColumn === true,
          json: blob.format !== "csv",
          recordExpr: source.recordExpr,
          ...(source.malformed ? { malformed: source.malformed } : {}),
          ...(source.skip ? { skip: source.skip } : {}),
          ...(checked ? { checked } : {}),
        });
      let source = sourceRelation(blob, names, suffix, args.limits);
      let staging: Staging = onDisk ? "disk" : "memory";
      if (inParts) {
        const parts = [source, sourceRelation(blob, names, `${suffix}b`, args.limits)] as const;
        const widths = { features: names.length, staged: staged.columns };
        if (await stageInParts(db, parts, planOf, args.scratch, widths).catch(failed)) staging = "split";
        else source = sourceRelation(blob, names, `${suffix}c`, args.limits);
      }
      const plan = planOf(source);
      if (staging !== "split")
        for (const sql of onDisk
          ? stageInParquet(plan.sql, args.scratch, staged.columns)
          : [`CREATE TABLE staged AS\n${plan.sql}`])
          await db.exec(sql).catch(failed);
      const malformed = source.rejectsTable
        ? Number((await db.all(`SELECT count(DISTINCT line) AS n FROM ${source.rejectsTable}`))[0]?.n ?? 0)
        : 0;
      const sourceFields =
        blob.header ?? (source.fieldsSql ? (await db.all(source.fieldsSql)).map((r) => String(r.k)) : []);
      const rejected =
        malformed > 0 && source.rejectsTable
          ? await rejectedRecords(db, source.rejectsTable, blob, `__rejected_${suffix}`)
          : { ordinals: [] };
      return new StagedBatch(
        db,
        blob,
        plan.features,
        source.rejectsTable,
        sourceFields,
        malformed,
        rowPosition(source.rowColumn === true, onDisk ? "file_row_number" : "rowid", rejected.ordinals),
        staging,
        rejected.positions,
      );
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The rejected records, each with its ordinal and reason (see rejectedLines). */
  private get rejectedLines(): string {
    return rejectedLines(this.rejectsTable, headerLines(this.blob), this.rejectedAt);
  }

  statistics(): Promise<StagedStatistics> {
    return stagedStatistics(
      this.db,
      "staged",
      this.plans,
      this.blob.format === "csv" ? "false" : "__bad_record",
      this.staging !== "memory",
      this.validFile,
    );
  }

  /**
   * Staging needed insertion order (rowid = position); the outputs do not (rows carry _source_row,
   * exports sort), and writing without it measured ~100 MB less peak memory.
   */
  private async unordered(): Promise<void> {
    await this.db.exec("SET preserve_insertion_order = false");
  }

  /**
   * Valid rows → Parquet at `path`; returns the row count. It runs on its own connection (the staged
   * table is a plain table of the in-memory database), so statistics can be computed meanwhile.
   */
  writeValid(path: string, lineage: LineageValues): Promise<number> {
    const written = this.copyValid(path, lineage);
    this.validFile = written.then(
      () => path,
      () => undefined,
    );
    return written;
  }

  private async copyValid(path: string, lineage: LineageValues): Promise<number> {
    const cols = this.plans.map((p) => `${p.staged} AS ${sqlIdent(p.feature.column)}`);
    const writer = await this.db.fork();
    try {
      await writer.exec("SET preserve_insertion_order = false");
      const rows = await writer.all(
        copyTo(
          {
            select: [...cols, ...lineageColumns(lineage, this.rowExpr)],
            from: "staged",
            where: ["__ok"],
          },
          sqlString(path),
          parquet(this.plans.length + LINEAGE_COLUMNS),
        ),
      );
      return Number(rows[0]?.Count ?? 0);
    } finally {
      writer.close();
    }
  }

  /** Rejected rows and malformed records → Parquet at `path`; returns the row count. */
  async writeQuarantine(path: string, lineage: LineageValues): Promise<number> {
    await this.unordered();
    const parts: Select[] = [
      {
        select: [
          `${BAD_ROW.reasons(this.rowExpr)} AS _reasons`,
          `${BAD_ROW.record} AS _record`,
          ...lineageColumns(lineage, this.rowExpr),
        ],
        from: "staged",
        where: ["NOT __ok"],
      },
    ];
    if (this.rejectsTable)
      parts.push({
        select: ["reasons AS _reasons", "csv_line AS _record", ...lineageColumns(lineage, "ordinal")],
        from: this.rejectedLines,
      });
    const rows = await this.db.all(
      copyTo({ unionAll: parts }, sqlString(path), parquet(2 + LINEAGE_COLUMNS)),
    );
    return Number(rows[0]?.Count ?? 0);
  }

  /** A few rejected rows with their reasons, for people reading CLI output. */
  async sampleRejected(limit = 5): Promise<{ row: number | null; reasons: string[] }[]> {
    const parts: Select[] = [
      {
        select: [`${this.rowExpr} AS row`, `${BAD_ROW.reasons(this.rowExpr)} AS reasons`],
        from: "staged",
        where: ["NOT __ok"],
      },
    ];
    if (this.rejectsTable) parts.push({ select: ["ordinal", "reasons"], from: this.rejectedLines });
    const rows = await this.db.all(
      renderSelect({ select: ["*"], from: { query: { unionAll: parts }, as: "rejected" }, limit }),
    );
    return rows.map((r) => ({
      row: r.row === null ? null : Number(r.row),
      reasons: (r.reasons as string[]) ?? [],
    }));
  }

  /** Frees the database; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
/** The ingest engine on DuckDB: each blob staged in a database of its own, in the run's scratch. */
export const duckdbIngestEngine: IngestEngine = {
  stage: (request) =>
    StagedBatch.stage({
      key: request.key,
      localPath: request.localPath,
      scratch: request.scratch,
      schema: request.schema,
      environment: request.environment,
      limits: request.limits ?? DEFAULT_LIMITS,
      ...(request.options ? { database: request.options } : {}),
    }),
};
