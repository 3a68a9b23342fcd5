/**
 * One lifecycle for every pipeline step, as TFX runs a component: the driver has already said which
 * run this is; here the run gets its scratch space, announces itself (lineage START), lets the executor
 * work in scratch, publishes with conditional writes, announces COMPLETE and writes its commit last.
 * A run that throws announces FAIL (unless COMPLETE is already out) and leaves its typed failure
 * record; a failure to write either is logged, never dropped, and the original error is rethrown.
 * Scratch space is removed on every path.
 */
import { errorMessage } from "../../core/errors.js";
import type { Clock } from "../../ports/clock.js";
import type { Scratch } from "../../ports/scratch.js";
import type { DatasetRef, LineageRecorder, RunHandle, RunStart } from "../lineage/recorder.js";

/** What a publisher hands back: the step's result and the outputs lineage COMPLETE names. */
export interface Published<R> {
  readonly result: R;
  readonly outputs: DatasetRef[];
}

/** A step's three parts, over one run context `C` (what the driver prepared in scratch). */
export interface Step<C, Made, R> {
  /** Names the scratch folder and the log lines (`ingest`, `export`). */
  readonly kind: string;
  /** Driver work that needs scratch (download, hash): the run context and its lineage START. */
  prepare(dir: string): Promise<{ context: C; start: Omit<RunStart, "eventTime"> }>;
  /** All work in scratch; no store writes. */
  execute(context: C, dir: string): Promise<Made>;
  /** Conditional writes of what the executor made. */
  publish(context: C, made: Made): Promise<Published<R>>;
  /** The commit (e.g. a marker): written after COMPLETE, the last write of the run. */
  commit?(context: C, result: R): Promise<void>;
  /** The typed failure record of a run that threw (written by the step, e.g. to the failed zone). */
  recordFailure?(err: unknown, context: C | undefined): Promise<void>;
  /** Released on every path, before scratch is removed (e.g. a speculative engine batch). */
  release?(): Promise<void>;
}

/** Where a lost lineage FAIL or failure record is reported; the run's own error is still thrown. */
export type StepLog = (message: string, data: Record<string, unknown>) => void;

export interface StepDeps {
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  readonly scratch: Scratch;
  readonly log?: StepLog;
}

const defaultLog: StepLog = (message, data) =>
  console.error(JSON.stringify({ level: "ERROR", message, ...data }));

export async function runStep<C, Made, R>(deps: StepDeps, step: Step<C, Made, R>): Promise<R> {
  const dir = await deps.scratch.create(`lakeline-${step.kind}-`);
  const state: { context?: C; run?: RunHandle; completed: boolean } = { completed: false };
  try {
    const { context, start } = await step.prepare(dir);
    state.context = context;
    state.run = await deps.lineage.start({ ...start, eventTime: deps.clock.now() });
    const made = await step.execute(context, dir);
    const { result, outputs } = await step.publish(context, made);
    await state.run.complete({ eventTime: deps.clock.now(), outputs });
    // Once COMPLETE is out, every output exists and only the commit can be missing: a later FAIL
    // would leave lineage saying "failed" for a run that a retry merely commits.
    state.completed = true;
    await step.commit?.(context, result);
    return result;
  } catch (err) {
    await reportFailure(deps, step, state, err);
    throw err;
  } finally {
    await release(deps, step, dir);
  }
}

async function reportFailure<C>(
  deps: StepDeps,
  step: Step<C, unknown, unknown>,
  state: { context?: C; run?: RunHandle; completed: boolean },
  err: unknown,
): Promise<void> {
  const log = deps.log ?? defaultLog;
  const error = err instanceof Error ? err : new Error(String(err));
  if (state.run && !state.completed) {
    await state.run.fail({ eventTime: deps.clock.now(), error }).catch((lost: unknown) =>
      log(`${step.kind}: lineage FAIL not recorded`, {
        runId: state.run?.runId,
        error: errorMessage(err),
        lost: errorMessage(lost),
      }),
    );
  }
  if (step.recordFailure) {
    await step.recordFailure(err, state.context).catch((lost: unknown) =>
      log(`${step.kind}: failure record not written`, {
        error: errorMessage(err),
        lost: errorMessage(lost),
      }),
    );
  }
}

async function release(deps: StepDeps, step: Step<unknown, unknown, unknown>, dir: string): Promise<void> {
  try {
    await step.release?.();
  } finally {
    await deps.scratch.dispose(dir);
  }
}
