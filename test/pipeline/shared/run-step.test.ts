/** runStep's lifecycle with fakes: the order of a run's events on success and on each kind of failure. */
import { describe, expect, it } from "vitest";
import type { LineageRecorder } from "../../../src/pipeline/lineage/recorder.js";
import { runStep, type Step, type StepDeps } from "../../../src/pipeline/shared/run-step.js";
import { fixedClock } from "../../../src/ports/clock.js";

const RUN_ID = "00000000-0000-4000-8000-000000000001";

function harness(options: { failLineageFail?: boolean } = {}) {
  const events: string[] = [];
  const lineage: LineageRecorder = {
    start: async (run) => {
      events.push(`START ${run.runId}`);
      return {
        runId: run.runId,
        complete: async ({ outputs }) => {
          events.push(`COMPLETE ${outputs.length}`);
        },
        fail: async ({ error }) => {
          events.push(`FAIL ${error.message}`);
          if (options.failLineageFail) throw new Error("lineage store down");
        },
      };
    },
  };
  const deps: StepDeps = {
    lineage,
    clock: fixedClock("2024-06-01T00:00:00Z"),
    scratch: {
      create: async (prefix) => {
        events.push(`scratch ${prefix}`);
        return "/scratch/1";
      },
      dispose: async (dir) => {
        events.push(`dispose ${dir}`);
      },
    },
    log: (message) => events.push(`log ${message}`),
  };
  return { events, deps };
}

function step(events: string[], fail?: "execute" | "publish" | "commit"): Step<string, string, string> {
  const maybeFail = (phase: string) => {
    if (fail === phase) throw new Error(`${phase} broke`);
  };
  return {
    kind: "test",
    prepare: async (dir) => {
      events.push(`prepare ${dir}`);
      return {
        context: "ctx",
        start: { runId: RUN_ID, jobName: "test.job", executionType: "Ingest", inputs: [] },
      };
    },
    execute: async () => {
      events.push("execute");
      maybeFail("execute");
      return "made";
    },
    publish: async (_c, made) => {
      events.push(`publish ${made}`);
      maybeFail("publish");
      return { result: "result", outputs: [] };
    },
    commit: async () => {
      events.push("commit");
      maybeFail("commit");
    },
    recordFailure: async (err) => {
      events.push(`record ${(err as Error).message}`);
    },
    release: async () => {
      events.push("release");
    },
  };
}

describe("runStep", () => {
  it("runs scratch, START, execute, publish, COMPLETE and the commit last, then disposes scratch", async () => {
    // Prepare
    const { events, deps } = harness();
    // Act
    const result = await runStep(deps, step(events));
    // Assess
    expect(result).toBe("result");
    expect(events).toEqual([
      "scratch lakeline-test-",
      "prepare /scratch/1",
      `START ${RUN_ID}`,
      "execute",
      "publish made",
      "COMPLETE 0",
      "commit",
      "release",
      "dispose /scratch/1",
    ]);
  });

  it("on an executor failure announces FAIL, writes the failure record, disposes scratch and rethrows", async () => {
    const { events, deps } = harness();
    await expect(runStep(deps, step(events, "execute"))).rejects.toThrow("execute broke");
    expect(events.slice(3)).toEqual([
      "execute",
      "FAIL execute broke",
      "record execute broke",
      "release",
      "dispose /scratch/1",
    ]);
  });

  it("does not announce FAIL once COMPLETE is out: a failed commit is only recorded", async () => {
    const { events, deps } = harness();
    await expect(runStep(deps, step(events, "commit"))).rejects.toThrow("commit broke");
    expect(events).not.toContain("FAIL commit broke");
    expect(events.slice(-4)).toEqual(["commit", "record commit broke", "release", "dispose /scratch/1"]);
  });

  it("logs a lineage FAIL it could not write, and still throws the run's own error", async () => {
    const { events, deps } = harness({ failLineageFail: true });
    await expect(runStep(deps, step(events, "publish"))).rejects.toThrow("publish broke");
    expect(events).toContain("log test: lineage FAIL not recorded");
    expect(events).toContain("record publish broke");
  });
});
