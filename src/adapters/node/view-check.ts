/**
 * `lakeline schema check` for feature views: every view file parses, is named after its view and
 * version, versions run 1…N, view names are unique across datasets, and each version's columns
 * exist in the dataset's latest schema with a fitting type (see core/features/view-check.ts).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { SchemaRegistry } from "../../contract/schema-registry.js";
import { loadViewFile, ViewRegistry } from "../../contract/view-registry.js";
import { errorMessage, SchemaFormatError } from "../../core/errors.js";
import { viewProblems } from "../../core/features/view-check.js";
import { parseSchema } from "../../core/schema/format.js";
import type { DatasetSchema } from "../../core/schema/types.js";

export interface ViewsCheck {
  readonly views: number;
  readonly problems: string[];
}

/** The dataset's latest schema, if it parses (its own problems are reported by the schema check). */
function latestSchema(dir: string, dataset: string): DatasetSchema | undefined {
  const latest = new SchemaRegistry(dir).versions(dataset).at(-1);
  if (latest === undefined) return undefined;
  try {
    const rel = `${dataset}/v${latest}.json`;
    return parseSchema(readFileSync(path.join(dir, rel), "utf8"), rel);
  } catch {
    return undefined;
  }
}

/** Per dataset folder: how many views it declares and their problems. */
export function viewChecks(dir: string, datasets: readonly string[]): Map<string, ViewsCheck> {
  const out = new Map<string, ViewsCheck>();
  const files = new ViewRegistry(dir).files().filter((f) => datasets.includes(f.dataset));
  const owner = new Map<string, string>();
  for (const dataset of datasets) {
    const mine = files.filter((f) => f.dataset === dataset);
    if (mine.length === 0) continue;
    const problems: string[] = [];
    const schema = latestSchema(dir, dataset);
    const names = [...new Set(mine.map((f) => f.view))];
    for (const name of names) {
      const other = owner.get(name);
      if (other)
        problems.push(
          `views/${name}: a view of that name is declared under ${other}/ too; view names are unique`,
        );
      owner.set(name, dataset);
      const versions = mine.filter((f) => f.view === name).map((f) => f.version);
      versions.forEach((v, i) => {
        if (v !== i + 1)
          problems.push(
            `views/${name}: versions must run 1…N; found ${versions.map((x) => `v${x}`).join(", ")}`,
          );
      });
    }
    for (const ref of mine) {
      const rel = `${dataset}/views/${path.basename(ref.file)}`;
      try {
        const { view } = loadViewFile(ref);
        if (schema) problems.push(...viewProblems(view, schema).map((p) => `${rel}: ${p}`));
      } catch (err) {
        if (err instanceof SchemaFormatError) problems.push(...err.problems.map((p) => `${rel}: ${p}`));
        else problems.push(`${rel}: ${errorMessage(err)}`);
      }
    }
    out.set(dataset, { views: names.length, problems: [...new Set(problems)] });
  }
  return out;
}
