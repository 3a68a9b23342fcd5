/**
 * The warehouse contract: Parquet types Athena reads, the same table shape locally and in Glue,
 * schema evolution (old files read under the new version), and point-in-time reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import parquet from "parquetjs";
import { describe, expect, it } from "vitest";
import { Database } from "../../src/adapters/duckdb/database.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { type ColumnType, duckdbType, glueType, warehouseTable } from "../../src/core/warehouse/table.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const ALL_TYPES = {
  dataset: "alltypes",
  version: 1,
  features: [
    { name: "An Int", type: "INT", presence: { minFraction: 1 } },
    { name: "a_float", type: "FLOAT" },
    { name: "a_string", type: "STRING", domain: { values: ["x", "y"] } },
    { name: "a_bool", type: "BOOL" },
    { name: "a_time", type: "TIMESTAMP" },
    { name: "some_bytes", type: "BYTES" },
    { name: "int_list", type: "INT", valueCount: { min: 1, max: 3 } },
  ],
};

/** What an independent reader (parquetjs, footer only) must see for each Glue type. */
const PHYSICAL: Record<string, { type: string; originalType?: string }> = {
  bigint: { type: "INT64", originalType: "INT_64" },
  int: { type: "INT32", originalType: "INT_32" },
  double: { type: "DOUBLE" },
  string: { type: "BYTE_ARRAY", originalType: "UTF8" },
  boolean: { type: "BOOLEAN" },
  timestamp: { type: "INT64", originalType: "TIMESTAMP_MICROS" },
  binary: { type: "BYTE_ARRAY" },
};

function writeSchema(dir: string, schema: object & { dataset: string; version: number }): void {
  fs.mkdirSync(path.join(dir, schema.dataset), { recursive: true });
  fs.writeFileSync(
    path.join(dir, schema.dataset, `v${schema.version}.json`),
    JSON.stringify(schema, null, 2),
  );
}

async function queryJson(lake: string, schemas: string, sql: string, ...extra: string[]) {
  const r = await runCli("query", sql, "--lake", lake, "--schemas", schemas, "--format", "json", ...extra);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

describe("Parquet written for every schema type", () => {
  it("has the physical and logical types the Glue column types promise, read back by parquetjs", async () => {
    const dir = await tempDir("warehouse");
    const schemas = path.join(dir, "schemas");
    writeSchema(schemas, ALL_TYPES);
    const file = path.join(dir, "rows.jsonl");
    fs.writeFileSync(
      file,
      [
        {
          "An Int": 1,
          a_float: 1.5,
          a_string: "x",
          a_bool: true,
          a_time: "2024-01-02T03:04:05Z",
          some_bytes: "aGVsbG8=",
          int_list: [1, 2],
        },
        {
          "An Int": 2,
          a_float: null,
          a_string: "y",
          a_bool: false,
          a_time: "2024-01-03 00:00:00",
          some_bytes: null,
          int_list: [3],
        },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const ingest = await runCli(
      "ingest",
      file,
      "--dataset",
      "alltypes",
      "--lake",
      path.join(dir, "lake"),
      "--schemas",
      schemas,
      "--json",
    );
    const result = JSON.parse(ingest.stdout);
    expect(result).toMatchObject({ status: "ok", rowsWritten: 2, rowsQuarantined: 0 });

    const parquetFile = path.join(dir, "lake", "warehouse", result.outputs.warehouse);
    const reader = await parquet.ParquetReader.openFile(parquetFile);
    const fields = reader.getSchema().fields as Record<
      string,
      { primitiveType?: string; originalType?: string; fields?: Record<string, unknown> }
    >;
    await reader.close();
    const table = warehouseTable([new SchemaRegistry(schemas).load("alltypes").schema]);
    for (const column of table.columns) {
      const field = fields[column.name];
      expect(field, column.name).toBeDefined();
      if (column.type.kind === "list") {
        // parquetjs 0.11 does not surface LIST annotations on groups: read that footer entry with DuckDB.
        expect(glueType(column.type)).toBe("array<bigint>");
        const db = await Database.open();
        const nodes = await db.all(
          `SELECT name, type, converted_type FROM parquet_schema('${parquetFile}') WHERE name IN ('${column.name}', 'element')`,
        );
        db.close();
        expect(nodes.map((n) => [n.name, n.type, n.converted_type])).toEqual([
          [column.name, null, "LIST"],
          ["element", "INT64", "INT_64"],
        ]);
        continue;
      }
      const expected = PHYSICAL[glueType(column.type)]!;
      expect({
        column: column.name,
        type: field!.primitiveType,
        originalType: field!.originalType ?? undefined,
      }).toEqual({
        column: column.name,
        type: expected.type,
        originalType: expected.originalType,
      });
    }
    const rows = await queryJson(
      path.join(dir, "lake"),
      schemas,
      "SELECT an_int, a_float, a_string, a_bool, a_time, int_list FROM alltypes ORDER BY an_int",
    );
    expect(rows).toEqual([
      {
        an_int: 1,
        a_float: 1.5,
        a_string: "x",
        a_bool: true,
        a_time: "2024-01-02T03:04:05.000Z",
        int_list: [1, 2],
      },
      {
        an_int: 2,
        a_float: null,
        a_string: "y",
        a_bool: false,
        a_time: "2024-01-03T00:00:00.000Z",
        int_list: [3],
      },
    ]);
  });
});

describe("local views match the Glue table definition", () => {
  const DUCK_FOR_GLUE: Record<string, string> = {
    bigint: "BIGINT",
    int: "INTEGER",
    double: "DOUBLE",
    string: "VARCHAR",
    boolean: "BOOLEAN",
    timestamp: "TIMESTAMP",
    binary: "BLOB",
    date: "DATE",
  };
  const glueToDuck = (t: ColumnType): string =>
    t.kind === "list" ? `${glueToDuck(t.element)}[]` : DUCK_FOR_GLUE[glueType(t)]!;

  it("has, for every dataset in schemas/, the Glue columns in order with corresponding types, plus the partition column", async () => {
    const dir = await tempDir("warehouse");
    const lake = path.join(dir, "lake");
    await runCli("ingest", path.join(VEGA, "penguins.json"), "--dataset", "penguins", "--lake", lake);
    const registry = new SchemaRegistry("schemas");
    for (const dataset of registry.datasets()) {
      const table = warehouseTable(registry.loadAll(dataset).map((l) => l.schema));
      const described = await queryJson(lake, "schemas", `DESCRIBE ${dataset}`);
      const expected = [...table.columns, ...table.partitionKeys].map((c) => ({
        column_name: c.name,
        column_type: glueToDuck(c.type),
      }));
      expect(described.map((d) => ({ column_name: d.column_name, column_type: d.column_type }))).toEqual(
        expected,
      );
      for (const c of [...table.columns, ...table.partitionKeys])
        expect(duckdbType(c.type)).toBe(glueToDuck(c.type));
    }
  });
});

describe("schema evolution and point-in-time reads", () => {
  it("reads v1 files under v2 (added column null, or its default), and --as-of returns the lake as it was", async () => {
    const dir = await tempDir("warehouse");
    const schemas = path.join(dir, "schemas");
    const lake = path.join(dir, "lake");
    const v1 = JSON.parse(fs.readFileSync("schemas/penguins/v1.json", "utf8"));
    writeSchema(schemas, v1);
    const first = await runCli(
      "ingest",
      path.join(VEGA, "penguins.json"),
      "--dataset",
      "penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
    );
    // One Sex of "." is outside v1's domain: an ERROR anomaly (exit 1), the other 343 rows written.
    expect(first.code).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 30));

    const v2 = {
      ...v1,
      version: 2,
      features: [
        ...v1.features,
        { name: "Colony", type: "STRING" },
        { name: "Tagged", type: "BOOL", default: false },
      ],
    };
    writeSchema(schemas, v2);
    const check = await runCli("schema", "check", "penguins", "--schemas", schemas);
    expect(check.code).toBe(0);
    const newer = path.join(dir, "penguins-2.jsonl");
    const penguins = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    fs.writeFileSync(
      newer,
      penguins
        .slice(0, 10)
        .map((p) => JSON.stringify({ ...p, Colony: "North", Tagged: true }))
        .join("\n"),
    );
    const second = await runCli(
      "ingest",
      newer,
      "--dataset",
      "penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
      "--json",
    );
    expect(JSON.parse(second.stdout)).toMatchObject({ status: "ok", schemaVersion: 2, rowsWritten: 10 });

    const byVersion = await queryJson(
      lake,
      schemas,
      "SELECT _schema_version AS v, count(*) AS n, count(colony) AS colony, bool_and(tagged) AS all_tagged, bool_or(tagged) AS any_tagged FROM penguins GROUP BY 1 ORDER BY 1",
    );
    expect(byVersion).toEqual([
      { v: 1, n: 343, colony: 0, all_tagged: false, any_tagged: false },
      { v: 2, n: 10, colony: 10, all_tagged: true, any_tagged: true },
    ]);
    const asOf = await queryJson(
      lake,
      schemas,
      "SELECT count(*) AS n, max(_schema_version) AS v FROM penguins",
      "--as-of",
      between,
    );
    expect(asOf).toEqual([{ n: 343, v: 1 }]);
    // The run list is the same point in time as the tables it explains.
    const runsThen = await queryJson(
      lake,
      schemas,
      "SELECT count(*) AS n, max(schemaVersion) AS v FROM lakeline_runs",
      "--as-of",
      between,
    );
    expect(runsThen).toEqual([{ n: 1, v: 1 }]);
    expect(await queryJson(lake, schemas, "SELECT count(*) AS n FROM lakeline_runs")).toEqual([{ n: 2 }]);
    const now = await queryJson(lake, schemas, "SELECT count(*) AS n FROM penguins");
    expect(now).toEqual([{ n: 353 }]);
  });
});

describe("a malformed schema file", () => {
  it("costs only its own table: other datasets still answer, with a warning naming the file", async () => {
    const dir = await tempDir("warehouse");
    const schemas = path.join(dir, "schemas");
    writeSchema(schemas, JSON.parse(fs.readFileSync("schemas/penguins/v1.json", "utf8")));
    fs.mkdirSync(path.join(schemas, "broken"), { recursive: true });
    fs.writeFileSync(
      path.join(schemas, "broken", "v1.json"),
      '{"dataset": "broken", "version": 1, "features": [',
    );
    const lake = path.join(dir, "lake");
    await runCli(
      "ingest",
      path.join(VEGA, "penguins.json"),
      "--dataset",
      "penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
    );
    const r = await runCli(
      "query",
      "SELECT count(*) AS n FROM penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
      "--format",
      "json",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 343 }]);
    expect(r.stderr).toMatch(
      /^lakeline: warning: no table for broken: malformed schema file .*broken\/v1\.json: not valid JSON/,
    );
  });
});

describe("the relations of `lakeline query`", () => {
  it("are there for any statement that names them, and all of them for one that lists the catalog", async () => {
    // Prepare: one ingest of penguins (its runs, its lineage)
    const dir = await tempDir("warehouse");
    const schemas = path.join(dir, "schemas");
    const lake = path.join(dir, "lake");
    writeSchema(schemas, JSON.parse(fs.readFileSync("schemas/penguins/v1.json", "utf8")));
    await runCli(
      "ingest",
      path.join(VEGA, "penguins.json"),
      "--dataset",
      "penguins",
      "--lake",
      lake,
      "--schemas",
      schemas,
    );

    // Act: statements naming a lineage view, a history view in another case, the runs table; the catalog
    const lineage = await queryJson(
      lake,
      schemas,
      "SELECT count(*) AS n FROM lineage_events WHERE job_name = 'ingest.penguins' AND event_type = 'COMPLETE'",
    );
    const history = await queryJson(lake, schemas, 'SELECT count(*) AS n FROM "Penguins_History"');
    const runs = await queryJson(lake, schemas, "SELECT dataset, rowsWritten AS n FROM lakeline_runs");
    const tables = await queryJson(lake, schemas, "SHOW TABLES");

    // Assess
    expect(lineage).toEqual([{ n: 1 }]);
    expect(history).toEqual([{ n: 343 }]);
    expect(runs).toEqual([{ dataset: "penguins", n: 343 }]);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "penguins",
        "penguins_history",
        "penguins_quarantine",
        "penguins_quarantine_history",
        "lakeline_runs",
        "lineage_events",
        "mlmd_artifacts",
        "mlmd_execution_states",
        "mlmd_executions",
        "mlmd_events",
      ]),
    );
  });
});
