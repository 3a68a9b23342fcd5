/**
 * Where a training set lives in the exports zone: beside the dataset exports, under a prefix no
 * dataset can take (dataset names are snake_case), laid out the same way so `dvc pull` works:
 *
 *   training-sets/<name>/<version>/data/<split>/part-<n>.parquet
 *   training-sets/<name>/<version>/manifest.json
 *   training-sets/<name>/<version>/<name>.dvc        written last: its presence commits the training set
 *   files/md5/<2>/<30>                               DVC objects (shared with dataset exports)
 */

import { DATA_DIR, type ManifestFile, type ManifestSource } from "../../contract/export-keys.js";
import type { KnowledgeMode } from "../../core/features/history-sql.js";
import type { SplitRange } from "../../core/split/spec.js";

export const TRAINING_SETS_PREFIX = "training-sets";
export const TRAINING_SET_PIPELINE_VERSION = "lakeline-features/1";

export interface TrainingSetKeys {
  readonly root: string;
  readonly data: string;
  readonly manifest: string;
  readonly dvcFile: string;
}

export function trainingSetKeys(name: string, version: string): TrainingSetKeys {
  const root = `${TRAINING_SETS_PREFIX}/${name}/${version}`;
  return {
    root,
    data: `${root}/${DATA_DIR}`,
    manifest: `${root}/manifest.json`,
    dvcFile: `${root}/${name}.dvc`,
  };
}

export interface TrainingSetFeature {
  readonly view: string;
  readonly viewVersion: number;
  readonly viewMd5: string;
  readonly dataset: string;
  readonly feature: string;
  readonly sourceColumn: string;
  readonly column: string;
  readonly type: string;
  /** Entity rows that received a value. */
  readonly served: number;
}

export interface TrainingSetManifest {
  readonly manifestFormat: 1;
  readonly kind: "training-set";
  readonly name: string;
  readonly md5: string;
  readonly version: string;
  /** Nothing ingested after this instant was read. */
  readonly asOf: string;
  /** "row": a value counts only if ingested at or before the entity row's timestamp; "as-of": if at or before asOf. */
  readonly knowledge: KnowledgeMode;
  readonly tieBreak: readonly string[];
  readonly entities: {
    readonly file: string;
    readonly md5: string;
    readonly rows: number;
    readonly keys: readonly string[];
    readonly timestamp: string;
    readonly label: string | null;
  };
  readonly features: readonly TrainingSetFeature[];
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly split: {
    readonly parts: readonly SplitRange[];
    readonly seed: string;
    readonly key: readonly string[];
    readonly hash: string;
  };
  readonly rows: Readonly<Record<string, number>>;
  readonly totalRows: number;
  readonly files: readonly ManifestFile[];
  readonly sources: readonly (ManifestSource & { readonly dataset: string })[];
  readonly query: string;
  readonly engine: "duckdb" | "athena";
  readonly runId: string;
  readonly pipelineVersion: string;
}
