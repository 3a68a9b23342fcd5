import { readFileSync } from "node:fs";
import {
  AthenaClient,
  type ColumnInfo,
  type Datum,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  type QueryExecutionState,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AthenaQueryEngine, createAthenaEngine } from "../../src/adapters/aws/athena-engine.js";
import { QueryError, UsageError } from "../../src/core/errors.js";

const athena = mockClient(AthenaClient);
const QID = "6f1c3f0e-0000-4000-8000-00000000abcd";

interface Penguin {
  Species: string;
  Island: string;
  "Beak Length (mm)": number | null;
  "Beak Depth (mm)": number | null;
  "Flipper Length (mm)": number | null;
  "Body Mass (g)": number | null;
  Sex: string | null;
}
const penguins: Penguin[] = JSON.parse(readFileSync("node_modules/vega-datasets/data/penguins.json", "utf8"));

const PENGUIN_COLUMNS: ColumnInfo[] = [
  { Name: "species", Label: "species", Type: "varchar" },
  { Name: "island", Label: "island", Type: "varchar" },
  { Name: "beak_length_mm", Label: "beak_length_mm", Type: "double" },
  { Name: "beak_depth_mm", Label: "beak_depth_mm", Type: "double" },
  { Name: "flipper_length_mm", Label: "flipper_length_mm", Type: "integer" },
  { Name: "body_mass_g", Label: "body_mass_g", Type: "bigint" },
  { Name: "sex", Label: "sex", Type: "varchar" },
];

/** How Athena renders a value: text, or no VarCharValue at all for NULL. */
const datum = (v: string | number | null): Datum => (v === null ? {} : { VarCharValue: String(v) });
const row = (values: (string | number | null)[]): Row => ({ Data: values.map(datum) });
const header = (cols: ColumnInfo[]): Row => row(cols.map((c) => c.Label!));
const penguinRow = (p: Penguin): Row =>
  row([
    p.Species,
    p.Island,
    p["Beak Length (mm)"],
    p["Beak Depth (mm)"],
    p["Flipper Length (mm)"],
    p["Body Mass (g)"],
    p.Sex,
  ]);

function execution(
  state: QueryExecutionState,
  extra: Partial<NonNullable<GetQueryExecutionCommandOutput["QueryExecution"]>> = {},
): GetQueryExecutionCommandOutput {
  return {
    $metadata: {},
    QueryExecution: {
      QueryExecutionId: QID,
      StatementType: "DML",
      Status: { State: state },
      Statistics: {
        DataScannedInBytes: 9_581,
        EngineExecutionTimeInMillis: 734,
        TotalExecutionTimeInMillis: 901,
      },
      ...extra,
    },
  };
}

/** A fake clock advanced only by the engine's sleeps, so timeouts are exact and instant. */
function fakeTime() {
  const sleeps: number[] = [];
  let now = 0;
  return {
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
  };
}

function engine(time = fakeTime(), extra: Partial<ConstructorParameters<typeof AthenaQueryEngine>[1]> = {}) {
  return new AthenaQueryEngine(new AthenaClient({ region: "eu-west-1" }), {
    workgroup: "lakeline",
    database: "lakeline_warehouse",
    outputLocation: "s3://lakeline-athena-results/queries/",
    pollInitialMs: 100,
    pollMaxMs: 500,
    timeoutMs: 60_000,
    sleep: time.sleep,
    now: time.now,
    ...extra,
  });
}

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
});
afterEach(() => athena.reset());

describe("AthenaQueryEngine", () => {
  it("starts the query in the configured workgroup, database, catalog and output location", async () => {
    // Prepare
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED"));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    const token = "ingest-run-0123456789abcdef0123456789abcdef";
    // Act
    await engine().query("SELECT 1", { clientRequestToken: token });
    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString: "SELECT 1",
        WorkGroup: "lakeline",
        QueryExecutionContext: { Database: "lakeline_warehouse", Catalog: "AwsDataCatalog" },
        ResultConfiguration: { OutputLocation: "s3://lakeline-athena-results/queries/" },
        ClientRequestToken: token,
      },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: QID,
    });
    expect(athena.commandCalls(GetQueryResultsCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: QID,
      MaxResults: 1000,
    });
  });

  it("omits ResultConfiguration and ClientRequestToken when not configured", async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED"));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    await engine(fakeTime(), { outputLocation: undefined, catalog: "lakeline_catalog" }).query("SELECT 1");
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: "SELECT 1",
      WorkGroup: "lakeline",
      QueryExecutionContext: { Database: "lakeline_warehouse", Catalog: "lakeline_catalog" },
    });
  });

  it("polls with exponential backoff capped at pollMaxMs until SUCCEEDED", async () => {
    // Prepare
    const time = fakeTime();
    const states: QueryExecutionState[] = ["QUEUED", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"];
    const poll = athena.on(GetQueryExecutionCommand);
    for (const s of states) poll.resolvesOnce(execution(s));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    // Act
    const result = await engine(time).query("SELECT count(*) FROM penguins");
    // Assess
    expect(time.sleeps).toEqual([100, 200, 400, 500, 500, 500]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(6);
    expect(result.stats).toEqual({
      dataScannedInBytes: 9_581,
      engineExecutionTimeInMillis: 734,
      totalExecutionTimeInMillis: 901,
      queryQueueTimeInMillis: 0,
    });
  });

  it("pages through all 344 penguins across 3 result pages, skipping only the header row", async () => {
    // Prepare: Athena's first page starts with the header row
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED"));
    const rs = (rows: Row[]) => ({ ResultSetMetadata: { ColumnInfo: PENGUIN_COLUMNS }, Rows: rows });
    athena
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        ResultSet: rs([header(PENGUIN_COLUMNS), ...penguins.slice(0, 120).map(penguinRow)]),
        NextToken: "t1",
      })
      .on(GetQueryResultsCommand, { NextToken: "t1" })
      .resolves({ ResultSet: rs(penguins.slice(120, 240).map(penguinRow)), NextToken: "t2" })
      .on(GetQueryResultsCommand, { NextToken: "t2" })
      .resolves({ ResultSet: rs(penguins.slice(240).map(penguinRow)) });
    // Act
    const result = await engine().query("SELECT * FROM penguins");
    // Assess
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      "t1",
      "t2",
    ]);
    expect(result.columns).toEqual(
      PENGUIN_COLUMNS.map((c) => ({ name: c.Name, type: c.Type!.toUpperCase() })),
    );
    expect(result.rows).toHaveLength(344);
    expect(result.rows).toEqual(
      penguins.map((p) => ({
        species: p.Species,
        island: p.Island,
        beak_length_mm: p["Beak Length (mm)"],
        beak_depth_mm: p["Beak Depth (mm)"],
        flipper_length_mm: p["Flipper Length (mm)"],
        body_mass_g: p["Body Mass (g)"],
        sex: p.Sex,
      })),
    );
    expect(result.rows.filter((r) => r.sex === null)).toHaveLength(
      penguins.filter((p) => p.Sex === null).length,
    );
  });

  it("keeps the first row of a statement that has no header row (SHOW TABLES)", async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED", { StatementType: "UTILITY" }));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: "tab_name", Type: "string" }] },
        Rows: [row(["flights"]), row(["penguins"])],
      },
    });
    const result = await engine().query("SHOW TABLES");
    expect(result.rows).toEqual([{ tab_name: "flights" }, { tab_name: "penguins" }]);
  });

  it("converts Athena's text values by column type, NULL included", async () => {
    // Prepare
    const cols: [string, string, string | null][] = [
      ["t", "tinyint", "-7"],
      ["s", "smallint", "300"],
      ["i", "integer", "2147483647"],
      ["b_safe", "bigint", "9007199254740991"],
      ["b_big", "bigint", "9007199254740993"],
      ["d", "double", "3.25"],
      ["f", "float", "-0.5"],
      ["r", "real", "NaN"],
      ["dec", "decimal(10,2)", "12.50"],
      ["yes", "boolean", "true"],
      ["no", "boolean", "false"],
      ["empty", "varchar", ""],
      ["c", "char(3)", "abc"],
      ["day", "date", "2024-02-29"],
      ["ts", "timestamp", "2024-03-01 12:34:56.789"],
      ["ts6", "timestamp(6)", "2024-03-01 12:34:56.789123"],
      ["tstz", "timestamp with time zone", "2024-03-01 12:34:56.789 UTC"],
      ["tsoff", "timestamp(3) with time zone", "2024-03-01 14:34:56.789 +02:00"],
      ["nums", "array", "[1, 2, 3]"],
      ["strs", "array", "[a, b]"],
      ["m", "map", "{a=1, b=2}"],
      ["rw", "row", "{x=1, y=abc}"],
      ["j", "json", '{"k":[1,true]}'],
      ["nothing", "varchar", null],
      ["no_int", "integer", null],
    ];
    const info = cols.map(([name, type]) => ({ Name: name, Label: name, Type: type }));
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED"));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: info },
        Rows: [header(info), row(cols.map(([, , v]) => v))],
      },
    });
    const instant = new Date("2024-03-01T12:34:56.789Z");
    // Act
    const [r] = (await engine().query("SELECT …")).rows;
    // Assess
    expect(r).toEqual({
      t: -7,
      s: 300,
      i: 2147483647,
      b_safe: 9007199254740991,
      b_big: 9007199254740993n,
      d: 3.25,
      f: -0.5,
      r: Number.NaN,
      dec: 12.5,
      yes: true,
      no: false,
      empty: "",
      c: "abc",
      day: new Date("2024-02-29T00:00:00Z"),
      ts: instant,
      ts6: instant,
      tstz: instant,
      tsoff: instant,
      nums: [1, 2, 3],
      strs: "[a, b]",
      m: "{a=1, b=2}",
      rw: "{x=1, y=abc}",
      j: { k: [1, true] },
      nothing: null,
      no_int: null,
    });
  });

  it.each([
    ["FAILED", "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved", 2, 1006],
    ["CANCELLED", "Query was cancelled by user", undefined, undefined],
  ] as const)(
    "ends a %s query in a QueryError naming the reason and the id",
    async (state, reason, category, type) => {
      // Prepare
      athena.on(GetQueryExecutionCommand).resolves(
        execution(state, {
          Status: {
            State: state,
            StateChangeReason: reason,
            ...(category
              ? { AthenaError: { ErrorCategory: category, ErrorType: type, ErrorMessage: reason } }
              : {}),
          },
        }),
      );
      // Act
      const failure = await engine()
        .query("SELECT nope FROM penguins")
        .catch((e: unknown) => e);
      // Assess
      expect(failure).toBeInstanceOf(QueryError);
      expect((failure as QueryError).message).toBe(`athena query ${QID} ${state}: ${reason}`);
      expect((failure as QueryError).data).toMatchObject({
        queryExecutionId: QID,
        state,
        reason,
        errorType: type,
      });
      expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
    },
  );

  it("stops a query that outlives timeoutMs and reports the timeout", async () => {
    // Prepare
    const time = fakeTime();
    athena.on(GetQueryExecutionCommand).resolves(execution("RUNNING"));
    athena.on(StopQueryExecutionCommand).resolves({});
    // Act
    const failure = await engine(time, { timeoutMs: 1_000, pollMaxMs: 400 })
      .query("SELECT * FROM flights")
      .catch((e: unknown) => e);
    // Assess: waits 100+200+400, then only the 300 ms left, then stops
    expect(time.sleeps).toEqual([100, 200, 400, 300]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: QID },
    ]);
    expect(failure).toBeInstanceOf(QueryError);
    expect((failure as QueryError).data).toMatchObject({
      queryExecutionId: QID,
      state: "TIMED_OUT",
      timeoutMs: 1_000,
    });
  });

  it("gives each query only the time left before the deadline and stops the one that reaches it, naming its step", async () => {
    // Prepare: 900 s of Lambda, 20 s kept to fail cleanly; the count query takes 500 s, the
    // first UNLOAD never finishes
    const time = fakeTime();
    const deadline = 880_000;
    let polls = 0;
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      polls++;
      return execution(time.now() >= 500_000 && polls < 1_000 ? "SUCCEEDED" : "RUNNING");
    });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const e = engine(time, { timeoutMs: 600_000, pollMaxMs: 5_000, deadline: () => deadline });
    // Act
    await e.query("SELECT split, count(*) FROM snapshot GROUP BY 1");
    const left = deadline - time.now();
    polls = 1_000;
    const failure = await e
      .query("UNLOAD (SELECT * FROM snapshot WHERE split = 'train') TO 's3://exports/_staging/x/train/'")
      .catch((err: unknown) => err);
    // Assess: the UNLOAD got the ~379 s left, not its 600 s, and was stopped at the deadline
    expect(left).toBeGreaterThan(370_000);
    expect(left).toBeLessThan(380_000);
    expect(time.now()).toBe(deadline);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
    expect(failure).toBeInstanceOf(QueryError);
    expect((failure as QueryError).message).toMatch(
      new RegExp(
        String.raw`^athena: statement 2 \(UNLOAD \(SELECT \* FROM snapshot WHERE split = 'train'\) TO 's3…\) \(query .+\) timed out after ${left} ms, all that was left before the invocation's deadline, and was stopped$`,
      ),
    );
    expect((failure as QueryError).data).toMatchObject({
      state: "TIMED_OUT",
      timeoutMs: left,
      byDeadline: true,
    });
  });

  it("does not start a query when less than minQueryMs is left, and says which step stopped", async () => {
    // Prepare
    const time = fakeTime();
    const e = engine(time, { deadline: () => 8_000, minQueryMs: 10_000 });
    // Act
    const failure = await e
      .query("UNLOAD (SELECT 1) TO 's3://exports/_staging/x/eval/'")
      .catch((err: unknown) => err);
    // Assess: nothing reached Athena
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    expect(failure).toBeInstanceOf(QueryError);
    expect((failure as QueryError).message).toBe(
      "athena: statement 1 (UNLOAD (SELECT 1) TO 's3://exports/_staging/x/eval/') not started: 8000 ms left before the invocation's deadline, less than the 10000 ms a query is given at least",
    );
    expect((failure as QueryError).data).toMatchObject({ state: "NOT_STARTED", remainingMs: 8_000 });
  });

  it("keeps timeoutMs when the deadline is farther away or absent", async () => {
    // Prepare
    const time = fakeTime();
    athena.on(GetQueryExecutionCommand).resolves(execution("RUNNING"));
    athena.on(StopQueryExecutionCommand).resolves({});
    // Act
    const failure = await engine(time, { timeoutMs: 1_000, deadline: () => 1_000_000 })
      .query("SELECT 1")
      .catch((err: unknown) => err);
    // Assess
    expect(time.now()).toBe(1_000);
    expect((failure as QueryError).data).toMatchObject({ timeoutMs: 1_000, byDeadline: false });
  });

  it("turns a rejected StartQueryExecution into a QueryError and a bad token into a UsageError", async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(
        Object.assign(new Error("Database lakeline_x does not exist"), { name: "InvalidRequestException" }),
      );
    await expect(engine().query("SELECT 1")).rejects.toThrow(QueryError);
    await expect(engine().query("SELECT 1", { clientRequestToken: "short" })).rejects.toBeInstanceOf(
      UsageError,
    );
  });

  it("is built from CLI-shaped settings by createAthenaEngine", async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution("SUCCEEDED"));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    const built = createAthenaEngine({
      engine: "athena",
      workgroup: "analysts",
      database: "lake",
      region: "us-west-2",
      pollInitialMs: 1,
    });
    await built.query("SELECT 1");
    await built.close();
    expect(built.name).toBe("athena");
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toMatchObject({
      WorkGroup: "analysts",
      QueryExecutionContext: { Database: "lake", Catalog: "AwsDataCatalog" },
    });
    expect(() => createAthenaEngine({ workgroup: "", database: "lake" })).toThrow(UsageError);
  });
});
