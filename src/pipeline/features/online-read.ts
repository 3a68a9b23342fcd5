/** Reading one entity's online values: the request checked against the view, the item, its freshness. */

import type { ViewRegistry } from "../../contract/view-registry.js";
import { UsageError } from "../../core/errors.js";
import { entityKeyText, freshness, type OnlineItem } from "../../core/features/online.js";
import type { Clock } from "../../ports/clock.js";
import type { OnlineStore } from "../../ports/online-store.js";

export interface OnlineReadDeps {
  readonly views: ViewRegistry;
  readonly online: OnlineStore;
  readonly clock: Clock;
}

export interface OnlineLookup {
  readonly view: string;
  readonly entity: Readonly<Record<string, string>>;
  readonly found: boolean;
  readonly values: Readonly<Record<string, unknown>> | null;
  readonly eventTime: string | null;
  readonly ageSeconds: number | null;
  /** Older than the view's TTL: a training set would not have served it. */
  readonly expired: boolean | null;
  readonly source: {
    readonly key: string;
    readonly md5: string;
    readonly row: number;
    readonly runId: string;
    readonly ingestedAt: string;
  } | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `{ view, entity }` with entity a value (one-column key), `a=1,b=2` text, or an object by column. */
export async function readOnline(deps: OnlineReadDeps, request: unknown): Promise<OnlineLookup> {
  if (!isRecord(request) || typeof request.view !== "string")
    throw new UsageError('online read needs { "view": "<name>", "entity": … }', { request });
  const view = deps.views.load(request.view).view;
  const entity = entityOf(view.entities, request.entity);
  const key = entityKeyText(view.entities.map((k) => entity[k]!));
  const item: OnlineItem | undefined = await deps.online.get(view.view, key);
  if (!item)
    return {
      view: view.view,
      entity,
      found: false,
      values: null,
      eventTime: null,
      ageSeconds: null,
      expired: null,
      source: null,
    };
  const f = freshness(item, deps.clock.now(), view.ttlSeconds);
  return {
    view: view.view,
    entity,
    found: true,
    values: item.values,
    eventTime: item.eventTime,
    ...f,
    source: {
      key: item.sourceKey,
      md5: item.sourceMd5,
      row: item.sourceRow,
      runId: item.runId,
      ingestedAt: item.ingestedAt,
    },
  };
}

function entityOf(columns: readonly string[], raw: unknown): Record<string, string> {
  let pairs: Record<string, unknown>;
  if (isRecord(raw)) pairs = raw;
  else if (typeof raw === "string" && raw.includes("="))
    pairs = Object.fromEntries(
      raw.split(",").map((p) => {
        const i = p.indexOf("=");
        return [p.slice(0, i).trim(), p.slice(i + 1)];
      }),
    );
  else if (
    (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") &&
    columns.length === 1
  )
    pairs = { [columns[0]!]: raw };
  else
    throw new UsageError(
      `entity must name ${columns.length === 1 ? `a ${columns[0]} value or ` : ""}${columns.map((c) => `${c}=…`).join(",")}`,
      { entity: raw },
    );
  const unknown = Object.keys(pairs).filter((k) => !columns.includes(k));
  const missing = columns.filter((c) => pairs[c] === undefined || pairs[c] === null);
  if (unknown.length > 0 || missing.length > 0)
    throw new UsageError(
      `entity key of this view is ${columns.join(", ")}${missing.length ? `; missing ${missing.join(", ")}` : ""}${unknown.length ? `; unknown ${unknown.join(", ")}` : ""}`,
      { entity: raw },
    );
  return Object.fromEntries(columns.map((c) => [c, String(pairs[c])]));
}
