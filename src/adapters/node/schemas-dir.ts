/**
 * Checks a schemas folder the way CI should before a release: every file parses, every file
 * names its folder's dataset and its own version, versions run 1…N, and each version is
 * compatible with the one before it. Collects every problem instead of stopping at the first.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { relationNameClashes } from "../../contract/committed-view.js";
import { errorMessage, SchemaFormatError } from "../../core/errors.js";
import { type CompatibilityMode, compatibilityProblems, registryProblems } from "../../core/schema/compat.js";
import { parseSchema } from "../../core/schema/format.js";
import type { DatasetSchema } from "../../core/schema/types.js";
import { viewChecks } from "./view-check.js";

export interface DatasetCheck {
  readonly dataset: string;
  readonly versions: readonly number[];
  readonly features?: number;
  /** Feature views declared under `<dataset>/views/` (latest versions). */
  readonly views?: number;
  readonly problems: readonly string[];
}

export interface SchemasCheck {
  readonly dir: string;
  readonly mode: CompatibilityMode;
  readonly datasets: readonly DatasetCheck[];
  readonly ok: boolean;
}

const VERSION_FILE = /^v([1-9][0-9]*)\.json$/;
const DATASET_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function checkSchemasDir(dir: string, mode: CompatibilityMode, only?: string): SchemasCheck {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    throw new SchemaFormatError(dir, [`cannot read the schemas folder: ${errorMessage(err)}`]);
  }
  const all = entries.filter((e) => statSync(path.join(dir, e)).isDirectory());
  const folders = all.filter((e) => only === undefined || e === only);
  if (only !== undefined && folders.length === 0) {
    return {
      dir,
      mode,
      datasets: [{ dataset: only, versions: [], problems: [`${only}: no such dataset folder in ${dir}`] }],
      ok: false,
    };
  }
  // Names are checked against every dataset of the folder, even when checking one.
  const clashes = relationNameClashes(all);
  const checked = folders.map((folder) => {
    const d = checkDataset(dir, folder, mode);
    const clash = clashes.get(folder) ?? [];
    return clash.length > 0 ? { ...d, problems: [...d.problems, ...clash] } : d;
  });
  const views = viewChecks(
    dir,
    checked.map((d) => d.dataset),
  );
  const datasets = checked.map((d) => {
    const v = views.get(d.dataset);
    return v ? { ...d, views: v.views, problems: [...d.problems, ...v.problems] } : d;
  });
  return { dir, mode, datasets, ok: datasets.every((d) => d.problems.length === 0) };
}

function checkDataset(dir: string, folder: string, mode: CompatibilityMode): DatasetCheck {
  const problems: string[] = [];
  if (!DATASET_NAME.test(folder))
    problems.push(`${folder}/: folder names are dataset names: lowercase snake_case, starting with a letter`);
  const files = readdirSync(path.join(dir, folder)).sort();
  for (const f of files) {
    if (f.endsWith(".json") && !VERSION_FILE.test(f))
      problems.push(`${folder}/${f}: schema files are named v<N>.json (N = 1, 2, …)`);
  }
  const versions = files
    .map((f) => VERSION_FILE.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (versions.length === 0) problems.push(`${folder}/: no schema versions (v1.json …)`);
  const parsed: DatasetSchema[] = [];
  for (const v of versions) {
    const rel = `${folder}/v${v}.json`;
    try {
      const schema = parseSchema(readFileSync(path.join(dir, rel), "utf8"), rel);
      if (schema.version !== v)
        problems.push(`${rel}: $.version is ${schema.version} but the file is named v${v}.json`);
      parsed.push(schema);
    } catch (err) {
      if (err instanceof SchemaFormatError) problems.push(...err.problems.map((p) => `${rel}: ${p}`));
      else problems.push(`${rel}: ${errorMessage(err)}`);
    }
  }
  problems.push(...registryProblems(folder, parsed, versions));
  const byVersion = new Map(parsed.map((s) => [s.version, s]));
  for (let i = 1; i < versions.length; i++) {
    const older = byVersion.get(versions[i - 1]!);
    const newer = byVersion.get(versions[i]!);
    if (older && newer)
      problems.push(...compatibilityProblems(older, newer, mode).map((p) => `${folder} ${p}`));
  }
  const latest = byVersion.get(versions.at(-1) ?? 0);
  return { dataset: folder, versions, ...(latest ? { features: latest.features.length } : {}), problems };
}
