/** The run index's segment format and its reconciliation rule (src/core/warehouse/run-index.ts). */
import { describe, expect, it } from "vitest";
import {
  committedEntries,
  generationOf,
  indexEntry,
  parseSegment,
  renderSegment,
  unindexed,
} from "../../../src/core/warehouse/run-index.js";

const entry = (runId: string) => ({ runId, status: "ok" });

describe("run index segments", () => {
  it("read back what was written, in run-id order", () => {
    // Prepare
    const text = renderSegment("penguins", 3, "delta", [entry("b"), entry("a")]);

    // Act
    const segment = parseSegment<ReturnType<typeof entry>>(text, "penguins");

    // Assess
    expect(segment?.header).toEqual({
      runIndex: 1,
      dataset: "penguins",
      generation: 3,
      kind: "delta",
      entries: 2,
    });
    expect(segment?.entries.map((e) => e.runId)).toEqual(["a", "b"]);
  });

  it("refuse a segment cut short, of another dataset, or not a segment at all", () => {
    const text = renderSegment("penguins", 1, "full", [entry("a"), entry("b"), entry("c")]);
    const cut = text.slice(0, text.lastIndexOf("{"));
    const torn = text.slice(0, -8);

    expect(parseSegment(cut, "penguins")).toBeUndefined();
    expect(parseSegment(torn, "penguins")).toBeUndefined();
    expect(parseSegment(text, "cars")).toBeUndefined();
    expect(parseSegment("", "penguins")).toBeUndefined();
    expect(parseSegment('{"runId":"a"}\n', "penguins")).toBeUndefined();
    expect(parseSegment(text.replace('"full"', '"other"'), "penguins")).toBeUndefined();
  });

  it("name their generation in the key", () => {
    expect(generationOf("_x/compact/0000000042.jsonl")).toBe(42);
  });

  it("leave the sample rows in the marker", () => {
    expect(indexEntry({ runId: "a", sample: [{ row: 1 }], rowsRead: 3 })).toEqual({
      runId: "a",
      rowsRead: 3,
    });
  });
});

describe("reconciliation", () => {
  it("reads one by one only the committed runs the index lacks", () => {
    const indexed = new Map([
      ["a", entry("a")],
      ["c", entry("c")],
    ]);

    expect(unindexed(["a", "b", "c", "d"], indexed)).toEqual(["b", "d"]);
  });

  it("returns every committed run in marker order, and no run without a marker", () => {
    const indexed = new Map([
      ["c", entry("c")],
      ["x", entry("x")],
      ["a", entry("a")],
    ]);

    const runs = committedEntries(["d", "c", "a", "b"], indexed, [entry("b"), undefined]);

    // d's marker vanished between listing and reading: nothing to return for it; x has no marker.
    expect(runs.map((r) => r.runId)).toEqual(["a", "b", "c"]);
  });
});
