import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { BackendError, errorMessage, LakelineError, QueryError, UsageError } from "../../core/errors.js";
import type { QueryColumn, QueryEngine, QueryResult, QueryValue } from "../../ports/query-engine.js";
import { convertDatum } from "./athena-types.js";
import { realSleep, type Sleep } from "./retry.js";

export interface AthenaQueryEngineOptions {
  readonly workgroup: string;
  /** Glue database the unqualified table names resolve in. */
  readonly database: string;
  /** @default "AwsDataCatalog" */
  readonly catalog?: string;
  /** `s3://…/` for results; leave unset when the workgroup enforces its own. */
  readonly outputLocation?: string;
  /** First wait before polling GetQueryExecution; doubles up to `pollMaxMs`. @default 200 */
  readonly pollInitialMs?: number;
  /** @default 5000 */
  readonly pollMaxMs?: number;
  /** A query still running after this long is stopped. @default 600000 (10 min) */
  readonly timeoutMs?: number;
  /** Rows per GetQueryResults page (Athena allows at most 1000). @default 1000 */
  readonly pageSize?: number;
  readonly sleep?: Sleep;
  /** Milliseconds clock for the timeout and the deadline. @default Date.now */
  readonly now?: () => number;
  /**
   * When the caller must be done with Athena (on the `now` clock): a Lambda's end minus the time it
   * needs to fail cleanly. Each query gets the smaller of `timeoutMs` and what is left, so a run of
   * several queries stops with its step named instead of being killed mid-query. Read per query.
   */
  readonly deadline?: () => number | undefined;
  /** With less time than this left before the deadline, the next query is not started. @default 10000 */
  readonly minQueryMs?: number;
  /** `close()` destroys the client: set when the engine built it. @default false */
  readonly ownsClient?: boolean;
}

export interface AthenaQueryOptions {
  /**
   * Idempotency token (32–128 characters): Athena runs a query once per token, so a caller that
   * retries after a lost response gets the first execution back instead of a second scan.
   */
  readonly clientRequestToken?: string;
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** SQL over the warehouse through Athena: start, poll with backoff, page through the results. */
export class AthenaQueryEngine implements QueryEngine {
  readonly name = "athena";
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private started = 0;

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaQueryEngineOptions,
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  async query(sql: string, options: AthenaQueryOptions = {}): Promise<QueryResult> {
    const step = stepOf(sql, ++this.started);
    const budget = this.budget(step);
    const id = await this.start(sql, options);
    const execution = await this.waitFor(id, step, budget);
    const { columns, rows } = await this.fetchResults(id, execution);
    const stats = execution.Statistics;
    return {
      columns,
      rows,
      stats: {
        dataScannedInBytes: stats?.DataScannedInBytes ?? 0,
        engineExecutionTimeInMillis: stats?.EngineExecutionTimeInMillis ?? 0,
        totalExecutionTimeInMillis: stats?.TotalExecutionTimeInMillis ?? 0,
        queryQueueTimeInMillis: stats?.QueryQueueTimeInMillis ?? 0,
      },
    };
  }

  /** An injected client belongs to its injector; one the engine built is released here. */
  async close(): Promise<void> {
    if (this.options.ownsClient) this.client.destroy();
  }

  private async start(sql: string, options: AthenaQueryOptions): Promise<string> {
    const token = options.clientRequestToken;
    if (token !== undefined && (token.length < 32 || token.length > 128)) {
      throw new UsageError(`athena clientRequestToken must be 32-128 characters, got ${token.length}`, {
        token,
      });
    }
    const out = await this.call("StartQueryExecution", undefined, () =>
      this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: this.options.workgroup,
          QueryExecutionContext: {
            Database: this.options.database,
            Catalog: this.options.catalog ?? "AwsDataCatalog",
          },
          ...(this.options.outputLocation
            ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } }
            : {}),
          ...(token ? { ClientRequestToken: token } : {}),
        }),
      ),
    );
    if (!out.QueryExecutionId)
      throw new QueryError("athena StartQueryExecution returned no QueryExecutionId", { sql });
    return out.QueryExecutionId;
  }

  /** This query's time: `timeoutMs`, cut to what is left before the deadline; none left → not started. */
  private budget(step: string): { timeoutMs: number; byDeadline: boolean } {
    const timeout = this.options.timeoutMs ?? 600_000;
    const deadline = this.options.deadline?.();
    if (deadline === undefined) return { timeoutMs: timeout, byDeadline: false };
    const left = deadline - this.now();
    const min = this.options.minQueryMs ?? 10_000;
    if (left < min) {
      throw new QueryError(
        `athena: ${step} not started: ${Math.max(0, left)} ms left before the invocation's deadline, less than the ${min} ms a query is given at least`,
        { step, state: "NOT_STARTED", remainingMs: left, minQueryMs: min },
      );
    }
    return left < timeout ? { timeoutMs: left, byDeadline: true } : { timeoutMs: timeout, byDeadline: false };
  }

  private async waitFor(
    id: string,
    step: string,
    budget: { timeoutMs: number; byDeadline: boolean },
  ): Promise<QueryExecution> {
    const started = this.now();
    const timeout = budget.timeoutMs;
    const max = this.options.pollMaxMs ?? 5_000;
    let delay = this.options.pollInitialMs ?? 200;
    for (;;) {
      const remaining = timeout - (this.now() - started);
      if (remaining <= 0) return this.stopTimedOut(id, step, budget);
      await this.sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, max);
      const out = await this.call("GetQueryExecution", id, () =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      );
      const execution = out.QueryExecution ?? {};
      const state = execution.Status?.State ?? "UNKNOWN";
      if (!TERMINAL.has(state)) continue;
      if (state === "SUCCEEDED") return execution;
      const status = execution.Status;
      const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? "no reason given";
      const errorType = status?.AthenaError?.ErrorType;
      throw new QueryError(`athena query ${id} ${state}: ${reason}`, {
        queryExecutionId: id,
        state,
        reason,
        errorCategory: status?.AthenaError?.ErrorCategory,
        errorType,
        errorMessage: status?.AthenaError?.ErrorMessage,
        retryable: status?.AthenaError?.Retryable,
      });
    }
  }

  private async stopTimedOut(
    id: string,
    step: string,
    budget: { timeoutMs: number; byDeadline: boolean },
  ): Promise<never> {
    const timeout = budget.timeoutMs;
    let stopError: string | undefined;
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    } catch (err) {
      stopError = errorMessage(err);
    }
    const why = budget.byDeadline ? ", all that was left before the invocation's deadline," : "";
    throw new QueryError(
      `athena: ${step} (query ${id}) timed out after ${timeout} ms${why} and was stopped`,
      {
        queryExecutionId: id,
        step,
        state: "TIMED_OUT",
        timeoutMs: timeout,
        byDeadline: budget.byDeadline,
        ...(stopError ? { stopError } : {}),
      },
    );
  }

  private async fetchResults(
    id: string,
    execution: QueryExecution,
  ): Promise<{ columns: QueryColumn[]; rows: Record<string, QueryValue>[] }> {
    let columns: QueryColumn[] | undefined;
    const rows: Record<string, QueryValue>[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page: GetQueryResultsCommandOutput = await this.call("GetQueryResults", id, () =>
        this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            NextToken: token,
            MaxResults: this.options.pageSize ?? 1000,
          }),
        ),
      );
      const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      columns ??= info.map((c) => ({
        name: c.Label ?? c.Name ?? "",
        type: (c.Type ?? "varchar").toUpperCase(),
      }));
      let pageRows = page.ResultSet?.Rows ?? [];
      // A SELECT's first result row repeats the column labels; other statements have none.
      if (first && execution.StatementType === "DML" && pageRows.length > 0) pageRows = pageRows.slice(1);
      first = false;
      for (const row of pageRows) {
        const record: Record<string, QueryValue> = {};
        columns.forEach((col, i) => {
          record[col.name] = convertDatum(row.Data?.[i], info[i]?.Type ?? col.type);
        });
        rows.push(record);
      }
      token = page.NextToken;
    } while (token);
    return { columns: columns ?? [], rows };
  }

  /** Calls the SDK (which retries throttling itself) and names the query in what escapes. */
  private async call<T>(operation: string, id: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof LakelineError) throw err;
      const code = (err as { name?: string }).name;
      const what = id ? `query ${id}` : "query";
      if (code === "InvalidRequestException") {
        throw new QueryError(`athena ${operation} rejected ${what}: ${errorMessage(err)}`, {
          operation,
          queryExecutionId: id,
          code,
        });
      }
      throw new BackendError(
        `athena ${operation} failed for ${what}: ${errorMessage(err)}`,
        { operation, queryExecutionId: id, code },
        { cause: err },
      );
    }
  }
}

/** Names a query in errors: its ordinal on this engine and how its SQL starts. */
function stepOf(sql: string, ordinal: number): string {
  const text = sql.replace(/\s+/g, " ").trim();
  return `statement ${ordinal} (${text.length > 60 ? `${text.slice(0, 60)}…` : text})`;
}

export interface CreateAthenaEngineOptions
  extends Partial<Omit<AthenaQueryEngineOptions, "workgroup" | "database">> {
  /** Lets a CLI pass its `{ engine: "athena", … }` selection straight through. */
  readonly engine?: "athena";
  readonly workgroup: string;
  readonly database: string;
  readonly region?: string;
  /** Use this client instead of building one (tests, shared clients). */
  readonly client?: AthenaClient;
}

/** An engine from CLI-shaped settings (`{ engine: "athena", workgroup, database, region }`). */
export function createAthenaEngine(options: CreateAthenaEngineOptions): AthenaQueryEngine {
  if (!options.workgroup) throw new UsageError("athena needs a workgroup (--workgroup)");
  if (!options.database) throw new UsageError("athena needs a database (--database)");
  const { region, client, engine: _engine, ...engineOptions } = options;
  if (client) return new AthenaQueryEngine(client, engineOptions);
  const built = new AthenaClient({ ...(region ? { region } : {}), maxAttempts: 5, retryMode: "standard" });
  return new AthenaQueryEngine(built, { ...engineOptions, ownsClient: true });
}
