/**
 * The schema and data lifecycle on real files, through the CLI across runs: infer a draft from a
 * first batch, release it, ingest the next batch; update the schema from data and release again;
 * exports that warn about their split; inputs refused with a usage error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/contract/records.js";
import { ITEMS_SCHEMA } from "../reliability/corpus.js";
import { runCli, VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let dir: string;
let schemas: string;
let lake: string;

/** The first and second half of a real file, in file order (the second batch a team receives). */
function halves(file: string): [string, string] {
  const base = path.basename(file);
  const [a, b] = [path.join(dir, `first-${base}`), path.join(dir, `second-${base}`)];
  const text = fs.readFileSync(file, "utf8");
  if (base.endsWith(".json")) {
    const rows = JSON.parse(text) as unknown[];
    const h = Math.floor(rows.length / 2);
    fs.writeFileSync(a, JSON.stringify(rows.slice(0, h)));
    fs.writeFileSync(b, JSON.stringify(rows.slice(h)));
  } else {
    const [header, ...rows] = text.trimEnd().split("\n");
    const h = Math.floor(rows.length / 2);
    fs.writeFileSync(a, `${[header, ...rows.slice(0, h)].join("\n")}\n`);
    fs.writeFileSync(b, `${[header, ...rows.slice(h)].join("\n")}\n`);
  }
  return [a, b];
}

async function ingest(file: string, dataset: string): Promise<{ code: number; result: IngestResult }> {
  const r = await runCli(
    "ingest",
    file,
    "--dataset",
    dataset,
    "--schemas",
    schemas,
    "--lake",
    lake,
    "--json",
  );
  expect(r.stderr).toBe("");
  return { code: r.code, result: JSON.parse(r.stdout) as IngestResult };
}

beforeAll(async () => {
  dir = await tempDir("lifecycle");
  schemas = path.join(dir, "schemas");
  lake = path.join(dir, "lake");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a draft inferred from the first half of a real file ingests the second half", () => {
  const SOURCES: [string, string][] = [
    ["cars.json", "cars"],
    ["gapminder.json", "gapminder"],
    ["zipcodes.csv", "zipcodes"],
    ["seattle-weather.csv", "seattle_weather"],
    ["movies.json", "movies"],
  ];
  it.each(SOURCES)(
    "%s: infer → release → ingest the next batch with ≤ 1 %% of rows quarantined",
    async (file, dataset) => {
      // Prepare
      const [first, second] = halves(path.join(VEGA, file));
      // Act
      const inferred = await runCli("schema", "infer", first, "--dataset", dataset, "--schemas", schemas);
      const notLive = await ingest(second, dataset);
      const released = await runCli("schema", "release", dataset, "--schemas", schemas);
      const { code, result } = await ingest(second, dataset);
      // Assess: the draft was not live; once released the next batch lands
      expect(inferred.code).toBe(0);
      expect(notLive.result.status).toBe("rejected");
      expect(notLive.result.reason).toMatch(`schema not found: ${dataset}`);
      expect(notLive.code).toBe(2);
      expect(released.code).toBe(0);
      expect(result.status).toBe("ok");
      expect(result.rowsRead).toBe(result.rowsWritten + result.rowsQuarantined);
      expect(result.rowsQuarantined / result.rowsRead).toBeLessThanOrEqual(0.01);
      const errors = result.anomalies.filter((a) => a.severity === "ERROR");
      expect(code).toBe(errors.length > 0 ? 1 : 0);
    },
  );
});

describe("the schema evolves from data, like tfdv.update_schema, across several runs", () => {
  it("stocks: the second half's new symbols are quarantined under v1, proposed by the v2 draft, and land once released", async () => {
    // Prepare: v1 from the first half (MSFT, AMZN, IBM …), released
    const [first, second] = halves(path.join(VEGA, "stocks.csv"));
    expect((await runCli("schema", "infer", first, "--dataset", "stocks", "--schemas", schemas)).code).toBe(
      0,
    );
    expect((await runCli("schema", "release", "stocks", "--schemas", schemas)).code).toBe(0);
    // Act 1: the next batch under v1
    const under1 = await ingest(second, "stocks");
    // Assess: its symbols outside v1's categorical domain are quarantined; ERROR → exit status 1
    expect(under1.result.schemaVersion).toBe(1);
    expect(under1.result.rowsQuarantined).toBeGreaterThan(0);
    expect(under1.result.anomalies).toContainEqual(
      expect.objectContaining({
        type: "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
        feature: "symbol",
        severity: "ERROR",
      }),
    );
    expect(under1.code).toBe(1);
    // Act 2: a draft from the second half starts from v1 and only relaxes it
    const draft = await runCli(
      "schema",
      "infer",
      second,
      "--dataset",
      "stocks",
      "--schemas",
      schemas,
      "--json",
    );
    const proposed = JSON.parse(draft.stdout);
    const v1 = JSON.parse(fs.readFileSync(path.join(schemas, "stocks", "v1.json"), "utf8"));
    const symbols = (s: { features: { name: string; domain?: { values?: string[] } }[] }) =>
      s.features.find((f) => f.name === "symbol")!.domain!.values!;
    expect(proposed).toMatchObject({ version: 2, status: "draft", basedOn: 1, compatibility: [] });
    expect(symbols(proposed.schema)).toEqual(expect.arrayContaining(symbols(v1)));
    expect(symbols(proposed.schema).length).toBeGreaterThan(symbols(v1).length);
    expect(proposed.schema.csv).toEqual(v1.csv);
    // Act 3: release v2, ingest the rows that were quarantined (a new file of them)
    expect((await runCli("schema", "release", "stocks", "v2", "--schemas", schemas)).code).toBe(0);
    const lines = fs.readFileSync(second, "utf8").trimEnd().split("\n");
    const retry = path.join(dir, "stocks-retry.csv");
    fs.writeFileSync(
      retry,
      `${lines.filter((l, i) => i === 0 || !symbols(v1).includes(l.split(",")[0]!)).join("\n")}\n`,
    );
    const under2 = await ingest(retry, "stocks");
    // Assess
    expect(under2.result).toMatchObject({ status: "ok", schemaVersion: 2, rowsQuarantined: 0 });
    expect(under2.result.rowsWritten).toBe(under1.result.rowsQuarantined);
    expect((await runCli("schema", "check", "stocks", "--schemas", schemas)).code).toBe(0);
  });

  it("ingest refuses a released version that fails `schema check`", async () => {
    // Prepare: a hand-written v3 that makes a new feature required without a default
    const v2 = JSON.parse(fs.readFileSync(path.join(schemas, "stocks", "v2.json"), "utf8"));
    const v3 = {
      ...v2,
      version: 3,
      features: [...v2.features, { name: "exchange", type: "STRING", presence: { minFraction: 1 } }],
    };
    fs.writeFileSync(path.join(schemas, "stocks", "v3.json"), JSON.stringify(v3));
    const file = path.join(dir, "stocks-v3.csv");
    fs.writeFileSync(file, "symbol,date,price\nMSFT,Jan 1 2011,27.5\n");
    // Act
    const { code, result } = await ingest(file, "stocks");
    // Assess
    expect(code).toBe(2);
    expect(result.status).toBe("rejected");
    expect(result.reason).toMatch(
      /stocks@v3 fails `lakeline schema check` and is not used: .*added feature "exchange" is required/,
    );
    fs.rmSync(path.join(schemas, "stocks", "v3.json"));
  });
});

describe("exports and queries take inputs a person understands", () => {
  beforeAll(async () => {
    fs.mkdirSync(path.join(schemas, "penguins"), { recursive: true });
    fs.copyFileSync("schemas/penguins/v1.json", path.join(schemas, "penguins", "v1.json"));
    await ingest(path.join(VEGA, "penguins.json"), "penguins");
  });

  it("warns when the split key contains the label, in the output and the manifest", async () => {
    const r = await runCli(
      "export",
      "penguins",
      "--split",
      "train=70,eval=15,test=15",
      "--split-key",
      "species,island",
      "--schemas",
      schemas,
      "--lake",
      lake,
      "--json",
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/split key \(species, island\) contains the label column species/),
        // 5 species × island keys cannot be cut 70/15/15
        expect.stringMatching(/^split (train|eval|test) holds [\d.]+% of 343 rows, requested (70|15)%/),
      ]),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(lake, "exports", result.keys.manifest), "utf8"));
    expect(manifest.warnings).toEqual(result.warnings);
    const byId = await runCli(
      "export",
      "penguins",
      "--split",
      "train=70,eval=15,test=15",
      "--schemas",
      schemas,
      "--lake",
      lake,
    );
    expect(byId.stdout).not.toContain("WARNING");
  });

  it("refuses a --where that is not one predicate and an impossible --as-of, as usage errors", async () => {
    const injected = await runCli(
      "export",
      "penguins",
      "--where",
      "species = 'Adelie') OR (1=1",
      "--schemas",
      schemas,
      "--lake",
      lake,
    );
    expect(injected.code).toBe(64);
    expect(injected.stderr).toMatch(/unbalanced '\)'/);
    const subquery = await runCli(
      "export",
      "penguins",
      "--where",
      "island IN (SELECT island FROM read_csv('/etc/passwd'))",
      "--schemas",
      schemas,
      "--lake",
      lake,
    );
    expect(subquery.code).toBe(64);
    expect(subquery.stderr).toMatch(/found "SELECT"/);
    const good = await runCli(
      "export",
      "penguins",
      "--where",
      "species = 'Adelie' AND body_mass_g > 3000",
      "--schemas",
      schemas,
      "--lake",
      lake,
      "--json",
    );
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).totalRows).toBeGreaterThan(0);
    const feb30 = await runCli("query", "SELECT 1", "--as-of", "2026-02-30", "--lake", lake);
    expect(feb30.code).toBe(64);
    expect(feb30.stderr).toMatch(/2026-02 has 28 days/);
    const bare = await runCli(
      "export",
      "penguins",
      "--as-of",
      "1700000000",
      "--schemas",
      schemas,
      "--lake",
      lake,
    );
    expect(bare.code).toBe(64);
  });
});

describe("_source_row is the record's ordinal in the file, for CSV and JSON lines alike", () => {
  it("counts malformed records too, so it maps to the line a person opens", async () => {
    // Prepare: items (id, name, score, note); a CSV whose 2nd record is ragged and 1st spans two
    // lines, and JSON lines with a blank line and a line that is not an object.
    fs.mkdirSync(path.join(schemas, "items"), { recursive: true });
    fs.writeFileSync(path.join(schemas, "items", "v1.json"), JSON.stringify(ITEMS_SCHEMA));
    const csv = path.join(dir, "items.csv");
    fs.writeFileSync(csv, 'id,name,score,note\n1,"a\nb",1,x\n2,b\n3,c,3,z\n4,d,4,w,extra\n5,e,5,v\n');
    const jsonl = path.join(dir, "items.jsonl");
    fs.writeFileSync(jsonl, '{"id":11,"name":"k"}\n\nnot json\n{"id":14,"name":"n"}\n');
    // Act
    const fromCsv = await ingest(csv, "items");
    const fromJsonl = await ingest(jsonl, "items");
    const rows = async (table: string) =>
      JSON.parse(
        (
          await runCli(
            "query",
            `SELECT _source_key AS k, _source_row AS r FROM ${table} ORDER BY 1, 2`,
            "--lake",
            lake,
            "--schemas",
            schemas,
            "--format",
            "json",
          )
        ).stdout,
      ).map((x: { k: string; r: number }) => `${path.basename(x.k)}:${x.r}`);
    // Assess: records 1, 3, 5 written and 2, 4 quarantined (CSV); lines 1 and 4 written, 3 quarantined
    expect(fromCsv.result).toMatchObject({ rowsRead: 5, rowsWritten: 3, rowsQuarantined: 2 });
    expect(fromJsonl.result).toMatchObject({ rowsWritten: 2, rowsQuarantined: 1 });
    expect(await rows("items")).toEqual([
      "items.csv:1",
      "items.csv:3",
      "items.csv:5",
      "items.jsonl:1",
      "items.jsonl:4",
    ]);
    expect(await rows("items_quarantine")).toEqual(["items.csv:2", "items.csv:4", "items.jsonl:3"]);
  });
});

describe("engine failures speak lakeline", () => {
  it("a 20 MB JSON record that exhausts the engine's memory names LAKELINE_DUCKDB_MEMORY, not DuckDB's SET", async () => {
    fs.mkdirSync(path.join(schemas, "items"), { recursive: true });
    fs.writeFileSync(path.join(schemas, "items", "v1.json"), JSON.stringify(ITEMS_SCHEMA));
    const big = path.join(dir, "big.json");
    fs.writeFileSync(
      big,
      JSON.stringify([
        { id: 1, name: "x".repeat(20 * 1024 * 1024) },
        { id: 2, name: "b" },
      ]),
    );
    const r = await runCli("ingest", big, "--dataset", "items", "--schemas", schemas, "--lake", lake);
    expect(r.code).toBe(1);
    // The file, the element (its _source_row) and its size, then what to do.
    expect(r.stdout).toMatch(
      /big\.json: failed: items\/training\/big\.json: element 1 of the JSON array \(at byte 1, 20971538 bytes\) does not fit in memory: the query engine ran out of memory under its limit of 256MB; raise LAKELINE_DUCKDB_MEMORY/,
    );
    expect(r.stdout + r.stderr).not.toMatch(/memory_limit|Error:/);
    // The run failed (not rejected): once the limit is raised, replay lands the array whole.
    const saved = process.env.LAKELINE_DUCKDB_MEMORY;
    process.env.LAKELINE_DUCKDB_MEMORY = "1GB";
    try {
      const replayed = await runCli("replay", "--dataset", "items", "--schemas", schemas, "--lake", lake);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toMatch(/big\.json: replayed \[ok\] written 2/);
    } finally {
      if (saved === undefined) delete process.env.LAKELINE_DUCKDB_MEMORY;
      else process.env.LAKELINE_DUCKDB_MEMORY = saved;
    }
  });

  it("schema infer on a file DuckDB cannot parse is a usage error naming the file, without engine internals", async () => {
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, '[{"a": 1}, {"a": ');
    const r = await runCli(
      "schema",
      "infer",
      broken,
      "--dataset",
      "broken",
      "--schemas",
      schemas,
      "--stdout",
    );
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^lakeline: cannot infer a schema from .*broken\.json: /);
    expect(r.stderr).not.toMatch(/Invalid Input Error|INTERNAL|\n\s+at /);
  });

  it("schema infer on Latin-1 text is a usage error with the iconv command, not an internal error", async () => {
    const latin1 = path.join(dir, "cities.csv");
    fs.writeFileSync(latin1, Buffer.from("city,n\nZ\xfcrich,1\nS\xe3o Paulo,2\n", "latin1"));
    const r = await runCli(
      "schema",
      "infer",
      latin1,
      "--dataset",
      "cities",
      "--schemas",
      schemas,
      "--stdout",
    );
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("iconv -f LATIN1 -t UTF-8 cities.csv > cities.utf8.csv");
    expect(r.stderr).not.toMatch(/Invalid Input Error|INTERNAL|\n\s+at /);
  });
});
