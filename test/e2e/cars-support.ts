/**
 * vega-datasets' cars as a data team meets it: split by model year into an early half (1970–75) and
 * a late half, a v1 draft inferred from the early half as drafts were once made (the sample's ranges,
 * whole numbers as INT), and the reviewer's v2 fixing it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import type { IngestResult } from "../../src/contract/records.js";
import { type CliRun, runCli, VEGA } from "../support/cli.js";

interface Car {
  readonly Year: string;
}
export const CARS: Car[] = JSON.parse(fs.readFileSync(path.join(VEGA, "cars.json"), "utf8"));
export const EARLY = CARS.filter((c) => c.Year < "1976");
export const LATE = CARS.filter((c) => c.Year >= "1976");

export function writeLines(dir: string, name: string, rows: readonly unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return file;
}

/** v2 by hand, as a reviewer fixes the draft: numbers are FLOAT without the sample's ranges (INT ones in new columns). */
export function releaseFix(schemas: string, policy?: Record<string, unknown>): void {
  const v1 = JSON.parse(fs.readFileSync(path.join(schemas, "cars", "v1.json"), "utf8"));
  const features = v1.features.map((f: { type: string; column: string; domain?: unknown }) => {
    if (f.type !== "INT" && f.type !== "FLOAT") return f;
    const { domain: _range, ...rest } = f;
    // A column keeps its Parquet type (see compat.ts): an INT one moves to a new column.
    return { ...rest, type: "FLOAT", ...(f.type === "INT" ? { column: `${f.column}_float` } : {}) };
  });
  const v2 = { ...v1, version: 2, features, ...(policy ? { policy: { ...v1.policy, ...policy } } : {}) };
  fs.writeFileSync(path.join(schemas, "cars", "v2.json"), JSON.stringify(v2, null, 2));
}

/**
 * The draft as `schema infer` made it before drafts learnt better (sample ranges, whole numbers as
 * INT), optionally with a stricter policy, released as v1.
 */
export async function releaseDraft(
  early: string,
  schemas: string,
  policy?: Record<string, unknown>,
): Promise<void> {
  const args = ["--dataset", "cars", "--schemas", schemas];
  expect((await runCli("schema", "infer", early, "--numeric-ranges", "--json-integers", ...args)).code).toBe(
    0,
  );
  const file = path.join(schemas, "cars", "drafts", "v1.json");
  const draft = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify({ ...draft, policy: { ...draft.policy, ...policy } }, null, 2));
  const released = await runCli("schema", "release", "cars", "--schemas", schemas);
  expect(released.code, released.stderr + released.stdout).toBe(0);
}

export function jsonLines(r: CliRun): IngestResult[] {
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as IngestResult);
}
