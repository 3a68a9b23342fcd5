/**
 * Export Lambda: a schedule (EventBridge rule) → as-of snapshot → repeatable split → exports
 * bucket laid out as a DVC remote → lineage. The rule's constant input is the export request
 * (`{ name, dataset, environment, split, seed }`, see infra/config.ts); an EventBridge event that
 * carries the request in `detail` works too. A malformed request is answered with a refusal (a
 * retry would be as malformed); any other error fails the invocation so the rule's retries and
 * dead-letter queue take over.
 * A `{ "trainingSet": { … } }` request (src/contract/training-set-request.ts) builds a
 * point-in-time training set instead, with Athena as the engine.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { trainingSetRequestIn } from "../src/contract/training-set-request.js";
import { UsageError } from "../src/core/errors.js";
import {
  type ExportDeps,
  type ExportRequest,
  type ExportResult,
  exportDataset,
} from "../src/pipeline/export/export.js";
import type { HistoryDeps, HistoryResult } from "../src/pipeline/features/history.js";
import { trainingSetFromRequest } from "../src/pipeline/features/history-remote.js";
import { errorDisposition, invocationLogging, type Refusal } from "./shared/middleware.js";

export interface ExportEvent {
  readonly detail?: unknown;
  readonly [key: string]: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const STRING_FIELDS = ["dataset", "environment", "seed", "where", "format", "name", "asOf"] as const;

/** The export request inside a schedule's input or an event's `detail`. */
export function exportRequestOf(event: ExportEvent): ExportRequest {
  const source = isRecord(event.detail) && "dataset" in event.detail ? event.detail : event;
  if (typeof source.dataset !== "string")
    throw new UsageError(
      "export event has no dataset (expected the request as the rule input or in detail)",
      { event },
    );
  for (const f of STRING_FIELDS) {
    if (source[f] !== undefined && typeof source[f] !== "string")
      throw new UsageError(`export event: ${f} must be a string`, { [f]: source[f] });
  }
  const { split, splitKey } = source;
  if (
    split !== undefined &&
    typeof split !== "string" &&
    !(isRecord(split) && Object.values(split).every((v) => typeof v === "number"))
  ) {
    throw new UsageError('export event: split must be "train=80,…" or {"train": 80, …}', { split });
  }
  if (
    splitKey !== undefined &&
    typeof splitKey !== "string" &&
    !(Array.isArray(splitKey) && splitKey.every((k) => typeof k === "string"))
  ) {
    throw new UsageError("export event: splitKey must be a string or a list of column names", { splitKey });
  }
  return source as unknown as ExportRequest;
}

/**
 * Kept from the invocation's time for what follows a stopped query: the lineage FAIL event and the
 * error response. Athena queries get the rest (see AthenaQueryEngineOptions.deadline).
 */
export const FAIL_RESERVE_MS = 20_000;

/** When this invocation must be done with its queries (epoch ms), set as each one starts. */
export interface InvocationDeadline {
  at?: number;
}

export function createExportHandler(
  deps: (deadline: InvocationDeadline) => Promise<ExportDeps | HistoryDeps>,
  logger = new Logger({ serviceName: "lakeline-export" }),
  now: () => number = Date.now,
) {
  const deadline: InvocationDeadline = {};
  const run = async (
    event: ExportEvent,
    context: Context,
  ): Promise<ExportResult | HistoryResult | Refusal> => {
    const left = context.getRemainingTimeInMillis?.();
    deadline.at = left === undefined ? undefined : now() + left - FAIL_RESERVE_MS;
    const trainingSet = trainingSetRequestIn(event);
    if (trainingSet !== undefined) {
      const d = await deps(deadline);
      if (!("views" in d)) throw new Error("export function wired without feature views");
      return trainingSetFromRequest(d, trainingSet);
    }
    const request = exportRequestOf(event);
    return exportDataset(await deps(deadline), request);
  };
  return middy(run).use(invocationLogging(logger)).use(errorDisposition());
}

let cached: Promise<HistoryDeps> | undefined;
/** Built once per container, on first use; AWS modules load only in AWS. */
export const handler = createExportHandler((deadline) => {
  cached ??= import("./shared/export-deps.js").then((m) => m.awsExportDeps(() => deadline.at));
  return cached;
});
