/** What the ingest use case is given: its ports and limits, the object to ingest, and options. */
import type { SchemaRegistry } from "../../contract/schema-registry.js";
import type { Clock } from "../../ports/clock.js";
import type { EngineOptions, IngestEngine, ReadLimits } from "../../ports/ingest-engine.js";
import type { LakeStores } from "../../ports/object-store.js";
import type { LineageRecorder } from "../lineage/recorder.js";

export interface IngestDeps {
  readonly stores: LakeStores;
  readonly schemas: SchemaRegistry;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  /** Local scratch space (Lambda: /tmp). */
  readonly scratchDir: string;
  /** Stages each blob (DuckDB: adapters/duckdb's duckdbIngestEngine). */
  readonly engine: IngestEngine;
  /** Read limits for the engine; default: the engine's. */
  readonly limits?: ReadLimits;
  /** Engine tuning (memory limit, threads). */
  readonly database?: EngineOptions;
  /** Blobs larger than this are routed to the scale-out path instead of processed here. */
  readonly maxBlobBytes?: number;
  /** If set, a routed CSV or JSON-lines blob is split into raw parts of about this size (scale-out). */
  readonly partBytes?: number;
  /** Told as a run moves on, for progress display on long blobs. */
  readonly onPhase?: (phase: IngestPhase, key: string) => void;
}

/** Where a run is: staging (parse, check, hash), writing (Parquet, statistics), publishing. */
export type IngestPhase = "stage" | "write" | "publish";

export type { IngestOptions, ObjectRef } from "../../contract/records.js";
