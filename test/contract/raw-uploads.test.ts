import { describe, expect, it } from "vitest";
import { isRawUpload } from "../../src/contract/raw-uploads.js";

describe("raw uploads ingest reads", () => {
  it.each([
    "penguins/data.csv",
    "penguins/data.CSV",
    "penguins/TRAINING/x.Csv.GZ",
    "penguins/x.csv.gzip",
    "penguins/x.csv.GZIP",
    "flights/a b/é.TSV",
    "flights/x.json",
    "flights/x.JSONL.gz",
    "flights/x.ndjson",
    "penguins/TRAINING/_parts/r/part-00001.csv.gz",
  ])("%s is ingested, whatever the letter case", (key) => {
    expect(isRawUpload(key)).toBe(true);
  });

  it.each([
    "penguins/data.parquet",
    "penguins/notes.txt",
    "penguins/data.csv.zip",
    "penguins/.csv",
    "penguins/data.gz",
    "penguins/data.csvx",
    "penguins/",
  ])("%s is not", (key) => {
    expect(isRawUpload(key)).toBe(false);
  });
});
