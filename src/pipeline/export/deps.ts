/** What the export use case is given (its ports) and what it reports. */

import type { ExportKeys } from "../../contract/export-keys.js";
import type { IngestResult } from "../../contract/records.js";
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { Clock } from "../../ports/clock.js";
import type { ExportWriter } from "../../ports/export-writer.js";
import type { LakeStores } from "../../ports/object-store.js";
import type { LineageRecorder } from "../lineage/recorder.js";

export interface ExportDeps {
  /** Reads `warehouse` (commit markers, files to hash); writes `exports`. */
  readonly stores: Pick<LakeStores, "warehouse" | "exports">;
  readonly schemas: SchemaRegistry;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  /** Local scratch space (Lambda: /tmp). */
  readonly scratchDir: string;
  /** Writes the snapshot's split parts: DuckDB on the local lake, Athena in AWS. */
  readonly writer: ExportWriter<IngestResult>;
  /**
   * Append the run index's lost entries and compact it while reading (a reader that may write the
   * warehouse: the CLI); the export function only reads. @default false
   */
  readonly healRunIndex?: boolean;
}

export type ExportStatus = "exported" | "unchanged" | "empty";

export interface ExportResult {
  readonly status: ExportStatus;
  readonly dataset: string;
  readonly environment: string;
  readonly name?: string;
  readonly requestedAsOf: string;
  /** The snapshot instant (latest ingest read); null when there was nothing to read. */
  readonly asOf: string | null;
  /** `<md5>` of data/ (folder name); null when empty. */
  readonly version: string | null;
  /** `<md5>.dir`, as in the `.dvc` file. */
  readonly md5: string | null;
  readonly split: string;
  readonly splitKey: readonly string[];
  readonly rows: Readonly<Record<string, number>>;
  readonly totalRows: number;
  readonly nfiles: number;
  readonly size: number;
  readonly sources: number;
  readonly keys: ExportKeys | null;
  /** e.g. `file:///lake/exports` or `s3://bucket`: the DVC remote URL. */
  readonly remote: string;
  readonly runId: string | null;
  readonly reason?: string;
  /** Split hygiene warnings, also written to the manifest (see core/split/hygiene.ts). */
  readonly warnings?: readonly string[];
}
