/**
 * Sample data for the demo, all from the vega-datasets npm package (nothing is fetched): flights
 * as two daily CSV drops (the second gzipped), one with a few rows damaged the way real exports
 * get damaged; penguins for training and, without the label, for serving; Seattle weather.
 */
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import * as path from "node:path";
import { Database } from "../../src/adapters/duckdb/database.js";
import { sqlString } from "../../src/core/sql.js";

export interface Sample {
  readonly file: string;
  readonly dataset: string;
  readonly env: "training" | "serving";
  readonly note: string;
}

export function vegaDataDir(): string {
  // The package exports only its JS entry (build/index.js); the data folder sits beside build/.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("vega-datasets")), "..", "data");
}

export async function prepareSamples(dir: string, flightRows = 200_000): Promise<Sample[]> {
  await fs.mkdir(dir, { recursive: true });
  const data = vegaDataDir();
  const db = await Database.open();
  try {
    const parquet = sqlString(path.join(data, "flights-3m.parquet"));
    const day1 = path.join(dir, "flights-2001-01.csv");
    const day2 = path.join(dir, "flights-2001-02.csv.gz");
    await db.exec(
      `COPY (SELECT * FROM read_parquet(${parquet}) LIMIT ${flightRows}) TO ${sqlString(day1)} (HEADER, DELIMITER ',')`,
    );
    await db.exec(
      `COPY (SELECT * FROM read_parquet(${parquet}) LIMIT ${Math.floor(flightRows / 2)} OFFSET ${flightRows}) TO ${sqlString(day2)} (HEADER, DELIMITER ',', COMPRESSION gzip)`,
    );
    // Damage a few rows of day 1 the way real files get damaged: a truncated line, text in a
    // number column, an impossible distance.
    const text = await fs.readFile(day1, "utf8");
    const lines = text.split("\n");
    lines[11] = lines[11]!.split(",").slice(0, 3).join(",");
    lines[22] = lines[22]!.replace(/^([^,]*),([^,]*),/, "$1,unknown,");
    lines[33] = lines[33]!.replace(/^([^,]*),([^,]*),([^,]*),/, "$1,$2,99999,");
    await fs.writeFile(day1, lines.join("\n"));
  } finally {
    db.close();
  }
  const penguins = JSON.parse(await fs.readFile(path.join(data, "penguins.json"), "utf8")) as Record<
    string,
    unknown
  >[];
  const serving = path.join(dir, "penguins-serving.jsonl");
  await fs.writeFile(
    serving,
    `${penguins
      .slice(0, 40)
      .map(({ Species: _label, ...rest }) => JSON.stringify(rest))
      .join("\n")}\n`,
  );
  const training = path.join(dir, "penguins.json");
  await fs.copyFile(path.join(data, "penguins.json"), training);
  const weather = path.join(dir, "weather.csv");
  await fs.copyFile(path.join(data, "weather.csv"), weather);
  return [
    {
      file: path.join(dir, "flights-2001-01.csv"),
      dataset: "flights",
      env: "training",
      note: `${flightRows} flights, 3 damaged rows`,
    },
    {
      file: path.join(dir, "flights-2001-02.csv.gz"),
      dataset: "flights",
      env: "training",
      note: "the next drop, gzip-compressed",
    },
    { file: training, dataset: "penguins", env: "training", note: "Palmer penguins with the Species label" },
    { file: serving, dataset: "penguins", env: "serving", note: "serving requests: same features, no label" },
    { file: weather, dataset: "weather", env: "training", note: "Seattle and New York daily weather" },
  ];
}
