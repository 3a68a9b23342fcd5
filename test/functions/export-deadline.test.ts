/**
 * The export handler under a Lambda's deadline: Athena gets only the invocation's remaining time
 * (less what failing cleanly needs), a query that would outlive it is stopped, the run fails with
 * the step named in its lineage FAIL event, and the same request runs again to completion.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { localExportDeps } from "../../cli/deps/export.js";
import { createExportHandler, FAIL_RESERVE_MS } from "../../functions/export.js";
import { AthenaQueryEngine } from "../../src/adapters/aws/athena-engine.js";
import { AthenaExportWriter } from "../../src/adapters/aws/athena-export-writer.js";
import { localConfig } from "../../src/contract/env.js";
import { ingest } from "../e2e/export-support.js";
import { VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());
const logger = new Logger({ serviceName: "lakeline-export", logLevel: "SILENT" });
const request = { name: "weekly", dataset: "penguins", split: { train: 80, eval: 20 }, seed: "s" };

function contextWith(remainingMs: number): Context {
  return {
    functionName: "export",
    awsRequestId: "r",
    getRemainingTimeInMillis: () => remainingMs,
  } as Context;
}

describe("export handler deadline", () => {
  it("stops the Athena query at the invocation's deadline, names the step in FAIL, and the same request then exports", async () => {
    // Prepare: a fake clock that only the engine's polling advances; Athena never finishes
    const lake = path.join(await tempDir("export-deadline"), "lake");
    await ingest(lake, path.join(VEGA, "penguins.json"), "penguins");
    let now = 1_000_000;
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const onAthena = createExportHandler(
      async (deadline) => {
        const local = localExportDeps(localConfig({ lake }));
        const engine = new AthenaQueryEngine(new AthenaClient({ region: "eu-west-1" }), {
          workgroup: "wg",
          database: "lakeline",
          deadline: () => deadline.at,
          now: () => now,
          sleep: async (ms) => {
            now += ms;
          },
        });
        return {
          ...local,
          writer: new AthenaExportWriter({ openEngine: async () => engine, exports: local.stores.exports }),
        };
      },
      logger,
      () => now,
    );
    const started = now;
    // Act: 300 s left in the invocation
    const failure = await onAthena(request, contextWith(300_000)).catch((e: unknown) => e);
    const again = await createExportHandler(async () => localExportDeps(localConfig({ lake })), logger)(
      request,
      contextWith(300_000),
    );
    // Assess: the first statement got 300 s less the reserve, then was stopped
    expect(now - started).toBe(300_000 - FAIL_RESERVE_MS);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
    expect(String(failure)).toMatch(
      /athena: statement 1 \(SELECT .*\) \(query q-1\) timed out after 280000 ms, all that was left before the invocation's deadline, and was stopped/,
    );
    const fails = fs
      .readdirSync(path.join(lake, "lineage"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith("FAIL.json"));
    expect(fails).toHaveLength(1);
    const event = fs.readFileSync(path.join(lake, "lineage", fails[0]!), "utf8");
    expect(event).toContain("athena: statement 1 (SELECT");
    expect(again).toMatchObject({ status: "exported", totalRows: 343 });
  });
});
