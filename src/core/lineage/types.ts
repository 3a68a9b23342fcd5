/**
 * Lineage after ML Metadata (MLMD): artifacts (data and models) are consumed and produced by
 * executions through events; contexts group both. Every record is immutable and its id is
 * derived from its content's identity, so recording the same fact twice is a no-op.
 */
import type { DatasetStatistics } from "../stats/types.js";

export const ARTIFACT_TYPES = [
  "RawBlob",
  "WarehouseFile",
  "WarehousePartition",
  "WarehouseSnapshot",
  "Schema",
  "Statistics",
  "AnomaliesReport",
  "QuarantineFile",
  "Export",
  "Model",
] as const;
export type ArtifactTypeName = (typeof ARTIFACT_TYPES)[number];

export const EXECUTION_TYPES = ["Ingest", "Validate", "Export", "Train", "Compact"] as const;
export type ExecutionTypeName = (typeof EXECUTION_TYPES)[number];

export const CONTEXT_TYPES = ["Dataset", "PipelineRun", "Experiment"] as const;
export type ContextTypeName = (typeof CONTEXT_TYPES)[number];

export type ExecutionState = "RUNNING" | "COMPLETE" | "FAILED";
export type TerminalState = Exclude<ExecutionState, "RUNNING">;

/** MLMD event types. INPUT/OUTPUT: actually read/written; DECLARED_*: planned (e.g. outputs of a failed run). */
export type EventType = "DECLARED_INPUT" | "DECLARED_OUTPUT" | "INPUT" | "OUTPUT";

export type PropertyValue = string | number | boolean;
export type Properties = Record<string, PropertyValue>;

export interface FieldRef {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

/** A dataset (or model) as a pipeline step reports it. */
export interface DatasetRef {
  /** ObjectStore.namespace, e.g. "s3://my-bucket" or "file:///abs/lake/raw". */
  readonly namespace: string;
  /** Object key (or folder prefix for a partition/export). */
  readonly name: string;
  /** DVC md5 (file) or "<md5>.dir". */
  readonly version?: string;
  readonly artifactType: ArtifactTypeName;
  readonly size?: number;
  readonly rowCount?: number;
  readonly fields?: readonly FieldRef[];
  readonly statistics?: DatasetStatistics;
  readonly properties?: Properties;
}

/**
 * An input that stands for many artifacts (a table snapshot, one of a run's inputs) and the
 * artifacts it is made of: one members record, not an event per member.
 */
export interface SnapshotInput {
  readonly snapshot: DatasetRef;
  readonly members: readonly DatasetRef[];
}

export interface ContextRef {
  readonly type: ContextTypeName;
  readonly name: string;
}

export interface ParentRef {
  readonly runId: string;
  readonly jobName: string;
}

export interface TypeRecord {
  readonly kind: "ArtifactType" | "ExecutionType" | "ContextType";
  readonly name: string;
}

export interface ArtifactRecord {
  readonly id: string;
  readonly type: ArtifactTypeName;
  /** `<namespace>/<name>`. */
  readonly uri: string;
  readonly namespace: string;
  readonly name: string;
  readonly version: string | null;
  readonly size: number | null;
  readonly rowCount: number | null;
  readonly properties: Properties;
  /** When this artifact was first recorded. */
  readonly createTime: string;
}

export interface ExecutionRecord {
  readonly id: string;
  readonly type: ExecutionTypeName;
  /** OpenLineage run id. */
  readonly runId: string;
  /** OpenLineage job name (namespace "lakeline"). */
  readonly jobName: string;
  /** State when first recorded: always RUNNING; terminal states are separate records. */
  readonly state: "RUNNING";
  readonly parameters: Properties;
  readonly parentRunId: string | null;
  readonly startTime: string;
}

/** An execution's end, stored beside (never over) its start record. */
export interface ExecutionStateRecord {
  readonly executionId: string;
  readonly state: TerminalState;
  readonly time: string;
  readonly errorMessage: string | null;
}

/**
 * The artifacts a snapshot artifact stands for (an export's warehouse files): an execution that
 * reads the snapshot records ONE input event on it, and a query expands that event into one input
 * per member (expandSnapshotInputs), so the records an export writes do not grow with its files.
 */
export interface SnapshotMembersRecord {
  readonly snapshotId: string;
  readonly members: readonly string[];
}

export interface EventRecord {
  readonly id: string;
  readonly artifactId: string;
  readonly executionId: string;
  readonly type: EventType;
  readonly time: string;
}

export interface ContextRecord {
  readonly id: string;
  readonly type: ContextTypeName;
  readonly name: string;
  readonly createTime: string;
}

export interface AttributionRecord {
  readonly id: string;
  readonly artifactId: string;
  readonly contextId: string;
}

export interface AssociationRecord {
  readonly id: string;
  readonly executionId: string;
  readonly contextId: string;
}

/** Everything the store holds, loaded for queries. */
export interface LineageSnapshot {
  readonly artifacts: readonly ArtifactRecord[];
  readonly executions: readonly ExecutionRecord[];
  readonly executionStates: readonly ExecutionStateRecord[];
  readonly events: readonly EventRecord[];
  readonly contexts: readonly ContextRecord[];
  readonly attributions: readonly AttributionRecord[];
  readonly associations: readonly AssociationRecord[];
}

export function isInputEvent(type: EventType): boolean {
  return type === "INPUT" || type === "DECLARED_INPUT";
}
