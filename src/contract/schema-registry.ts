/**
 * The schema registry: `schemas/<dataset>/v<N>.json`, one file per released version.
 * The latest version is the highest N. Files are identified by their md5 so lineage can name
 * exactly which schema validated a batch.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { SchemaFormatError, SchemaNotFoundError } from "../core/errors.js";
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

  versions(dataset: string): number[] {
    let files: string[];
    try {
      files = readdirSync(path.join(this.dir, dataset));
    } catch {
      return [];
    }
    return files
      .map((f) => VERSION_FILE.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
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
