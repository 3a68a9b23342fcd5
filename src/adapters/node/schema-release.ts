/**
 * Drafts and releases: `schema infer` writes `schemas/<dataset>/drafts/v<N>.json`; `schema release`
 * promotes one to `schemas/<dataset>/v<N>.json` only when the folder would still pass `schema
 * check` with it (the file parses, names its dataset and version, N is the next version, and it is
 * compatible with the latest release). Released files are created once and never overwritten.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import { SchemaFormatError, UsageError } from "../../core/errors.js";
import { type CompatibilityMode, compatibilityProblems } from "../../core/schema/compat.js";
import { parseSchema } from "../../core/schema/format.js";
import type { DatasetSchema } from "../../core/schema/types.js";

/** Writes (or replaces) the draft of `schema.version`; drafts are working files, not releases. */
export function writeDraft(registry: SchemaRegistry, schema: DatasetSchema, text: string): string {
  const file = path.join(registry.draftsDir(schema.dataset), `v${schema.version}.json`);
  // A draft the real parser rejects is a bug in inference, not something to hand a person.
  parseSchema(text, file);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

export interface Release {
  readonly dataset: string;
  readonly version: number;
  readonly file: string;
  readonly draft: string;
}

/** Problems that keep `draft` from being released as the next version of its dataset. */
export function releaseProblems(
  registry: SchemaRegistry,
  dataset: string,
  draft: DatasetSchema,
  mode: CompatibilityMode,
): string[] {
  const released = registry.versions(dataset);
  const next = (released.at(-1) ?? 0) + 1;
  const problems: string[] = [];
  if (draft.dataset !== dataset) problems.push(`the draft names dataset ${draft.dataset}, not ${dataset}`);
  if (draft.version !== next)
    problems.push(
      `the draft is v${draft.version} but the next version of ${dataset} is v${next} (re-run \`lakeline schema infer\`)`,
    );
  if (released.length > 0) {
    const latest = registry.load(dataset).schema;
    problems.push(...compatibilityProblems(latest, draft, mode));
  }
  return problems;
}

export function releaseDraft(
  registry: SchemaRegistry,
  dataset: string,
  version: number | undefined,
  mode: CompatibilityMode = "BACKWARD",
): Release {
  const drafts = registry.drafts(dataset);
  const v = version ?? drafts.at(-1);
  if (v === undefined || !drafts.includes(v)) {
    // A release removes its draft: asking for it again is asking for a released version.
    const released = registry.versions(dataset);
    if (v !== undefined && released.includes(v))
      throw new UsageError(
        `${dataset} v${v} is already released (${path.join(registry.dir, dataset, `v${v}.json`)}); released ` +
          `versions are never overwritten: draft v${(released.at(-1) ?? 0) + 1} with \`lakeline schema infer\``,
        { dataset, version },
      );
    throw new UsageError(
      `no draft ${dataset}${version === undefined ? "" : `@v${version}`} to release in ${registry.draftsDir(dataset)}` +
        (drafts.length > 0
          ? ` (drafts: ${drafts.map((d) => `v${d}`).join(", ")})`
          : " (run `lakeline schema infer` first)"),
      { dataset, version },
    );
  }
  const draftFile = path.join(registry.draftsDir(dataset), `v${v}.json`);
  const text = readFileSync(draftFile, "utf8");
  const draft = parseSchema(text, draftFile);
  const problems = releaseProblems(registry, dataset, draft, mode);
  if (problems.length > 0) throw new SchemaFormatError(draftFile, [`not released: ${problems.join("; ")}`]);
  const file = path.join(registry.dir, dataset, `v${v}.json`);
  try {
    writeFileSync(file, text, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new SchemaFormatError(file, ["already exists; released versions are never overwritten"]);
    throw err;
  }
  rmSync(draftFile);
  return { dataset, version: v, file, draft: draftFile };
}
