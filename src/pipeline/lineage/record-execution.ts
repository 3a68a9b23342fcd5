/** Recording a step that ran outside lakeline (e.g. model training) against lineage already in the store. */
import { LineageNotFoundError, UsageError } from "../../core/errors.js";
import { deterministicUuid } from "../../core/hash/uuid.js";
import { findArtifacts } from "../../core/lineage/graph.js";
import { artifactUri, splitUri } from "../../core/lineage/ids.js";
import type {
  ArtifactRecord,
  ArtifactTypeName,
  ContextRef,
  DatasetRef,
  ExecutionTypeName,
  LineageSnapshot,
  Properties,
} from "../../core/lineage/types.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { createLineageRecorder, type OpenLineageSink } from "./recorder.js";
import { loadSnapshot } from "./store.js";

export interface ExternalOutput {
  /** e.g. "s3://models/penguins/model.onnx" or "file:///abs/model.pkl". */
  readonly uri: string;
  readonly artifactType: ArtifactTypeName;
  readonly version?: string;
  readonly size?: number;
}

export interface RecordExecutionArgs {
  readonly executionType: ExecutionTypeName;
  /** Artifacts already in the store, each by key, URI, version hash or id. */
  readonly inputs: readonly string[];
  readonly outputs: readonly ExternalOutput[];
  readonly properties?: Properties;
  readonly jobName?: string;
  readonly experiment?: string;
  readonly eventTime: Date;
}

export interface RecordedExecution {
  readonly runId: string;
  readonly jobName: string;
  readonly inputs: readonly ArtifactRecord[];
  readonly outputs: readonly DatasetRef[];
}

/** One input reference → the artifacts it denotes; identical content under several names is fine, ambiguity is not. */
function resolveInput(snapshot: LineageSnapshot, ref: string): ArtifactRecord[] {
  const matches = findArtifacts(snapshot, ref);
  if (matches.length === 0)
    throw new LineageNotFoundError(`no artifact in the lineage store matches ${JSON.stringify(ref)}`, {
      ref,
    });
  const exact = matches.filter((a) => a.id === ref || a.uri === ref);
  if (exact.length > 0) return exact;
  const versions = new Set(matches.map((a) => a.version));
  if (versions.size > 1) {
    throw new UsageError(
      `${JSON.stringify(ref)} matches ${matches.length} artifact versions (${[...versions].join(", ")}): pass a version hash or URI`,
      { ref, versions: [...versions] },
    );
  }
  return matches;
}

function toRef(a: ArtifactRecord): DatasetRef {
  return {
    namespace: a.namespace,
    name: a.name,
    artifactType: a.type,
    ...(a.version ? { version: a.version } : {}),
    ...(a.size !== null ? { size: a.size } : {}),
    ...(a.rowCount !== null ? { rowCount: a.rowCount } : {}),
  };
}

function outputRef(out: ExternalOutput): DatasetRef {
  const parts = splitUri(out.uri);
  if (!parts)
    throw new UsageError(
      `output must be a URI such as s3://bucket/key or file:///path, got ${JSON.stringify(out.uri)}`,
    );
  return {
    ...parts,
    artifactType: out.artifactType,
    ...(out.version ? { version: out.version } : {}),
    ...(out.size !== undefined ? { size: out.size } : {}),
  };
}

function defaultJobName(type: ExecutionTypeName, outputs: readonly DatasetRef[]): string {
  const base = outputs[0]?.name
    .split("/")
    .at(-1)
    ?.replace(/\.[^.]*$/, "");
  return base ? `${type.toLowerCase()}.${base}` : type.toLowerCase();
}

/**
 * Records a completed execution consuming stored artifacts and producing new ones. The run id is
 * derived from what was recorded, so running the same command twice adds nothing.
 */
export async function recordExecution(
  store: ObjectStore,
  args: RecordExecutionArgs,
  options: { sinks?: OpenLineageSink[]; producer?: string } = {},
): Promise<RecordedExecution> {
  if (args.inputs.length === 0) throw new UsageError("record at least one --input");
  if (args.outputs.length === 0) throw new UsageError("record at least one --output");
  const snapshot = await loadSnapshot(store);
  const inputs = [
    ...new Map(args.inputs.flatMap((r) => resolveInput(snapshot, r)).map((a) => [a.id, a])).values(),
  ];
  const outputs = args.outputs.map(outputRef);
  const jobName = args.jobName ?? defaultJobName(args.executionType, outputs);
  const properties = args.properties ?? {};
  const runId = deterministicUuid(
    "lineage.record",
    args.executionType,
    jobName,
    JSON.stringify(inputs.map((a) => a.id).sort()),
    JSON.stringify(outputs.map((o) => [artifactUri(o.namespace, o.name), o.version ?? ""]).sort()),
    JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
  const contexts: ContextRef[] = args.experiment ? [{ type: "Experiment", name: args.experiment }] : [];
  const recorder = createLineageRecorder(store, options);
  const run = await recorder.start({
    runId,
    jobName,
    executionType: args.executionType,
    eventTime: args.eventTime,
    inputs: inputs.map(toRef),
    parameters: properties,
    contexts,
  });
  await run.complete({ eventTime: args.eventTime, outputs });
  return { runId, jobName, inputs, outputs };
}
