/**
 * The Athena API (JSON 1.1: StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution) in front of Trino, so the shipped export function runs its real queries:
 * SELECTs go to Trino as they are; `UNLOAD (q) TO 's3://…' WITH (format = 'PARQUET', …)` becomes a
 * CREATE TABLE AS with that external location (Trino has no UNLOAD), which writes Parquet files
 * under the prefix as UNLOAD does, and the table entry is dropped (its files stay). Athena's Hive
 * DDL (`CREATE EXTERNAL TABLE … STORED AS PARQUET LOCATION …`, `DROP TABLE` with backticks)
 * becomes Trino's Hive-connector DDL over the same location.
 * Before each query the Glue tables' partitions are synced, as Athena's partition projection
 * would see a new ingest_date at once.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { trinoQuery } from "./trino.js";

interface Execution {
  id: string;
  sql: string;
  state: "RUNNING" | "SUCCEEDED" | "FAILED";
  reason?: string;
  statementType: "DML" | "DDL";
  columns: { name: string; type: string }[];
  rows: unknown[][];
  millis: number;
}

export interface AthenaOnTrino {
  readonly endpoint: string;
  /** Every statement received, in order, as the function sent it. */
  readonly statements: string[];
  stop(): Promise<void>;
}

const UNLOAD = /^UNLOAD \(([\s\S]*)\) TO '([^']+)' WITH \(([^)]*)\)$/;

export function translateUnload(sql: string, table: string): string | undefined {
  const m = UNLOAD.exec(sql.trim());
  if (!m) return undefined;
  const [, select, location, props] = m;
  if (!/format\s*=\s*'PARQUET'/i.test(props!)) throw new Error(`UNLOAD format not PARQUET: ${props}`);
  return `CREATE TABLE "${table}" WITH (format = 'PARQUET', external_location = '${location}') AS ${select}`;
}

const CREATE_EXTERNAL =
  /^CREATE EXTERNAL TABLE `([^`]+)` \(([\s\S]*)\) STORED AS PARQUET LOCATION '([^']+)'$/;
const HIVE_TO_TRINO: Record<string, string> = { string: "varchar", int: "integer" };

/** Athena's Hive DDL as Trino's Hive connector takes it; undefined for any other statement. */
export function translateHiveDdl(sql: string): string | undefined {
  const text = sql.trim();
  const create = CREATE_EXTERNAL.exec(text);
  if (create) {
    const [, table, columns, location] = create;
    const cols = columns!.split(",").map((c) => {
      const m = /^\s*`([^`]+)`\s+(\w+)\s*$/.exec(c);
      if (!m) throw new Error(`unsupported column definition in CREATE EXTERNAL TABLE: ${c}`);
      return `"${m[1]}" ${HIVE_TO_TRINO[m[2]!.toLowerCase()] ?? m[2]}`;
    });
    return `CREATE TABLE "${table}" (${cols.join(", ")}) WITH (format = 'PARQUET', external_location = '${location}')`;
  }
  const drop = /^DROP TABLE (IF EXISTS )?`([^`]+)`$/.exec(text);
  if (drop) return `DROP TABLE ${drop[1] ?? ""}"${drop[2]}"`;
  return undefined;
}

export async function startAthenaOnTrino(
  trino: string,
  partitionedTables: readonly string[],
): Promise<AthenaOnTrino> {
  const executions = new Map<string, Execution>();
  const statements: string[] = [];

  async function run(e: Execution) {
    const started = Date.now();
    try {
      for (const t of partitionedTables)
        await trinoQuery(trino, `CALL system.sync_partition_metadata('lakeline', '${t}', 'FULL')`);
      const temp = `_unload_${e.id.replace(/-/g, "")}`;
      const ctas = translateUnload(e.sql, temp);
      const ddl = translateHiveDdl(e.sql);
      if (ctas) {
        await trinoQuery(trino, ctas);
        await trinoQuery(trino, `DROP TABLE "${temp}"`);
      } else if (ddl) {
        await trinoQuery(trino, ddl);
      } else {
        const r = await trinoQuery(trino, e.sql);
        e.columns = r.columns;
        e.rows = r.rows;
      }
      e.state = "SUCCEEDED";
    } catch (err) {
      e.state = "FAILED";
      e.reason = (err as Error).message;
    }
    e.millis = Date.now() - started;
  }

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartQueryExecution(body) {
      const sql = String(body.QueryString);
      statements.push(sql);
      const e: Execution = {
        id: randomUUID(),
        sql,
        state: "RUNNING",
        statementType: /^\s*(SELECT|WITH|UNLOAD)\b/i.test(sql) ? "DML" : "DDL",
        columns: [],
        rows: [],
        millis: 0,
      };
      executions.set(e.id, e);
      void run(e);
      return { QueryExecutionId: e.id };
    },
    GetQueryExecution(body) {
      const e = executions.get(String(body.QueryExecutionId));
      if (!e) throw Object.assign(new Error("unknown query"), { code: "InvalidRequestException" });
      return {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.sql,
          StatementType: e.statementType,
          Status: { State: e.state, ...(e.reason ? { StateChangeReason: e.reason } : {}) },
          Statistics: { EngineExecutionTimeInMillis: e.millis, TotalExecutionTimeInMillis: e.millis },
        },
      };
    },
    GetQueryResults(body) {
      const e = executions.get(String(body.QueryExecutionId));
      if (e?.state !== "SUCCEEDED")
        throw Object.assign(new Error("query not succeeded"), { code: "InvalidRequestException" });
      const max = Number(body.MaxResults ?? 1000);
      const offset = body.NextToken ? Number(body.NextToken) : 0;
      // A SELECT's first row repeats the column labels, as Athena's does.
      const all = e.columns.length > 0 ? [e.columns.map((c) => c.name), ...e.rows] : e.rows;
      const page = all.slice(offset, offset + max);
      return {
        ResultSet: {
          Rows: page.map((r) => ({ Data: r.map(datum) })),
          ResultSetMetadata: {
            ColumnInfo: e.columns.map((c) => ({ Name: c.name, Label: c.name, Type: athenaType(c.type) })),
          },
        },
        ...(offset + max < all.length ? { NextToken: String(offset + max) } : {}),
      };
    },
    StopQueryExecution() {
      return {};
    },
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const action = String(req.headers["x-amz-target"] ?? "").replace("AmazonAthena.", "");
      const handler = handlers[action];
      try {
        if (!handler)
          throw Object.assign(new Error(`unsupported ${action}`), { code: "InvalidRequestException" });
        const out = handler(JSON.parse(body || "{}") as Record<string, unknown>);
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(out));
      } catch (err) {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1" }).end(
          JSON.stringify({
            __type: (err as { code?: string }).code ?? "InternalServerException",
            message: (err as Error).message,
          }),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    statements,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

function datum(v: unknown): { VarCharValue?: string } {
  if (v === null || v === undefined) return {};
  return { VarCharValue: typeof v === "object" ? JSON.stringify(v) : String(v) };
}

/** Athena reports base type names (`timestamp`, `varchar`), without Trino's precision. */
function athenaType(trino: string): string {
  return trino.replace(/\(.*\)/, "").replace(" with time zone", "");
}
