/** Sends OpenLineage RunEvents to an EventBridge bus, where rules route them to any consumer. */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { BackendError } from "../../core/errors.js";
import type { OpenLineageSink } from "../../ports/lineage-sink.js";

export const LINEAGE_EVENT_SOURCE = "lakeline";
export const LINEAGE_DETAIL_TYPE = "OpenLineage RunEvent";
/** PutEvents rejects entries above 256 KiB (Source + DetailType + Detail, UTF-8). */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Per-entry failures worth another attempt; anything else (e.g. a missing bus) will not heal. */
const RETRIABLE = new Set([
  "ThrottlingException",
  "InternalFailure",
  "InternalException",
  "ServiceUnavailable",
]);
/** Facets that can grow with a dataset's width and are dropped, in this order, to fit the entry limit. */
const BULKY_FACETS = ["dataQualityMetrics", "schema"] as const;

export interface EventBridgeSinkOptions {
  /** Default: the account's default bus. */
  readonly eventBusName?: string;
  /** Where the lineage store keeps the whole event (named in events cut down to fit the bus). */
  readonly fullEventUri?: (event: {
    job: { name: string };
    run: { runId: string };
    eventType: string;
  }) => string;
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
}

type Json = Record<string, unknown>;

function withoutFacet(event: Json, facetName: string): Json {
  const strip = (datasets: unknown) =>
    Array.isArray(datasets)
      ? datasets.map((d: Json) => {
          const out: Json = { ...d };
          for (const key of ["facets", "inputFacets", "outputFacets"]) {
            if (out[key] && typeof out[key] === "object") {
              const { [facetName]: _dropped, ...rest } = out[key] as Json;
              out[key] = rest;
            }
          }
          return out;
        })
      : datasets;
  return { ...event, inputs: strip(event.inputs), outputs: strip(event.outputs) };
}

function entrySize(detail: string): number {
  return (
    Buffer.byteLength(LINEAGE_EVENT_SOURCE) +
    Buffer.byteLength(LINEAGE_DETAIL_TYPE) +
    Buffer.byteLength(detail)
  );
}

/** The run facet naming where the whole event is stored when the bus got only part of its datasets. */
export const FULL_EVENT_FACET = "lakeline_fullEvent";
const FULL_EVENT_SCHEMA_URL =
  "https://github.com/lakeline/lakeline/blob/main/README.md#lineage-on-eventbridge";

function withDatasets(event: Json, inputs: number, outputs: number, fullEventUri: string | undefined): Json {
  const all = (k: "inputs" | "outputs") => (Array.isArray(event[k]) ? (event[k] as unknown[]) : []);
  const run = (event.run ?? {}) as Json;
  return {
    ...event,
    run: {
      ...run,
      facets: {
        ...((run.facets ?? {}) as Json),
        [FULL_EVENT_FACET]: {
          _producer: event.producer,
          _schemaURL: FULL_EVENT_SCHEMA_URL,
          ...(fullEventUri ? { uri: fullEventUri } : {}),
          inputs: all("inputs").length,
          outputs: all("outputs").length,
          inputsSent: Math.min(inputs, all("inputs").length),
          outputsSent: Math.min(outputs, all("outputs").length),
        },
      },
    },
    inputs: all("inputs").slice(0, inputs),
    outputs: all("outputs").slice(0, outputs),
  };
}

/**
 * The event JSON for the bus, at most MAX_ENTRY_BYTES whatever the event: whole when it fits; else
 * without bulky dataset facets; else with only as many datasets (outputs first, then inputs, in
 * order) as fit, and a `lakeline_fullEvent` run facet giving the totals and where the whole event is
 * stored (`fullEventUri`). Only an event whose run and job alone exceed the limit is refused.
 */
export function fitDetail(event: unknown, fullEventUri?: string): string {
  let current = event as Json;
  let detail = JSON.stringify(current);
  for (const facetName of BULKY_FACETS) {
    if (entrySize(detail) <= MAX_ENTRY_BYTES) return detail;
    current = withoutFacet(current, facetName);
    detail = JSON.stringify(current);
  }
  if (entrySize(detail) <= MAX_ENTRY_BYTES) return detail;
  const base = entrySize(JSON.stringify(withDatasets(current, 0, 0, fullEventUri)));
  if (base > MAX_ENTRY_BYTES) {
    throw new BackendError(
      `OpenLineage event too large for EventBridge even without datasets: ${base} bytes`,
      {
        bytes: base,
      },
    );
  }
  // Each dataset adds its JSON and a comma to an empty list: sizes are summed, not re-serialised.
  let room = MAX_ENTRY_BYTES - base;
  const take = (k: "inputs" | "outputs") => {
    let n = 0;
    for (const d of Array.isArray(current[k]) ? (current[k] as unknown[]) : []) {
      const bytes = Buffer.byteLength(JSON.stringify(d)) + (n > 0 ? 1 : 0);
      if (bytes > room) break;
      room -= bytes;
      n++;
    }
    return n;
  };
  const outputs = take("outputs");
  const inputs = take("inputs");
  return JSON.stringify(withDatasets(current, inputs, outputs, fullEventUri));
}

export class EventBridgeLineageSink implements OpenLineageSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgeSinkOptions = {},
  ) {}

  async emit(event: unknown): Promise<void> {
    const eventTime = (event as { eventTime?: string }).eventTime;
    const entry: PutEventsRequestEntry = {
      Source: LINEAGE_EVENT_SOURCE,
      DetailType: LINEAGE_DETAIL_TYPE,
      Detail: fitDetail(
        event,
        this.options.fullEventUri?.(
          event as Parameters<NonNullable<EventBridgeSinkOptions["fullEventUri"]>>[0],
        ),
      ),
      ...(eventTime ? { Time: new Date(eventTime) } : {}),
      ...(this.options.eventBusName ? { EventBusName: this.options.eventBusName } : {}),
    };
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const response = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
      if (!response.FailedEntryCount) return;
      const failed = response.Entries?.[0];
      const code = failed?.ErrorCode ?? "Unknown";
      if (!RETRIABLE.has(code) || attempt >= maxAttempts) {
        throw new BackendError(
          `EventBridge rejected the OpenLineage event: ${code}: ${failed?.ErrorMessage ?? "no message"}`,
          {
            errorCode: code,
            attempts: attempt,
            eventBusName: this.options.eventBusName,
          },
        );
      }
      await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 200) * 2 ** (attempt - 1)));
    }
  }
}
