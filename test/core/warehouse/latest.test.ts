import { describe, expect, it } from "vitest";
import { latestProcessings, replacedProcessings, sourceOf } from "../../../src/core/warehouse/latest.js";

const run = (
  runId: string,
  ingestedAt: string,
  sourceMd5: string | null,
  status = "ok",
  environment = "TRAINING",
) => ({ runId, ingestedAt: `2024-05-01T${ingestedAt}:00.000Z`, sourceMd5, status, environment });

describe("the latest processing of each source blob", () => {
  it("takes the latest landed run per (environment, md5), the larger run id on a tie", () => {
    // Prepare
    const runs = [
      run("b", "10:00", "m1"),
      run("a", "10:00", "m1"), // same instant: the larger run id ("b") wins
      run("d", "08:00", "m2"),
      run("c", "09:00", "m2"), // later: a re-processing of m2
      run("e", "11:00", "m3"),
      run("f", "11:00", null), // no hash: each is its own source
      run("g", "11:00", null),
      run("h", "12:00", "m3", "SERVING", "SERVING"),
    ];
    // Act
    const latest = latestProcessings(runs).map((r) => r.runId);
    // Assess
    expect(latest).toEqual(["b", "c", "e", "f", "g"]);
    expect(sourceOf(runs[0]!)).toBe("TRAINING|m1");
  });

  it("lets neither a rejected nor a duplicate run replace the processing that landed", () => {
    // Prepare
    const runs = [
      run("landed", "08:00", "m1"),
      run("rejected", "09:00", "m1", "rejected"),
      run("twin", "10:00", "m1", "duplicate"),
      run("routed", "10:00", "m2", "routed"),
    ];
    // Act
    const latest = latestProcessings(runs).map((r) => r.runId);
    const replaced = replacedProcessings(runs).map((r) => r.runId);
    // Assess
    expect(latest).toEqual(["landed"]);
    expect(replaced).toEqual([]);
  });

  it("lists the processings a later one replaced, for the history views", () => {
    // Prepare
    const runs = [run("v1", "08:00", "m1"), run("v2", "09:00", "m1"), run("v3", "07:00", "m1")];
    // Act
    const replaced = replacedProcessings(runs).map((r) => r.runId);
    // Assess
    expect(replaced).toEqual(["v1", "v3"]);
    expect(latestProcessings(runs).map((r) => r.runId)).toEqual(["v2"]);
  });
});
