/** Deterministic ids and storage keys of lineage records: the same fact always lands on the same key. */
import { deterministicUuid } from "../hash/uuid.js";
import type { ContextTypeName, EventType, TerminalState, TypeRecord } from "./types.js";

/** OpenLineage job namespace of every lakeline job. */
export const JOB_NAMESPACE = "lakeline";

/** `<namespace>/<name>`; a namespace without authority ("file://") keeps its slashes: "file:///abs/path". */
export function artifactUri(namespace: string, name: string): string {
  const key = name.replace(/^\/+/, "");
  if (namespace.endsWith("://")) return `${namespace}/${key}`;
  return `${namespace.replace(/\/+$/, "")}/${key}`;
}

/** The inverse of `artifactUri` for a URI given by a user: namespace = scheme://authority, name = the path. */
export function splitUri(uri: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)\/+(.+)$/i.exec(uri);
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

export const artifactId = (uri: string, version: string | undefined | null) =>
  deterministicUuid("mlmd.artifact", uri, version ?? "");
/** One execution per OpenLineage run. */
export const executionId = (runId: string) => deterministicUuid("mlmd.execution", runId);
export const eventId = (executionId: string, artifactId: string, type: EventType) =>
  deterministicUuid("mlmd.event", executionId, artifactId, type);
export const contextId = (type: ContextTypeName, name: string) =>
  deterministicUuid("mlmd.context", type, name);
export const attributionId = (artifactId: string, contextId: string) =>
  deterministicUuid("mlmd.attribution", artifactId, contextId);
export const associationId = (executionId: string, contextId: string) =>
  deterministicUuid("mlmd.association", executionId, contextId);

export const MLMD_PREFIX = "mlmd/";
export const OPENLINEAGE_PREFIX = "openlineage/";

export const LINEAGE_KEYS = {
  type: (t: TypeRecord) => `mlmd/types/${t.kind}/${t.name}.json`,
  artifact: (id: string) => `mlmd/artifacts/${id}.json`,
  execution: (id: string) => `mlmd/executions/${id}.json`,
  executionState: (id: string, state: TerminalState) => `mlmd/execution_states/${id}/${state}.json`,
  event: (id: string) => `mlmd/events/${id}.json`,
  context: (id: string) => `mlmd/contexts/${id}.json`,
  attribution: (id: string) => `mlmd/attributions/${id}.json`,
  association: (id: string) => `mlmd/associations/${id}.json`,
  /** The artifacts a snapshot artifact (an export's one input) is made of: one record per snapshot. */
  snapshotMembers: (snapshotId: string) => `mlmd/snapshot_members/${snapshotId}.json`,
  /** Job names may hold characters that are not safe key segments (e.g. "/"). */
  openLineageEvent: (jobName: string, runId: string, eventType: string) =>
    `openlineage/${encodeURIComponent(jobName)}/${runId}/${eventType}.json`,
} as const;

/** Folders of each record kind under `mlmd/` (for listing and for SQL views). */
export const MLMD_FOLDERS = {
  artifacts: "mlmd/artifacts/",
  executions: "mlmd/executions/",
  executionStates: "mlmd/execution_states/",
  events: "mlmd/events/",
  contexts: "mlmd/contexts/",
  attributions: "mlmd/attributions/",
  associations: "mlmd/associations/",
  snapshotMembers: "mlmd/snapshot_members/",
} as const;
