/** Lineage subgraphs: walking artifact → execution → artifact links up (towards sources) or down. */
import type {
  ArtifactRecord,
  EventRecord,
  EventType,
  ExecutionRecord,
  ExecutionState,
  LineageSnapshot,
  Properties,
} from "./types.js";
import { isInputEvent } from "./types.js";

export type Direction = "up" | "down" | "both";

export interface ArtifactNode {
  readonly kind: "artifact";
  readonly id: string;
  readonly type: string;
  readonly uri: string;
  readonly name: string;
  readonly version: string | null;
  readonly size: number | null;
  readonly rowCount: number | null;
  readonly properties: Properties;
}

export interface ExecutionNode {
  readonly kind: "execution";
  readonly id: string;
  readonly type: string;
  readonly jobName: string;
  readonly runId: string;
  readonly state: ExecutionState;
  readonly startTime: string;
  readonly endTime: string | null;
  readonly errorMessage: string | null;
  readonly parameters: Properties;
}

export type LineageNode = ArtifactNode | ExecutionNode;

/** Inputs point artifact → execution, outputs execution → artifact: edges follow the data. */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly type: EventType;
}

export interface LineageGraph {
  readonly roots: readonly string[];
  readonly direction: Direction;
  readonly depth: number | null;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
}

export interface ResolvedState {
  readonly state: ExecutionState;
  readonly time: string | null;
  readonly errorMessage: string | null;
}

/** A retried run may have failed once and then completed: COMPLETE wins over FAILED. */
export function resolveExecutionStates(snapshot: LineageSnapshot): Map<string, ResolvedState> {
  const out = new Map<string, ResolvedState>();
  for (const s of snapshot.executionStates) {
    const prev = out.get(s.executionId);
    if (prev?.state === "COMPLETE") continue;
    out.set(s.executionId, { state: s.state, time: s.time, errorMessage: s.errorMessage });
  }
  return out;
}

const HEX_PREFIX = /^[0-9a-f]{6,32}$/;

/**
 * Artifacts a user means by `ref`: an artifact id, a full URI, an object key (name), a DVC
 * version hash, or an unambiguous-looking hash prefix (≥ 6 hex chars, as git allows).
 */
export function findArtifacts(snapshot: LineageSnapshot, ref: string): ArtifactRecord[] {
  const exact = snapshot.artifacts.filter(
    (a) => a.id === ref || a.uri === ref || a.name === ref || a.version === ref || a.version === `${ref}.dir`,
  );
  if (exact.length > 0 || !HEX_PREFIX.test(ref)) return exact;
  return snapshot.artifacts.filter((a) => a.version?.startsWith(ref));
}

export function artifactNode(a: ArtifactRecord): ArtifactNode {
  return {
    kind: "artifact",
    id: a.id,
    type: a.type,
    uri: a.uri,
    name: a.name,
    version: a.version,
    size: a.size,
    rowCount: a.rowCount,
    properties: a.properties,
  };
}

export function executionNode(e: ExecutionRecord, state: ResolvedState | undefined): ExecutionNode {
  return {
    kind: "execution",
    id: e.id,
    type: e.type,
    jobName: e.jobName,
    runId: e.runId,
    state: state?.state ?? "RUNNING",
    startTime: e.startTime,
    endTime: state?.time ?? null,
    errorMessage: state?.errorMessage ?? null,
    parameters: e.parameters,
  };
}

interface Index {
  readonly byArtifact: Map<string, EventRecord[]>;
  readonly byExecution: Map<string, EventRecord[]>;
}

function indexEvents(events: readonly EventRecord[]): Index {
  const byArtifact = new Map<string, EventRecord[]>();
  const byExecution = new Map<string, EventRecord[]>();
  const add = (map: Map<string, EventRecord[]>, id: string, e: EventRecord) => {
    const list = map.get(id);
    if (list) list.push(e);
    else map.set(id, [e]);
  };
  for (const e of events) {
    add(byArtifact, e.artifactId, e);
    add(byExecution, e.executionId, e);
  }
  return { byArtifact, byExecution };
}

/** One direction of the walk; a hop is artifact → execution → artifact. */
function walk(
  index: Index,
  roots: readonly string[],
  up: boolean,
  maxHops: number,
  artifacts: Set<string>,
  executions: Set<string>,
  edges: Map<string, LineageEdge>,
): void {
  let frontier = [...roots];
  for (let hop = 0; hop < maxHops && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const artifactId of frontier) {
      // Up: the executions that produced this artifact. Down: those that consumed it.
      const links = (index.byArtifact.get(artifactId) ?? []).filter((e) => isInputEvent(e.type) !== up);
      for (const link of links) {
        const edge = up
          ? { from: link.executionId, to: artifactId }
          : { from: artifactId, to: link.executionId };
        edges.set(`${edge.from}>${edge.to}`, { ...edge, type: link.type });
        const firstVisit = !executions.has(link.executionId);
        executions.add(link.executionId);
        if (!firstVisit) continue;
        const across = (index.byExecution.get(link.executionId) ?? []).filter(
          (e) => isInputEvent(e.type) === up,
        );
        for (const other of across) {
          const e = up
            ? { from: other.artifactId, to: link.executionId }
            : { from: link.executionId, to: other.artifactId };
          edges.set(`${e.from}>${e.to}`, { ...e, type: other.type });
          if (!artifacts.has(other.artifactId)) {
            artifacts.add(other.artifactId);
            next.push(other.artifactId);
          }
        }
      }
    }
    frontier = next;
  }
}

/**
 * The artifacts and executions a subgraph holds, from the events alone. A caller that loads events
 * on demand (the lineage index) repeats this until every node it returns has all its events loaded:
 * the walk then equals the walk over every event.
 */
export function subgraphIds(
  events: readonly EventRecord[],
  rootIds: readonly string[],
  options: { direction: Direction; depth?: number | undefined },
): { artifactIds: Set<string>; executionIds: Set<string>; edges: Map<string, LineageEdge> } {
  const maxHops = options.depth ?? Number.POSITIVE_INFINITY;
  const index = indexEvents(events);
  const artifactIds = new Set(rootIds);
  const executionIds = new Set<string>();
  const edges = new Map<string, LineageEdge>();
  // Each direction walks with its own visited sets: a node seen upstream may still lead on downstream.
  for (const up of [true, false]) {
    if (options.direction === (up ? "down" : "up")) continue;
    const artifacts = new Set(rootIds);
    const executions = new Set<string>();
    walk(index, rootIds, up, maxHops, artifacts, executions, edges);
    for (const a of artifacts) artifactIds.add(a);
    for (const e of executions) executionIds.add(e);
  }
  return { artifactIds, executionIds, edges };
}

export function lineageSubgraph(
  snapshot: LineageSnapshot,
  rootIds: readonly string[],
  options: { direction: Direction; depth?: number | undefined },
): LineageGraph {
  const maxHops = options.depth ?? Number.POSITIVE_INFINITY;
  const { artifactIds, executionIds, edges } = subgraphIds(snapshot.events, rootIds, options);

  const states = resolveExecutionStates(snapshot);
  const nodes: LineageNode[] = [
    ...snapshot.artifacts.filter((a) => artifactIds.has(a.id)).map(artifactNode),
    ...snapshot.executions
      .filter((e) => executionIds.has(e.id))
      .map((e) => executionNode(e, states.get(e.id))),
  ];
  const known = new Set(nodes.map((n) => n.id));
  return {
    roots: [...rootIds],
    direction: options.direction,
    depth: Number.isFinite(maxHops) ? maxHops : null,
    nodes,
    // An event whose execution record is not visible yet (a run still being written) is left out.
    edges: [...edges.values()].filter((e) => known.has(e.from) && known.has(e.to)),
  };
}
