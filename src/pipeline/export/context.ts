/** What the three parts of an export run hand each other. */
import type { ManifestSource } from "../../contract/export-keys.js";
import type { ResolvedExport } from "../../contract/export-request.js";
import type { IngestResult } from "../../contract/records.js";
import type { QueryEngine } from "../../ports/query-engine.js";
import type { DatasetRef } from "../lineage/recorder.js";
import type { DirEntryDigest } from "../shared/hash-files.js";
import type { ExportDeps, ExportResult } from "./deps.js";

/** A warehouse file an export reads: what the manifest lists, plus the raw blob it came from. */
export interface SourceFile extends ManifestSource {
  readonly sourceMd5: string | null;
}

/** The driver's answer: what this snapshot reads and which run it is. */
export interface ExportPlan {
  readonly deps: ExportDeps;
  readonly x: ResolvedExport;
  /** Result fields every outcome shares. */
  readonly base: Pick<
    ExportResult,
    "dataset" | "environment" | "name" | "requestedAsOf" | "split" | "splitKey" | "remote"
  >;
  readonly splitText: string;
  readonly keyNames: readonly string[];
  /** The run index as the driver read it: every committed run, and the marker run ids listed. */
  readonly listing: { readonly runs: readonly IngestResult[]; readonly committed: readonly string[] };
  /** The runs the snapshot reads (of `listing`: environment, as-of, latest processing of each blob). */
  readonly runs: readonly IngestResult[];
  readonly sources: readonly SourceFile[];
  /** OpenLineage inputs: the warehouse table's snapshot, one dataset. */
  readonly inputs: DatasetRef[];
  /** The snapshot's files, recorded in ML-Metadata (and listed in the manifest). */
  readonly files: DatasetRef[];
  /** The snapshot instant: the latest ingest read. */
  readonly snapshotAt: Date;
  readonly runId: string;
}

/** The run in scratch: the plan and the folder a local writer fills with `<split>/part-<n>.parquet`. */
export interface ExportContext {
  readonly plan: ExportPlan;
  readonly dataDir: string;
}

/**
 * A part of the export, hashed: a local file in scratch (DuckDB), or an object in the exports zone's
 * staging area (Athena), published by a server-side copy.
 */
export type MadePart = DirEntryDigest & ({ readonly file: string } | { readonly stagedKey: string });

/** What the executor made: the parts with rows per split, and the query that selected them. */
export interface ExportMade {
  readonly parts: readonly MadePart[];
  readonly rows: Record<string, number>;
  readonly totalRows: number;
  readonly query: string;
  readonly engine: QueryEngine["name"];
}
