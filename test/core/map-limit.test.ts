import { describe, expect, it } from "vitest";
import { mapLimit } from "../../src/core/map-limit.js";

/** A call that resolves when the test says so, recording how many calls are in flight. */
function gate() {
  const open: (() => void)[] = [];
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const fn = async (item: number) => {
    started.push(item);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((r) => open.push(r));
    inFlight--;
    if (item < 0) throw new Error(`item ${item} failed`);
    return item * 10;
  };
  const release = async () => {
    while (open.length > 0) open.shift()!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { fn, release, started, peak: () => peak, inFlight: () => inFlight };
}

describe("mapLimit", () => {
  it("keeps at most `limit` calls in flight and returns results in the items' order", async () => {
    // Prepare
    const g = gate();
    // Act
    const done = mapLimit([1, 2, 3, 4, 5], 2, g.fn);
    for (let i = 0; i < 3; i++) await g.release();
    // Assess
    expect(await done).toEqual([10, 20, 30, 40, 50]);
    expect(g.peak()).toBe(2);
  });

  it("starts nothing after a failure and rejects only once the calls in flight settled", async () => {
    // Prepare
    const g = gate();
    let settled = false;
    // Act
    const done = mapLimit([-1, 2, 3, 4], 2, g.fn).finally(() => {
      settled = true;
    });
    const outcome = done.catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 0));
    await g.release();
    // Assess: item 2 was in flight with the failing one; nothing else started
    expect(g.started).toEqual([-1, 2]);
    expect(g.inFlight()).toBe(0);
    expect(settled).toBe(true);
    expect(((await outcome) as Error).message).toBe("item -1 failed");
  });

  it("maps nothing to nothing and refuses a limit below one", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    await expect(mapLimit([1], 0, async () => 1)).rejects.toThrow(/limit must be a whole number ≥ 1, not 0/);
  });
});
