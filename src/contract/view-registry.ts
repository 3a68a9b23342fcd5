/**
 * The feature-view registry: `schemas/<dataset>/views/<view>.v<N>.json`, beside the dataset's
 * schema versions. A view's latest version is the one served; view names are unique across datasets.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { LakelineError, SchemaFormatError } from "../core/errors.js";
import { type FeatureView, parseView, VIEW_FILE } from "../core/features/view.js";

export const VIEWS_DIR = "views";

export interface LoadedView {
  readonly view: FeatureView;
  readonly file: string;
  readonly md5: string;
}

export class ViewNotFoundError extends LakelineError {
  override readonly name = "ViewNotFoundError";
  override readonly exitCode = 64;
  constructor(view: string, known: readonly string[]) {
    super(`feature view not found: ${view} (views: ${known.join(", ") || "none"})`, { view, known });
  }
}

interface ViewFileRef {
  readonly dataset: string;
  readonly view: string;
  readonly version: number;
  readonly file: string;
}

export class ViewRegistry {
  constructor(readonly schemasDir: string) {}

  /** Every view file, in (dataset, view, version) order; names not of the form `<view>.v<N>.json` are skipped. */
  files(): ViewFileRef[] {
    const out: ViewFileRef[] = [];
    let datasets: string[];
    try {
      datasets = readdirSync(this.schemasDir).sort();
    } catch {
      return [];
    }
    for (const dataset of datasets) {
      const dir = path.join(this.schemasDir, dataset, VIEWS_DIR);
      let names: string[];
      try {
        if (!statSync(dir).isDirectory()) continue;
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const m = VIEW_FILE.exec(n);
        if (m) out.push({ dataset, view: m[1]!, version: Number(m[2]), file: path.join(dir, n) });
      }
    }
    return out.sort((a, b) =>
      a.dataset !== b.dataset
        ? a.dataset < b.dataset
          ? -1
          : 1
        : a.view !== b.view
          ? a.view < b.view
            ? -1
            : 1
          : a.version - b.version,
    );
  }

  names(): string[] {
    return [...new Set(this.files().map((f) => f.view))].sort();
  }

  /** The latest version of a view (or the given one). */
  load(view: string, version?: number): LoadedView {
    const candidates = this.files().filter((f) => f.view === view);
    const ref = version === undefined ? candidates.at(-1) : candidates.find((f) => f.version === version);
    if (!ref) throw new ViewNotFoundError(version === undefined ? view : `${view}.v${version}`, this.names());
    return loadViewFile(ref);
  }

  /** The latest version of every view. */
  loadAll(): LoadedView[] {
    return this.names().map((n) => this.load(n));
  }

  /** Latest views fed by a dataset. */
  forDataset(dataset: string): LoadedView[] {
    const names = [
      ...new Set(
        this.files()
          .filter((f) => f.dataset === dataset)
          .map((f) => f.view),
      ),
    ];
    return names.map((n) => this.load(n));
  }
}

export function loadViewFile(ref: ViewFileRef): LoadedView {
  const bytes = readFileSync(ref.file);
  const view = parseView(bytes.toString("utf8"), ref.file);
  const problems: string[] = [];
  if (view.view !== ref.view)
    problems.push(`$.view is ${view.view} but the file is named ${ref.view}.v${ref.version}.json`);
  if (view.version !== ref.version)
    problems.push(`$.version is ${view.version} but the file is named ${ref.view}.v${ref.version}.json`);
  if (view.dataset !== ref.dataset)
    problems.push(`$.dataset is ${view.dataset} but the file sits under ${ref.dataset}/`);
  if (problems.length > 0) throw new SchemaFormatError(ref.file, problems);
  return { view, file: ref.file, md5: createHash("md5").update(bytes).digest("hex") };
}
