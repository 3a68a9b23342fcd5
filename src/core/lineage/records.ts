/**
 * The MLMD records one run step produces, as (key, value) writes. Keys are content-derived, so
 * the store's create-only put makes every write idempotent and lock-free.
 */
import {
  artifactId,
  artifactUri,
  associationId,
  attributionId,
  contextId,
  eventId,
  executionId,
  LINEAGE_KEYS,
} from "./ids.js";
import { snapshotMembersWrite } from "./snapshot-members.js";
import type {
  ArtifactRecord,
  AssociationRecord,
  AttributionRecord,
  ContextRecord,
  ContextRef,
  DatasetRef,
  EventRecord,
  EventType,
  ExecutionRecord,
  ExecutionStateRecord,
  ExecutionTypeName,
  ParentRef,
  Properties,
  SnapshotInput,
  TerminalState,
  TypeRecord,
} from "./types.js";

export interface RecordWrite {
  readonly key: string;
  readonly value: unknown;
}

/** Writes grouped so that a record is never visible before what it points to. */
export interface RecordPlan {
  /** Types, artifacts and contexts: nothing refers to them yet. */
  readonly entities: RecordWrite[];
  /** Executions: refer to nothing but are what links hang from. */
  readonly executions: RecordWrite[];
  /** Events, attributions, associations: refer to the above. */
  readonly links: RecordWrite[];
  /** A terminal state: written last, so "COMPLETE" implies all outputs are recorded. */
  readonly final: RecordWrite[];
}

const emptyPlan = (): RecordPlan => ({ entities: [], executions: [], links: [], final: [] });

function typeWrite(kind: TypeRecord["kind"], name: string): RecordWrite {
  const value: TypeRecord = { kind, name };
  return { key: LINEAGE_KEYS.type(value), value };
}

export function artifactRecord(ref: DatasetRef, time: Date): ArtifactRecord {
  const uri = artifactUri(ref.namespace, ref.name);
  return {
    id: artifactId(uri, ref.version),
    type: ref.artifactType,
    uri,
    namespace: ref.namespace,
    name: ref.name,
    version: ref.version ?? null,
    size: ref.size ?? null,
    rowCount: ref.rowCount ?? null,
    properties: { ...(ref.properties ?? {}) },
    createTime: time.toISOString(),
  };
}

function contextRecord(ref: ContextRef, time: Date): ContextRecord {
  return {
    id: contextId(ref.type, ref.name),
    type: ref.type,
    name: ref.name,
    createTime: time.toISOString(),
  };
}

/** Artifacts + their events (and context attributions) for one side of an execution. */
function addArtifacts(
  plan: RecordPlan,
  execId: string,
  refs: readonly DatasetRef[],
  type: EventType,
  contexts: readonly ContextRecord[],
  time: Date,
): void {
  for (const ref of refs) {
    const artifact = artifactRecord(ref, time);
    plan.entities.push(typeWrite("ArtifactType", artifact.type), {
      key: LINEAGE_KEYS.artifact(artifact.id),
      value: artifact,
    });
    const event: EventRecord = {
      id: eventId(execId, artifact.id, type),
      artifactId: artifact.id,
      executionId: execId,
      type,
      time: time.toISOString(),
    };
    plan.links.push({ key: LINEAGE_KEYS.event(event.id), value: event });
    for (const ctx of contexts) {
      const attribution: AttributionRecord = {
        id: attributionId(artifact.id, ctx.id),
        artifactId: artifact.id,
        contextId: ctx.id,
      };
      plan.links.push({ key: LINEAGE_KEYS.attribution(attribution.id), value: attribution });
    }
  }
}

function addContexts(plan: RecordPlan, refs: readonly ContextRef[], time: Date): ContextRecord[] {
  const records = refs.map((r) => contextRecord(r, time));
  for (const c of records)
    plan.entities.push(typeWrite("ContextType", c.type), { key: LINEAGE_KEYS.context(c.id), value: c });
  return records;
}

export interface StartPlanArgs {
  readonly runId: string;
  readonly jobName: string;
  readonly executionType: ExecutionTypeName;
  readonly eventTime: Date;
  readonly inputs: readonly DatasetRef[];
  /** Inputs that stand for many artifacts (table snapshots): one members record each. */
  readonly inputMembers?: readonly SnapshotInput[];
  readonly parameters?: Properties;
  readonly contexts?: readonly ContextRef[];
  readonly parent?: ParentRef;
}

export function startPlan(run: StartPlanArgs): RecordPlan {
  const plan = emptyPlan();
  const execution: ExecutionRecord = {
    id: executionId(run.runId),
    type: run.executionType,
    runId: run.runId,
    jobName: run.jobName,
    state: "RUNNING",
    parameters: { ...(run.parameters ?? {}) },
    parentRunId: run.parent?.runId ?? null,
    startTime: run.eventTime.toISOString(),
  };
  plan.entities.push(typeWrite("ExecutionType", execution.type));
  plan.executions.push({ key: LINEAGE_KEYS.execution(execution.id), value: execution });
  const contexts = addContexts(plan, run.contexts ?? [], run.eventTime);
  for (const ctx of contexts) {
    const association: AssociationRecord = {
      id: associationId(execution.id, ctx.id),
      executionId: execution.id,
      contextId: ctx.id,
    };
    plan.links.push({ key: LINEAGE_KEYS.association(association.id), value: association });
  }
  addArtifacts(plan, execution.id, run.inputs, "INPUT", contexts, run.eventTime);
  // An entity: written before the snapshot's input event, so an event that exists can be expanded.
  for (const m of run.inputMembers ?? []) plan.entities.push(snapshotMembersWrite(m.snapshot, m.members));
  return plan;
}

export interface EndPlanArgs {
  readonly runId: string;
  readonly state: TerminalState;
  readonly eventTime: Date;
  readonly inputs?: readonly DatasetRef[];
  readonly outputs: readonly DatasetRef[];
  readonly contexts?: readonly ContextRef[];
  readonly error?: Error;
}

/** A failed run's outputs are only DECLARED: they may be partial and must not count as produced. */
export function endPlan(args: EndPlanArgs): RecordPlan {
  const plan = emptyPlan();
  const execId = executionId(args.runId);
  const contexts = addContexts(plan, args.contexts ?? [], args.eventTime);
  addArtifacts(plan, execId, args.inputs ?? [], "INPUT", contexts, args.eventTime);
  addArtifacts(
    plan,
    execId,
    args.outputs,
    args.state === "COMPLETE" ? "OUTPUT" : "DECLARED_OUTPUT",
    contexts,
    args.eventTime,
  );
  const state: ExecutionStateRecord = {
    executionId: execId,
    state: args.state,
    time: args.eventTime.toISOString(),
    errorMessage: args.error ? args.error.message || args.error.name : null,
  };
  plan.final.push({ key: LINEAGE_KEYS.executionState(execId, args.state), value: state });
  return plan;
}
