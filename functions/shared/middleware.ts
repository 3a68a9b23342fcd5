/**
 * Shared middy middleware: structured logging of each invocation's outcome (Powertools logger) and
 * error mapping that keeps a Lambda's failure message short and domain-named.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import { LakelineError } from "../../src/core/errors.js";

export function invocationLogging(logger: Logger): middy.MiddlewareObj {
  return {
    before: async (request) => {
      logger.addContext(request.context as never);
    },
    after: async (request) => {
      logger.info("invocation complete", { response: summarise(request.response) });
    },
    onError: async (request) => {
      const err = request.error;
      logger.error(
        "invocation failed",
        err instanceof LakelineError ? { error: err.message, data: err.data } : { error: err as Error },
      );
    },
  };
}

function summarise(response: unknown): unknown {
  if (response && typeof response === "object" && "results" in response) {
    const results = (
      response as {
        results: {
          rawKey?: string;
          status?: string;
          rowsRead?: number;
          rowsWritten?: number;
          rowsQuarantined?: number;
        }[];
      }
    ).results;
    return results.map((r) => ({
      key: r.rawKey,
      status: r.status,
      read: r.rowsRead,
      written: r.rowsWritten,
      quarantined: r.rowsQuarantined,
    }));
  }
  return response;
}
