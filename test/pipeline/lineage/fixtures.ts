/** Shared test data for the lineage tests: real penguins statistics and a raw → warehouse → export chain. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { FsObjectStore } from "../../../src/adapters/local/fs-store.js";
import { md5Hex } from "../../../src/core/hash/dvc.js";
import type { DatasetStatistics, FeatureStatistics } from "../../../src/core/stats/types.js";
import type { DatasetRef } from "../../../src/pipeline/lineage/recorder.js";

export const PENGUINS_FILE = path.resolve("node_modules/vega-datasets/data/penguins.json");
export const PENGUINS_BYTES = readFileSync(PENGUINS_FILE);
type Row = Record<string, string | number | null>;
export const PENGUINS: Row[] = JSON.parse(PENGUINS_BYTES.toString("utf8"));

const column = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Statistics computed directly from the penguins rows (exact distinct counts and quantiles). */
export function penguinsStatistics(): DatasetStatistics {
  const names = Object.keys(PENGUINS[0]!);
  const features: FeatureStatistics[] = names.map((name) => {
    const values = PENGUINS.map((r) => r[name]).filter(
      (v): v is string | number => v !== null && v !== undefined,
    );
    const base = {
      name,
      column: column(name),
      present: values.length,
      missing: PENGUINS.length - values.length,
      distinctApprox: new Set(values).size,
    };
    if (typeof values[0] === "number") {
      const nums = (values as number[]).slice().sort((a, b) => a - b);
      const sum = nums.reduce((a, b) => a + b, 0);
      const mean = sum / nums.length;
      const sumSquares = nums.reduce((a, b) => a + b * b, 0);
      return {
        ...base,
        type: "FLOAT",
        numeric: {
          min: nums[0]!,
          max: nums.at(-1)!,
          mean,
          stddev: Math.sqrt(sumSquares / nums.length - mean * mean),
          sum,
          sumSquares,
          quantiles: Array.from({ length: 11 }, (_, i) => quantile(nums, i / 10)),
          histogram: [],
          zeros: nums.filter((n) => n === 0).length,
          nonFinite: 0,
        },
      };
    }
    return { ...base, type: "STRING", string: { topValues: [], avgLength: 0 } };
  });
  return {
    dataset: "penguins",
    schemaVersion: 1,
    environment: "TRAINING",
    rowsRead: PENGUINS.length,
    rowsValid: PENGUINS.length,
    rowsQuarantined: 0,
    sourceFields: names,
    features,
  };
}

export const PENGUIN_FIELDS = [
  { name: "species", type: "VARCHAR", description: "Adelie, Chinstrap or Gentoo" },
  { name: "island", type: "VARCHAR" },
  { name: "beak_length_mm", type: "DOUBLE" },
  { name: "beak_depth_mm", type: "DOUBLE" },
  { name: "flipper_length_mm", type: "DOUBLE" },
  { name: "body_mass_g", type: "DOUBLE" },
  { name: "sex", type: "VARCHAR" },
];

export { tempDir } from "../../support/temp.js";

/** A lake folder whose zones live under `dir`, with the stores the pipeline would use. */
export function zones(dir: string) {
  return {
    raw: new FsObjectStore(path.join(dir, "raw"), "raw"),
    warehouse: new FsObjectStore(path.join(dir, "warehouse"), "warehouse"),
    exports: new FsObjectStore(path.join(dir, "exports"), "exports"),
    lineage: new FsObjectStore(path.join(dir, "lineage"), "lineage"),
  };
}

export function rawRef(namespace: string, key = "penguins/training/penguins.json"): DatasetRef {
  return {
    namespace,
    name: key,
    version: md5Hex(PENGUINS_BYTES),
    artifactType: "RawBlob",
    size: PENGUINS_BYTES.length,
    rowCount: PENGUINS.length,
    statistics: penguinsStatistics(),
  };
}

export function warehouseRef(namespace: string, suffix = "0"): DatasetRef {
  return {
    namespace,
    name: `penguins/ingest_date=2024-06-01/part-${suffix}.parquet`,
    version: md5Hex(`parquet-${suffix}`),
    artifactType: "WarehouseFile",
    size: 20_480,
    rowCount: PENGUINS.length,
    fields: PENGUIN_FIELDS,
    statistics: penguinsStatistics(),
  };
}

export function exportRef(namespace: string, version = `${md5Hex("export manifest")}.dir`): DatasetRef {
  return {
    namespace,
    name: "penguins/2024-06-02T00-00-00Z",
    version,
    artifactType: "Export",
    size: 40_960,
    rowCount: PENGUINS.length,
    fields: PENGUIN_FIELDS,
    properties: { split: "train/eval/test", seed: 42 },
  };
}
