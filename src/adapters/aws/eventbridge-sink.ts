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

/** The event JSON, with bulky dataset facets removed only if the full event would not fit. */
export function fitDetail(event: unknown): string {
  let current = event as Json;
  let detail = JSON.stringify(current);
  for (const facetName of BULKY_FACETS) {
    if (entrySize(detail) <= MAX_ENTRY_BYTES) return detail;
    current = withoutFacet(current, facetName);
    detail = JSON.stringify(current);
  }
  if (entrySize(detail) > MAX_ENTRY_BYTES) {
    throw new BackendError(`OpenLineage event too large for EventBridge: ${entrySize(detail)} bytes`, {
      bytes: entrySize(detail),
    });
  }
  return detail;
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
      Detail: fitDetail(event),
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
