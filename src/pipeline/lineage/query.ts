/** Lineage queries over everything recorded in a lineage store. */
import {
  type Direction,
  findArtifacts,
  type LineageGraph,
  lineageSubgraph,
  type ResolvedState,
  resolveExecutionStates,
} from "../../core/lineage/graph.js";
import type {
  ArtifactRecord,
  ArtifactTypeName,
  EventRecord,
  ExecutionRecord,
  LineageSnapshot,
} from "../../core/lineage/types.js";
import { isInputEvent } from "../../core/lineage/types.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { loadSnapshot, readOpenLineageEvents } from "./store.js";

export type { Direction, LineageGraph };
export { loadSnapshot, readOpenLineageEvents };

export function artifactsByType(snapshot: LineageSnapshot, type: ArtifactTypeName): ArtifactRecord[] {
  return snapshot.artifacts.filter((a) => a.type === type);
}

export function eventsByArtifact(snapshot: LineageSnapshot, artifactId: string): EventRecord[] {
  return snapshot.events
    .filter((e) => e.artifactId === artifactId)
    .sort((a, b) => a.time.localeCompare(b.time));
}

export function eventsByExecution(snapshot: LineageSnapshot, executionId: string): EventRecord[] {
  return snapshot.events
    .filter((e) => e.executionId === executionId)
    .sort((a, b) => a.time.localeCompare(b.time));
}

export interface ExecutionIO {
  readonly execution: ExecutionRecord;
  readonly state: ResolvedState;
  readonly inputs: ArtifactRecord[];
  readonly outputs: ArtifactRecord[];
}

/** An execution (by execution id or OpenLineage run id) with its resolved state, inputs and outputs. */
export function executionIO(snapshot: LineageSnapshot, idOrRunId: string): ExecutionIO | undefined {
  const execution = snapshot.executions.find((e) => e.id === idOrRunId || e.runId === idOrRunId);
  if (!execution) return undefined;
  const byId = new Map(snapshot.artifacts.map((a) => [a.id, a]));
  const events = eventsByExecution(snapshot, execution.id);
  const side = (input: boolean) => [
    ...new Set(events.filter((e) => isInputEvent(e.type) === input).map((e) => e.artifactId)),
  ];
  const resolve = (ids: string[]) =>
    ids.map((id) => byId.get(id)).filter((a): a is ArtifactRecord => a !== undefined);
  return {
    execution,
    state: resolveExecutionStates(snapshot).get(execution.id) ?? {
      state: "RUNNING",
      time: null,
      errorMessage: null,
    },
    inputs: resolve(side(true)),
    outputs: resolve(side(false)),
  };
}

export { findArtifacts };

export interface LineageQueryOptions {
  readonly direction?: Direction;
  /** Hops (artifact → execution → artifact); unlimited when absent. */
  readonly depth?: number;
}

/** The lineage subgraph around every artifact matching `ref` (key, URI, version hash or id). */
export function lineageOf(
  snapshot: LineageSnapshot,
  ref: string,
  options: LineageQueryOptions = {},
): LineageGraph {
  const roots = findArtifacts(snapshot, ref).map((a) => a.id);
  return lineageSubgraph(snapshot, roots, { direction: options.direction ?? "both", depth: options.depth });
}

/** Convenience for one-off questions: load the store, then walk. */
export async function queryLineage(
  store: ObjectStore,
  ref: string,
  options: LineageQueryOptions = {},
): Promise<LineageGraph> {
  return lineageOf(await loadSnapshot(store), ref, options);
}
