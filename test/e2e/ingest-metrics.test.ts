/**
 * The ingest handler's CloudWatch metrics (Powertools EMF), from a real in-process invocation on the
 * local lake: rows read/written/quarantined and the outcome of each blob.
 */
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { localIngestDeps } from "../../cli/deps/ingest.js";
import { notificationFor, uploadRaw } from "../../cli/deps/upload.js";
import { createIngestHandler } from "../../functions/ingest.js";
import { localConfig } from "../../src/contract/env.js";
import { VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

describe("ingest metrics", () => {
  it("publishes row counts and the blob's outcome in embedded metric format", async () => {
    const deps = localIngestDeps(
      localConfig({ lake: path.join(await tempDir("ingest-metrics"), "lake"), schemas: "schemas" }),
    );
    const metrics = new Metrics({ namespace: "lakeline", serviceName: "lakeline-ingest" });
    const emitted: string[] = [];
    (metrics as unknown as { console: { log: (s: string) => void } }).console = {
      log: (s: string) => emitted.push(s),
    };
    const handler = createIngestHandler(async () => deps, new Logger({ logLevel: "SILENT" }), metrics);
    const key = await uploadRaw(deps.stores.raw, path.join(VEGA, "penguins.json"), "penguins", "training");

    await handler(await notificationFor(deps.stores.raw, key), {
      functionName: "ingest",
      awsRequestId: "1",
    } as Context);

    expect(emitted).toHaveLength(1);
    const emf = JSON.parse(emitted[0]!);
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe("lakeline");
    expect(emf._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual([
      "BlobsIngested",
      "RowsQuarantined",
      "RowsRead",
      "RowsWritten",
    ]);
    expect({
      read: emf.RowsRead,
      written: emf.RowsWritten,
      quarantined: emf.RowsQuarantined,
      ok: emf.BlobsIngested,
    }).toEqual({
      read: 344,
      written: 343,
      quarantined: 1,
      ok: 1,
    });
  });
});
