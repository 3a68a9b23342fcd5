/**
 * The export Lambda handler on the local lake: a schedule's constant input and an EventBridge
 * event carrying the request in `detail` both run the export; a malformed request is refused, not retried.
 */
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { localExportDeps } from "../../cli/deps/export.js";
import { createExportHandler, exportRequestOf } from "../../functions/export.js";
import { localConfig } from "../../src/contract/env.js";
import type { ExportResult } from "../../src/pipeline/export/export.js";
import { VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { ingest } from "./export-support.js";

const context = { functionName: "lakeline-export", awsRequestId: "req-1" } as unknown as Context;
const logger = new Logger({ serviceName: "lakeline-export", logLevel: "SILENT" });

describe("export handler", () => {
  it("exports for a schedule's input and for an event's detail, with the same version", async () => {
    // Prepare
    const lake = path.join(await tempDir("export-handler"), "lake");
    await ingest(lake, path.join(VEGA, "penguins.json"), "penguins");
    const handler = createExportHandler(async () => localExportDeps(localConfig({ lake })), logger);
    const scheduled = {
      name: "penguins-weekly",
      dataset: "penguins",
      environment: "TRAINING",
      split: { train: 80, eval: 10, test: 10 },
      seed: "lakeline",
    };
    const event = {
      version: "0",
      id: "e1",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: "2024-05-01T00:00:00Z",
      detail: { dataset: "penguins", split: "train=80,eval=10,test=10" },
    };
    // Act
    const fromInput = await handler(scheduled, context);
    const fromDetail = await handler(event, context);
    // Assess
    expect(fromInput).toMatchObject({ status: "exported", name: "penguins-weekly", totalRows: 343 });
    expect(fromDetail).toMatchObject({ status: "unchanged", version: (fromInput as ExportResult).version });
  });

  it("refuses events without a usable request", async () => {
    // Prepare
    const handler = createExportHandler(
      async () => localExportDeps(localConfig({ lake: await tempDir("export-handler") })),
      logger,
    );
    // Act
    const refused = await handler({ detail: {} }, context);
    // Assess: answered, not thrown, so Lambda does not retry a request that cannot improve
    expect(refused).toEqual({
      refused: {
        disposition: "usage",
        error: "UsageError",
        message: expect.stringMatching(/^export event has no dataset/),
        data: { event: { detail: {} } },
      },
    });
    expect(() => exportRequestOf({ dataset: "penguins", split: [80, 20] })).toThrow(/split must be/);
    expect(() => exportRequestOf({ dataset: "penguins", splitKey: 3 })).toThrow(/splitKey must be/);
  });
});
