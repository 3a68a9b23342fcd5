/**
 * The lineage publisher every pipeline step shares: OpenLineage RunEvents (stored, and sent to
 * sinks such as EventBridge) plus ML-Metadata records. Everything is append-only and keyed by
 * content, so retries, re-delivered S3 events and concurrent Lambdas need no locks.
 */
import { UsageError } from "../../core/errors.js";
import { LINEAGE_KEYS, MLMD_FOLDERS } from "../../core/lineage/ids.js";
import {
  buildRunEvent,
  DEFAULT_PRODUCER,
  type RunEvent,
  type RunEventType,
} from "../../core/lineage/openlineage.js";
import { endPlan, type RecordPlan, startPlan } from "../../core/lineage/records.js";
import type {
  ContextRef,
  DatasetRef,
  ExecutionTypeName,
  ParentRef,
  Properties,
  SnapshotInput,
} from "../../core/lineage/types.js";
import { mapLimit } from "../../core/map-limit.js";
import type { OpenLineageSink } from "../../ports/lineage-sink.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { indexKeysOf, writeIndexKeys } from "./lineage-index.js";
import { putOnce } from "./store.js";

export type {
  ArtifactTypeName,
  DatasetRef,
  ExecutionTypeName,
  SnapshotInput,
} from "../../core/lineage/types.js";

export interface RunStart {
  /** A UUID (deterministic, supplied by the caller). */
  runId: string;
  /** e.g. "ingest.penguins"; the job namespace is "lakeline". */
  jobName: string;
  executionType: ExecutionTypeName;
  eventTime: Date;
  inputs: DatasetRef[];
  /**
   * The artifacts each snapshot input stands for (the files of a table snapshot): recorded in
   * ML-Metadata as one members record per snapshot, so neither the RunEvent nor the number of
   * records grows with them; a query walking through a snapshot expands its input event into one
   * per member.
   */
  inputMembers?: readonly SnapshotInput[];
  parameters?: Record<string, string | number | boolean>;
  contexts?: { type: "Dataset" | "PipelineRun" | "Experiment"; name: string }[];
  parent?: { runId: string; jobName: string };
}

export interface RunHandle {
  readonly runId: string;
  complete(args: { eventTime: Date; outputs: DatasetRef[]; inputs?: DatasetRef[] }): Promise<void>;
  fail(args: { eventTime: Date; error: Error; outputs?: DatasetRef[] }): Promise<void>;
}

export type { OpenLineageSink };

export interface LineageRecorder {
  start(run: RunStart): Promise<RunHandle>;
}

/** Records written at once (each also writes its index entries, a few at a time). */
const WRITE_CONCURRENCY = 16;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createLineageRecorder(
  store: ObjectStore,
  options: { sinks?: OpenLineageSink[]; producer?: string } = {},
): LineageRecorder {
  const writer = new LineageWriter(store, options.sinks ?? []);
  const producer = options.producer ?? DEFAULT_PRODUCER;
  return {
    async start(run: RunStart): Promise<RunHandle> {
      if (!UUID.test(run.runId))
        throw new UsageError(`lineage run id must be a UUID, got ${JSON.stringify(run.runId)}`);
      if (!run.jobName) throw new UsageError("lineage job name must not be empty");
      const contexts: ContextRef[] = run.contexts ?? [];
      const parameters: Properties = run.parameters ?? {};
      await writer.writePlan(startPlan({ ...run, contexts, parameters }));
      await writer.publish(
        buildRunEvent({
          ...eventBase(run, producer),
          eventType: "START",
          eventTime: run.eventTime,
          inputs: run.inputs,
          outputs: [],
        }),
      );
      const finish = (eventType: RunEventType, args: FinishArgs) =>
        finishRun(writer, run, producer, contexts, eventType, args);
      return {
        runId: run.runId,
        complete: (args) => finish("COMPLETE", args),
        fail: (args) =>
          finish("FAIL", { eventTime: args.eventTime, outputs: args.outputs ?? [], error: args.error }),
      };
    },
  };
}

interface FinishArgs {
  eventTime: Date;
  outputs: DatasetRef[];
  inputs?: DatasetRef[];
  error?: Error;
}

function eventBase(run: RunStart, producer: string) {
  return {
    runId: run.runId,
    jobName: run.jobName,
    executionType: run.executionType,
    producer,
    ...(run.parent ? { parent: run.parent as ParentRef } : {}),
  };
}

async function finishRun(
  writer: LineageWriter,
  run: RunStart,
  producer: string,
  contexts: ContextRef[],
  eventType: RunEventType,
  args: FinishArgs,
): Promise<void> {
  const inputs = [...run.inputs, ...(args.inputs ?? [])];
  await writer.writePlan(
    endPlan({
      runId: run.runId,
      state: eventType === "COMPLETE" ? "COMPLETE" : "FAILED",
      eventTime: args.eventTime,
      inputs: args.inputs ?? [],
      outputs: args.outputs,
      contexts,
      ...(args.error ? { error: args.error } : {}),
    }),
  );
  await writer.publish(
    buildRunEvent({
      ...eventBase(run, producer),
      eventType,
      eventTime: args.eventTime,
      inputs,
      outputs: args.outputs,
      ...(args.error ? { error: args.error } : {}),
    }),
  );
}

/** Writes record plans and RunEvents, each once. */
class LineageWriter {
  /** Keys this recorder has seen exist (types, shared input artifacts): skip re-putting them in a warm Lambda. */
  private readonly known = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly sinks: readonly OpenLineageSink[],
  ) {}

  async writePlan(plan: RecordPlan): Promise<void> {
    for (const phase of [plan.entities, plan.executions, plan.links, plan.final]) {
      const pending = new Map<string, unknown>();
      for (const w of phase) if (!this.known.has(w.key)) pending.set(w.key, w.value);
      // Bounded: an export of a thousand runs links a thousand input files; all of them in flight
      // at once held every request's buffers (and sockets, on S3) at the same time.
      await mapLimit([...pending], WRITE_CONCURRENCY, async ([key, value]) => {
        await this.write(key, value);
        this.known.add(key);
      });
    }
  }

  /**
   * A record with lineage index entries (an artifact, an event) has them written first, so a record
   * that exists has its entries: an artifact recorded before (an export's input files) costs one
   * head, not a put per entry. An entry whose record a crash left unwritten misleads no one: artifact
   * lookups are checked against the record on read, and an event's link joins records of the
   * phases before it (its artifact and its execution).
   */
  private async write(key: string, value: unknown): Promise<void> {
    const index = indexKeysOf([{ key, value }]);
    if (index.length > 0) {
      if (key.startsWith(MLMD_FOLDERS.artifacts) && (await this.store.head(key))) return;
      await writeIndexKeys(this.store, index);
    }
    await putOnce(this.store, key, value);
  }

  /**
   * Sinks first, store second: a sink failure leaves no stored event, so the retry emits again
   * (at-least-once); an event already stored was already emitted and is not sent twice.
   */
  async publish(event: RunEvent): Promise<void> {
    const key = LINEAGE_KEYS.openLineageEvent(event.job.name, event.run.runId, event.eventType);
    if (await this.store.head(key)) return;
    for (const sink of this.sinks) await sink.emit(event);
    await putOnce(this.store, key, event);
  }
}
