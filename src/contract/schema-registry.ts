/**
 * The schema registry: `schemas/<dataset>/v<N>.json`, one file per released version, and
 * `schemas/<dataset>/drafts/v<N>.json` for drafts (`lakeline schema infer` writes there). Only
 * released versions are live: the latest is the highest released N, and a draft is never read by
 * ingest, validate, export or query until `lakeline schema release` moves it beside the others.
 * Files are identified by their md5 so lineage can name exactly which schema validated a batch.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { SchemaFormatError, SchemaNotFoundError } from "../core/errors.js";
import { compatibilityProblems, registryProblems } from "../core/schema/compat.js";
import { parseSchema } from "../core/schema/format.js";
import type { DatasetSchema } from "../core/schema/types.js";
import { assertDatasetName } from "./raw-key.js";

export interface LoadedSchema {
  readonly schema: DatasetSchema;
  readonly file: string;
  /** md5 of the file's bytes (DVC-style version of the schema artifact). */
  readonly md5: string;
}

const VERSION_FILE = /^v([1-9][0-9]*)\.json$/;
export const DRAFTS_FOLDER = "drafts";

function versionsIn(folder: string): number[] {
  let files: string[];
  try {
    files = readdirSync(folder);
  } catch {
    return [];
  }
  return files
    .map((f) => VERSION_FILE.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export class SchemaRegistry {
  constructor(readonly dir: string) {}

  datasets(): string[] {
    let entries: string[];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return [];
    }
    return entries
      .filter((d) => statSync(path.join(this.dir, d)).isDirectory() && this.versions(d).length > 0)
      .sort();
  }

  /** Released versions, oldest first. */
  versions(dataset: string): number[] {
    return versionsIn(path.join(this.dir, dataset));
  }

  /** Draft versions waiting for `lakeline schema release`, oldest first. */
  drafts(dataset: string): number[] {
    return versionsIn(this.draftsDir(dataset));
  }

  draftsDir(dataset: string): string {
    return path.join(this.dir, assertDatasetName(dataset), DRAFTS_FOLDER);
  }

  /**
   * A released version that passes `lakeline schema check`: its file parses, the versions run 1…N
   * and it is BACKWARD compatible with the version before it. What ingest and validate run under;
   * a version failing the check is refused (the blob is rejected with the problems as its reason).
   */
  loadChecked(dataset: string, version?: number): LoadedSchema {
    const loaded = this.load(dataset, version);
    const v = loaded.schema.version;
    const problems = registryProblems(dataset, [loaded.schema], this.versions(dataset));
    if (v > 1 && this.versions(dataset).includes(v - 1)) {
      const previous = this.load(dataset, v - 1).schema;
      problems.push(...compatibilityProblems(previous, loaded.schema, "BACKWARD"));
    }
    if (problems.length > 0)
      throw new SchemaFormatError(loaded.file, [
        `${dataset}@v${v} fails \`lakeline schema check\` and is not used: ${problems.join("; ")}`,
      ]);
    return loaded;
  }

  /** Load one version (default: the latest). */
  load(dataset: string, version?: number): LoadedSchema {
    assertDatasetName(dataset);
    const versions = this.versions(dataset);
    const v = version ?? versions.at(-1);
    if (v === undefined || !versions.includes(v)) throw new SchemaNotFoundError(dataset, version, this.dir);
    const file = path.join(this.dir, dataset, `v${v}.json`);
    const bytes = readFileSync(file);
    const schema = parseSchema(bytes.toString("utf8"), file);
    if (schema.dataset !== dataset)
      throw new SchemaFormatError(file, [
        `dataset is ${JSON.stringify(schema.dataset)} but the file sits under ${dataset}/`,
      ]);
    if (schema.version !== v)
      throw new SchemaFormatError(file, [`version is ${schema.version} but the file is named v${v}.json`]);
    return { schema, file, md5: createHash("md5").update(bytes).digest("hex") };
  }

  /** Every version of a dataset, oldest first. */
  loadAll(dataset: string): LoadedSchema[] {
    return this.versions(dataset).map((v) => this.load(dataset, v));
  }
}
