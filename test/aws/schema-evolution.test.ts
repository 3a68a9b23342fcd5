/**
 * INT → FLOAT on Athena, with real old and new files: vega-datasets' cars, v1 drafted with whole
 * numbers as INT (INT64 Parquet), then v2 with the numbers FLOAT. In place, `schema check` refuses
 * it; the documented path (a new column, then `lakeline reprocess --all`) is run through the CLI,
 * the files are put on moto and read on Trino through the Glue tables and views the CDK app
 * synthesizes for these schemas.
 *
 * Trino reads INT64 Parquet through a `double` column, Athena does not ("HIVE_BAD_DATA … type INT64
 * in parquet is incompatible with type double defined in table schema"; Athena reads a Parquet
 * column only as its own type, INT as BIGINT or FLOAT as DOUBLE). So besides Trino's answers each
 * file's physical types are checked against the table's declared types, which is Athena's rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as s3 from "aws-cdk-lib/aws-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WarehouseCatalog } from "../../infra/constructs/warehouse-catalog.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { runCli, VEGA } from "../support/cli.js";
import { harness } from "./support/context.js";
import { deployOnMoto, type MotoDeployment } from "./support/deployment.js";
import {
  createTrinoJsonTablesAndViews,
  createTrinoTables,
  type GlueTable,
  glueParquetTables,
  glueRunsTables,
  glueViews,
} from "./support/glue-tables.js";
import { type Server, startTrino } from "./support/servers.js";
import type { CfnTemplate } from "./support/shipped.js";
import { trinoQuery } from "./support/trino.js";

interface Car {
  readonly Year: string;
}
const CARS: Car[] = JSON.parse(fs.readFileSync(path.join(VEGA, "cars.json"), "utf8"));
const EARLY = CARS.filter((c) => c.Year < "1976");
const LATE = CARS.filter((c) => c.Year >= "1976");

let d: MotoDeployment;
let trino: Server;
let work: string;
let schemas: string;
let lake: string;
let table: GlueTable;
let inPlaceCheck: Awaited<ReturnType<typeof runCli>>;

const cli = async (...args: string[]) => {
  const lakeArgs = args[0] === "schema" ? [] : ["--lake", lake];
  const r = await runCli(...args, ...lakeArgs, "--schemas", schemas);
  if (r.code > 1) throw new Error(`lakeline ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r;
};

function writeLines(name: string, rows: readonly unknown[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return file;
}

/** v2 from v1: numbers FLOAT without ranges; INT features into `<column>_float`, or in place. */
function writeV2(dir: string, inPlace: boolean): void {
  const v1 = JSON.parse(fs.readFileSync(path.join(dir, "cars", "v1.json"), "utf8"));
  const features = v1.features.map((f: { type: string; column: string; domain?: unknown }) => {
    if (f.type !== "INT" && f.type !== "FLOAT") return f;
    const { domain: _range, ...rest } = f;
    const moved = f.type === "INT" && !inPlace ? { column: `${f.column}_float` } : {};
    return { ...rest, type: "FLOAT", ...moved };
  });
  fs.writeFileSync(
    path.join(dir, "cars", "v2.json"),
    JSON.stringify({ ...v1, version: 2, features }, null, 2),
  );
}

/** The data stack's Glue catalog for `schemasDir`, synthesized by the same construct the app uses. */
function synthesizedCatalog(schemasDir: string): CfnTemplate {
  const stack = new Stack(new App(), "Catalog");
  const bucket = (id: string) => new s3.Bucket(stack, id);
  new WarehouseCatalog(stack, "Catalog", {
    databaseName: "lakeline",
    schemasDir,
    warehouse: bucket("WarehouseBucket"),
    quarantine: bucket("QuarantineBucket"),
    lineage: bucket("LineageBucket"),
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

beforeAll(async () => {
  // Prepare: v1 drafted from the 1970–75 cars with whole numbers as INT, their rows ingested
  const h = harness();
  work = fs.mkdtempSync(path.join(h.workDir, "evolution-"));
  schemas = path.join(work, "schemas");
  lake = path.join(work, "lake");
  const early = writeLines("cars-early.json", EARLY);
  const late = writeLines("cars-late.json", LATE);
  await cli("schema", "infer", early, "--dataset", "cars", "--json-integers");
  await cli("schema", "release", "cars");
  await cli("ingest", early, "--dataset", "cars");
  // v2 in place, as the check sees it; then v2 as documented: new columns, and re-processing
  const inPlace = path.join(work, "schemas-in-place");
  fs.cpSync(schemas, inPlace, { recursive: true });
  writeV2(inPlace, true);
  inPlaceCheck = await runCli("schema", "check", "cars", "--schemas", inPlace);
  writeV2(schemas, false);
  await cli("ingest", late, "--dataset", "cars");
  await cli("reprocess", "cars", "--all");
  // The lake's warehouse zone on moto, and the catalog's tables and views in Trino over it
  d = await deployOnMoto(h.moto);
  for (const file of fs.readdirSync(path.join(lake, "warehouse"), { recursive: true, encoding: "utf8" })) {
    const full = path.join(lake, "warehouse", file);
    if (!fs.statSync(full).isFile()) continue;
    const key = file.split(path.sep).join("/");
    await d.s3.send(
      new PutObjectCommand({ Bucket: d.buckets.Warehouse, Key: key, Body: fs.readFileSync(full) }),
    );
  }
  await d.s3.send(new CreateBucketCommand({ Bucket: `${d.buckets.Warehouse}-metastore` }));
  trino = await startTrino({
    home: h.tools.TRINO_HOME,
    javaHome: h.tools.TRINO_JAVA_HOME,
    workDir: path.join(work, "trino"),
    s3Endpoint: h.moto,
    metastoreBucket: `${d.buckets.Warehouse}-metastore`,
  });
  const catalog = synthesizedCatalog(schemas);
  const zone = (ref: string) => {
    if (ref.startsWith("WarehouseBucket")) return d.buckets.Warehouse;
    if (ref.startsWith("QuarantineBucket")) return d.buckets.Quarantine;
    throw new Error(`table over unknown bucket ${ref}`);
  };
  const tables = glueParquetTables(catalog);
  table = tables.find((t) => t.name === "cars")!;
  await createTrinoTables(trino.endpoint, tables, zone);
  await createTrinoJsonTablesAndViews(trino.endpoint, glueRunsTables(catalog), glueViews(catalog), zone);
  await trinoQuery(trino.endpoint, "CALL system.sync_partition_metadata('lakeline', 'cars', 'FULL')");
}, 900_000);

/** Columns of the lake's cars files whose physical type is not the one `glue` declares. */
async function athenaTypeMismatches(glue: GlueTable): Promise<{ mismatches: string[]; seen: Set<string> }> {
  const db = await Database.open();
  const declared = new Map(glue.columns.map((c) => [c.name, c.type]));
  const physical: Record<string, string> = { INT64: "bigint", DOUBLE: "double", INT32: "int" };
  const mismatches: string[] = [];
  const seen = new Set<string>();
  try {
    const dir = path.join(lake, "warehouse", "cars");
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".parquet"));
    for (const f of files) {
      const rows = await db.all(
        `SELECT name, type, coalesce(CAST(converted_type AS VARCHAR), CAST(logical_type AS VARCHAR), '') AS logical FROM parquet_schema('${path.join(dir, f)}') WHERE type IN ('INT64', 'DOUBLE', 'INT32')`,
      );
      for (const r of rows) {
        const column = String(r.name);
        const want = declared.get(column);
        if (want === undefined || column.startsWith("_")) continue;
        const type = /timestamp/i.test(String(r.logical)) ? "timestamp" : physical[String(r.type)];
        seen.add(`${column} ${String(r.type)}`);
        if (type !== want) mismatches.push(`${f}: ${column} is ${r.type} ${r.logical}, table says ${want}`);
      }
    }
  } finally {
    db.close();
  }
  return { mismatches, seen };
}

afterAll(async () => {
  await trino?.stop();
  d?.close();
});

describe("INT → FLOAT on Athena", () => {
  it("in place is refused by schema check, with the way through named", () => {
    // Assess
    expect(inPlaceCheck.code).toBe(1);
    expect(inPlaceCheck.stdout).toContain(
      'cars v1→v2: feature "Miles_per_Gallon" changed type INT → FLOAT in column miles_per_gallon: Athena cannot read the INT64 Parquet files written under v1 through a DOUBLE column.',
    );
    expect(inPlaceCheck.stdout).toContain("then run `lakeline reprocess cars --all`");
  });

  it("into new columns: every file holds each table column in the table's own type (Athena's rule); in place would not", async () => {
    // Prepare
    const inPlaceTable = glueParquetTables(synthesizedCatalog(path.join(work, "schemas-in-place"))).find(
      (t) => t.name === "cars",
    )!;
    // Act
    const documented = await athenaTypeMismatches(table);
    const inPlace = await athenaTypeMismatches(inPlaceTable);
    // Assess: v1's INT64 columns and v2's DOUBLE ones are different columns
    expect(documented.mismatches).toEqual([]);
    expect(documented.seen).toContain("miles_per_gallon INT64");
    expect(documented.seen).toContain("miles_per_gallon_float DOUBLE");
    expect(inPlace.mismatches.some((m) => /miles_per_gallon is INT64 .*, table says double/.test(m))).toBe(
      true,
    );
  });

  it("the current state on Trino holds every car once, the FLOAT columns filled, as the local lake does", async () => {
    // Act
    const sql = (relation: string) =>
      `SELECT count(*) AS n, count(miles_per_gallon_float) AS mpg, count(DISTINCT _run_id) AS runs, max(_schema_version) AS v FROM ${relation}`;
    const onTrino = await trinoQuery(trino.endpoint, sql("cars_committed"));
    const history = await trinoQuery(
      trino.endpoint,
      "SELECT count(*) FROM cars_history WHERE miles_per_gallon IS NOT NULL",
    );
    const local = await cli("query", sql("cars"), "--format", "json");
    // Assess: both halves from v2 runs; the v1 run's INT values stay in history
    const [n, mpg, runs, v] = onTrino.rows[0]!.map(Number);
    expect(n).toBe(CARS.length);
    expect(mpg).toBe(
      CARS.filter((c) => (c as { Miles_per_Gallon?: number | null }).Miles_per_Gallon != null).length,
    );
    expect(runs).toBe(2);
    expect(v).toBe(2);
    expect(Number(history.rows[0]![0])).toBeGreaterThan(0);
    expect(JSON.parse(local.stdout)).toEqual([{ n, mpg, runs, v }]);
  });
});
