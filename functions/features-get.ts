/**
 * Online read Lambda: `{ "view": "stock_prices", "entity": { "symbol": "AAPL" } }` (or
 * `"entity": "AAPL"` for a one-column key) → the stored values, their event time, freshness against
 * the view's TTL, and where they came from (raw blob, record, run). Invoked directly (or behind an
 * API of the deployer's choosing); an unknown view or malformed request is a thrown UsageError.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { type OnlineLookup, type OnlineReadDeps, readOnline } from "../src/pipeline/features/online-read.js";
import { invocationLogging } from "./shared/middleware.js";

export function createFeaturesGetHandler(
  deps: () => Promise<OnlineReadDeps>,
  logger = new Logger({ serviceName: "lakeline-features-get" }),
) {
  const run = async (event: unknown, _context: Context): Promise<OnlineLookup> =>
    readOnline(await deps(), event);
  return middy(run).use(invocationLogging(logger));
}

let cached: Promise<OnlineReadDeps> | undefined;
export const handler = createFeaturesGetHandler(() => {
  cached ??= import("./shared/features-deps.js").then((m) => m.awsOnlineReadDeps());
  return cached;
});
