/**
 * What a user who mistypes (or meets a fault) sees: a dataset or schema version that does not exist
 * is a usage error (64) for every command that takes one, and so is a dataset given to compact or
 * replay that has neither runs nor a schema; a blob validate would reject whole exits 2, as ingest's
 * rejection does; a statement over a table the lake lacks names the lake's tables instead of the
 * engine's guess from its own catalog; releasing a released version says so; reprocess --all runs
 * the other blobs when one fails; a ragged entity-file row is named by its line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, VEGA } from "../support/cli.js";
import { tempLake } from "../support/temp.js";

let lake: string[];
let schemasDir: string;

beforeAll(async () => {
  const t = await tempLake("cli-errors");
  lake = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
  schemasDir = t.schemasDir;
  const ingested = await runCli("ingest", path.join(VEGA, "penguins.json"), "--dataset", "penguins", ...lake);
  expect(ingested.code, ingested.stderr).toBe(1); // one row quarantined (Sex ".")
});

describe("refused requests and inputs: the status ingest and export give them", () => {
  it("is a usage error for validate, naming the dataset and the folder looked in", async () => {
    // Prepare
    const file = path.join(VEGA, "penguins.json");
    const schemas = lake.slice(2);
    // Act
    const dataset = await runCli("validate", file, "--dataset", "pinguins", ...schemas);
    const version = await runCli(
      "validate",
      file,
      "--dataset",
      "penguins",
      "--schema-version",
      "9",
      ...schemas,
    );
    // Assess
    expect(dataset.code).toBe(64);
    expect(dataset.stderr).toMatch(/^lakeline: schema not found: pinguins \(looked in .*schemas\)\n$/);
    expect(version.code).toBe(64);
    expect(version.stderr).toContain("schema not found: penguins@v9");
  });

  it("is refused by validate as by ingest: an environment or dataset name a raw key cannot hold", async () => {
    // Prepare
    const file = path.join(VEGA, "penguins.json");
    const schemas = lake.slice(2);
    // Act
    const env = await runCli("validate", file, "--dataset", "penguins", "--env", "prod", ...schemas);
    const name = await runCli("validate", file, "--dataset", "Penguins", ...schemas);
    const serving = await runCli("validate", file, "--dataset", "penguins", "--env", "serving", ...schemas);
    // Assess
    expect(env.code).toBe(64);
    expect(env.stderr).toBe('lakeline: --env must be training or serving, not "prod"\n');
    expect(name.code).toBe(64);
    expect(name.stderr).toContain('invalid dataset name "Penguins"');
    expect(serving.code).toBe(1); // Sex "." is outside the domain in either environment
    expect(serving.stdout).toContain("penguins v1 SERVING");
  });

  it("is refused by validate with ingest's status for a blob it would reject whole (2)", async () => {
    // Prepare: Latin-1 bytes, and a header naming a field twice
    const dir = path.dirname(schemasDir);
    const latin = path.join(dir, "cafes.csv");
    const twice = path.join(dir, "twice.csv");
    fs.writeFileSync(latin, Buffer.from("species,island\nAdelie,Caf\xe9\n", "latin1"));
    fs.writeFileSync(twice, "species,species\nAdelie,Gentoo\n");
    const schemas = lake.slice(2);
    // Act
    const a = await runCli("validate", latin, "--dataset", "penguins", ...schemas);
    const b = await runCli("validate", twice, "--dataset", "penguins", ...schemas);
    // Assess
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("cannot read cafes.csv: the file is not UTF-8");
    expect(a.stderr).toContain("iconv -f LATIN1 -t UTF-8 cafes.csv > cafes.utf8.csv");
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('cannot read twice.csv (line 1): ambiguous header: "species"');
  });

  it("is a usage error for reprocess, which writes nothing", async () => {
    // Act
    const r = await runCli("reprocess", "penguins", "--all", "--schema-version", "7", ...lake);
    const runs = await runCli("query", "SELECT count(*) AS n FROM lakeline_runs", "--json", ...lake);
    // Assess
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("schema not found: penguins@v7");
    expect(JSON.parse(runs.stdout)).toEqual([{ n: 1 }]);
  });
});

describe("lakeline compact", () => {
  it("calls a dataset with neither runs nor a schema a usage error, and one with a schema nothing due", async () => {
    // Act
    const typo = await runCli("compact", "pinguins", "--dry-run", ...lake);
    const noRuns = await runCli("compact", "stocks", "--dry-run", ...lake);
    // Assess
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(
      /^lakeline: compact: no dataset pinguins: .*\(datasets with committed runs: penguins\)\n$/,
    );
    expect(noRuns.code).toBe(0);
    expect(noRuns.stdout).toBe("stocks: nothing to compact\n");
  });
});

describe("lakeline replay --dataset", () => {
  it("calls a dataset with neither failed runs nor a schema a usage error", async () => {
    // Act
    const typo = await runCli("replay", "--dataset", "pinguins", ...lake);
    const none = await runCli("replay", "--dataset", "stocks", "--json", ...lake);
    // Assess
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(
      /^lakeline: replay: no dataset pinguins: no failed runs in .* and no schema in /,
    );
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ scanned: 0, replayed: 0, failed: 0 });
  });
});

describe("lakeline reprocess --all", () => {
  it("reports a blob that fails as ingest reports a file, and runs the others", async () => {
    // Prepare: two drops of penguins, the first one's raw object gone (a storage fault)
    const t = await tempLake("reprocess-fault");
    const args = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
    const penguins: { Sex: string }[] = JSON.parse(fs.readFileSync(path.join(VEGA, "penguins.json"), "utf8"));
    const drops = [penguins.slice(0, 150), penguins.slice(150)].map((rows, i) => {
      const file = path.join(t.root, `drop-${i + 1}.json`);
      fs.writeFileSync(file, JSON.stringify(rows.filter((r) => r.Sex !== ".")));
      return file;
    });
    expect((await runCli("ingest", ...drops, "--dataset", "penguins", ...args)).code).toBe(0);
    fs.rmSync(path.join(t.lakeDir, "raw", "penguins", "training", "drop-1.json"));
    // Act
    const r = await runCli("reprocess", "penguins", "--all", "--generation", "2", ...args);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "! penguins/training/drop-1.json: failed: ingest refused the event: reprocess penguins: no raw object penguins/training/drop-1.json\n",
    );
    expect(r.stdout).toMatch(
      /✓ penguins\/training\/drop-2\.json → penguins v1 TRAINING \[ok\] {2}read 193, written 193, quarantined 0/,
    );
    expect(r.stdout).toMatch(
      /\n2 blob\(s\): 1 re-processed \(1 ok, 0 rejected\), 0 already committed, 1 failed; read 193, written 193, quarantined 0\n$/,
    );
  });
});

describe("lakeline query", () => {
  it("names the lake's tables when the statement names one it lacks", async () => {
    // Act
    const r = await runCli("query", "SELECT count(*) FROM penguin", ...lake);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^lakeline: query: table penguin does not exist; the lake's tables: .*\bpenguins\b/,
    );
    expect(r.stderr).toContain("penguins_quarantine, penguins_quarantine_history");
    expect(r.stderr).toContain("lakeline_runs");
    expect(r.stderr).not.toContain("pg_");
  });

  it("offers the columns a misspelt one could be", async () => {
    // Act
    const r = await runCli("query", "SELECT specie FROM penguins", ...lake);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^lakeline: query: Referenced column "specie" not found .*Candidate bindings: .*"species"/,
    );
  });

  it("takes --json like its siblings, the same rows as --format json", async () => {
    // Prepare
    const sql = "SELECT species, count(*) AS n FROM penguins GROUP BY 1 ORDER BY 1";
    // Act
    const json = await runCli("query", sql, "--json", ...lake);
    const format = await runCli("query", sql, "--format", "json", ...lake);
    // Assess
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(format.stdout);
    expect(JSON.parse(json.stdout)).toEqual([
      { species: "Adelie", n: 152 },
      { species: "Chinstrap", n: 68 },
      { species: "Gentoo", n: 123 },
    ]);
  });
});

describe("lakeline schema release", () => {
  it("says a version is already released, not that its draft is missing", async () => {
    // Prepare
    const args = ["--schemas", schemasDir];
    expect(
      (await runCli("schema", "infer", path.join(VEGA, "cars.json"), "--dataset", "cars", ...args)).code,
    ).toBe(0);
    expect((await runCli("schema", "release", "cars", ...args)).code).toBe(0);
    // Act
    const again = await runCli("schema", "release", "cars", "v1", ...args);
    const none = await runCli("schema", "release", "cars", ...args);
    // Assess
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(
      /^lakeline: cars v1 is already released \(.*cars[/\\]v1\.json\); released versions are never overwritten: draft v2 with `lakeline schema infer`\n$/,
    );
    expect(none.code).toBe(64);
    expect(none.stderr).toContain("no draft cars to release");
  });
});

describe("lakeline features history", () => {
  it("names the line of an entity file whose row has a field too few or too many", async () => {
    // Prepare: a ragged row defeats DuckDB's dialect sniffer, which then reads one column.
    const dir = path.dirname(schemasDir);
    const short = path.join(dir, "short.csv");
    const long = path.join(dir, "long.csv");
    fs.writeFileSync(short, "symbol,event_timestamp\nAAPL,2010-02-15T09:30:00Z\nMSFT\n");
    fs.writeFileSync(
      long,
      "symbol,event_timestamp\nAAPL,2010-02-15T09:30:00Z\nMSFT,2010-02-15T09:30:00Z,9\n",
    );
    const history = (file: string) =>
      runCli("features", "history", "--entities", file, "--features", "stock_prices:price", ...lake);
    // Act
    const [a, b] = [await history(short), await history(long)];
    // Assess
    expect(a.code).toBe(64);
    expect(a.stderr).toBe(
      "lakeline: entity file short.csv line 3: 1 field(s) where the header has 2 (a missing or extra delimiter, or an unclosed quote)\n",
    );
    expect(b.code).toBe(64);
    expect(b.stderr).toContain("entity file long.csv line 3: 3 field(s) where the header has 2");
  });
});

describe("lakeline ingest while a schema cannot be used", () => {
  it("rejects the blob with the schema's current problem each time it changes, and ingests it once fixed", async () => {
    // Prepare: a lake of its own, whose toy schema is first cut short, then names an unknown type
    const t = await tempLake("stale-rejection");
    const own = ["--lake", t.lakeDir, "--schemas", t.schemasDir];
    const file = path.join(t.root, "toy.csv");
    const schema = path.join(t.schemasDir, "toy", "v1.json");
    fs.writeFileSync(file, "a,b\n1,x\n2,y\n");
    fs.mkdirSync(path.dirname(schema), { recursive: true });
    const ingest = () => runCli("ingest", file, "--dataset", "toy", "--json", ...own);
    const features = (aType: string) =>
      `{"dataset":"toy","version":1,"features":[{"name":"a","type":"${aType}"}`;

    // Act
    fs.writeFileSync(schema, features("INT"));
    const cut = await ingest();
    fs.writeFileSync(schema, `${features("INTEGER")}]}`);
    const unknownType = await ingest();
    const again = await ingest();
    fs.writeFileSync(schema, `${features("INT")},{"name":"b","type":"STRING"}]}`);
    const fixed = await ingest();

    // Assess
    const out = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;
    expect(cut.code).toBe(2);
    expect(out(cut)).toMatchObject({ status: "rejected", reason: expect.stringContaining("not valid JSON") });
    // A new problem is a new rejection with its own reason, not "already committed" with the old one.
    expect(unknownType.code).toBe(2);
    expect(out(unknownType)).toMatchObject({
      status: "rejected",
      reason: expect.stringContaining(', not "INTEGER"'),
    });
    expect(out(unknownType).alreadyCommitted).toBeUndefined();
    expect(out(unknownType).runId).not.toBe(out(cut).runId);
    // The same problem again is the same run, already recorded with that reason.
    expect(again.code).toBe(0);
    expect(out(again)).toMatchObject({ runId: out(unknownType).runId, reason: out(unknownType).reason });
    expect(out(again).alreadyCommitted).toBeDefined();
    expect(fixed.code).toBe(0);
    expect(out(fixed)).toMatchObject({ status: "ok", rowsWritten: 2 });
  });
});
