/**
 * The shared middleware through real middy, as the handlers use it: named hooks, and errors
 * answered or thrown by their disposition so Lambda retries only failures.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { errorDisposition, invocationLogging, isRefusal } from "../../../functions/shared/middleware.js";
import { BackendError, BlobFormatError, UsageError } from "../../../src/core/errors.js";

const context = { functionName: "lakeline-test", awsRequestId: "req-1" } as unknown as Context;

/** A Powertools logger whose lines are kept, not printed. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger({ serviceName: "lakeline-test", logLevel: "INFO" });
  const sink = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
  (logger as unknown as { console: Console }).console = {
    info: sink,
    warn: sink,
    error: sink,
    debug: sink,
    trace: sink,
    log: sink,
  } as unknown as Console;
  return { logger, lines };
}

function handlerThrowing(err: unknown, logger: Logger) {
  return middy(async (_event: unknown, _context: Context): Promise<{ ok: true }> => {
    throw err;
  })
    .use(invocationLogging(logger))
    .use(errorDisposition());
}

describe("errorDisposition", () => {
  it("answers a usage error with a refusal instead of failing the invocation", async () => {
    // Prepare
    const { logger, lines } = capturingLogger();
    const handler = handlerThrowing(new UsageError("export event has no dataset", { event: {} }), logger);

    // Act
    const response = await handler({}, context);

    // Assess
    expect(response).toEqual({
      refused: {
        disposition: "usage",
        error: "UsageError",
        message: "export event has no dataset",
        data: { event: {} },
      },
    });
    expect(isRefusal(response)).toBe(true);
    expect(lines).toMatchObject([
      { level: "WARN", message: "invocation refused", disposition: "usage", function_request_id: "req-1" },
    ]);
  });

  it("answers a reject error (bad input) with a refusal naming the reason", async () => {
    // Prepare
    const { logger } = capturingLogger();
    const bad = new BlobFormatError("d/training/a.csv", "not UTF-8", { line: 3 });
    const handler = handlerThrowing(bad, logger);

    // Act
    const response = await handler({}, context);

    // Assess
    expect(response).toMatchObject({
      refused: { disposition: "reject", error: "BlobFormatError", message: bad.message },
    });
  });

  it("throws a failure again, unchanged, so Lambda retries it", async () => {
    // Prepare
    const { logger, lines } = capturingLogger();
    const down = new BackendError("s3 unavailable: PutObject lake-raw/a.csv");
    const bug = new TypeError("x is undefined");

    // Act
    const backend = handlerThrowing(down, logger)({}, context);
    const plain = handlerThrowing(bug, logger)({}, context);

    // Assess
    await expect(backend).rejects.toBe(down);
    await expect(plain).rejects.toBe(bug);
    expect(lines.map((l) => [l.level, l.message, l.disposition])).toEqual([
      ["ERROR", "invocation failed", "fail"],
      ["ERROR", "invocation failed", "fail"],
    ]);
  });
});

describe("invocationLogging", () => {
  it("names its hooks and logs a successful invocation's outcome with the Lambda context", async () => {
    // Prepare
    const { logger, lines } = capturingLogger();
    const hooks = invocationLogging(logger);
    const handler = middy(async () => ({
      results: [{ rawKey: "d/training/a.csv", status: "committed" }],
    })).use(hooks);

    // Act
    await handler({}, context);

    // Assess
    expect([hooks.before?.name, hooks.after?.name, hooks.onError?.name]).toEqual([
      "addLambdaContext",
      "logOutcome",
      "logError",
    ]);
    expect(errorDisposition().onError?.name).toBe("answerByDisposition");
    expect(lines).toMatchObject([
      {
        level: "INFO",
        message: "invocation complete",
        function_name: "lakeline-test",
        response: [{ key: "d/training/a.csv", status: "committed" }],
      },
    ]);
  });
});
