/**
 * Shared middy middleware, each a small factory returning named hooks (middy reports hooks by
 * function name to its timing plugins, and a stack trace names them):
 *
 * - `invocationLogging`: the Lambda context on every log line, the outcome of each invocation.
 * - `errorDisposition`: what the handler does with an error, decided by the error's disposition.
 *   A `reject` or `usage` error (the input or the request is wrong) is answered with a `Refusal`:
 *   the invocation succeeds, because retrying the same input cannot help. A `fail` error (anything
 *   else: a backend down, a bug) is thrown again, so Lambda's retries and the on-failure
 *   destination take over — only failures are retried.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import { type Disposition, dispositionOf, LakelineError } from "../../src/core/errors.js";

/** The answer to an input retrying cannot fix: which kind, and the error a caller needs to act. */
export interface Refusal {
  readonly refused: {
    readonly disposition: Exclude<Disposition, "fail">;
    readonly error: string;
    readonly message: string;
    readonly data: Record<string, unknown>;
  };
}

export function isRefusal(response: unknown): response is Refusal {
  return typeof response === "object" && response !== null && "refused" in response;
}

export function invocationLogging(logger: Logger): middy.MiddlewareObj {
  const addLambdaContext = async (request: middy.Request): Promise<void> => {
    logger.addContext(request.context as never);
  };
  const logOutcome = async (request: middy.Request): Promise<void> => {
    logger.info("invocation complete", { response: summarise(request.response) });
  };
  const logError = async (request: middy.Request): Promise<void> => {
    const err = request.error;
    const disposition = dispositionOf(err);
    const detail =
      err instanceof LakelineError
        ? { disposition, error: err.message, data: err.data }
        : { disposition, error: err as Error };
    if (disposition === "fail") logger.error("invocation failed", detail);
    else logger.warn("invocation refused", detail);
  };
  return { before: addLambdaContext, after: logOutcome, onError: logError };
}

export function errorDisposition(): middy.MiddlewareObj {
  const answerByDisposition = async (request: middy.Request): Promise<void> => {
    const err = request.error;
    const disposition = dispositionOf(err);
    // Left unanswered, middy throws the error again: the invocation fails and is retried.
    if (disposition === "fail" || !(err instanceof LakelineError)) return;
    const refusal: Refusal = {
      refused: { disposition, error: err.name, message: err.message, data: err.data },
    };
    request.response = refusal;
  };
  return { onError: answerByDisposition };
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
