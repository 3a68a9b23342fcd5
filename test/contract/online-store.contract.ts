/**
 * What every OnlineStore must do, whichever adapter: keep per (view, key) the item with the
 * largest order, whatever order writes arrive in; report an equal order as unchanged and a smaller
 * one as older; read back exactly what was written; list a view's items in key order.
 */
import { expect, it } from "vitest";
import { entityKeyText, type OnlineItem, orderOf } from "../../src/core/features/online.js";
import type { OnlineStore } from "../../src/ports/online-store.js";

export function item(
  view: string,
  symbol: string,
  month: number,
  price: number,
  run = "run-a",
  row = 1,
): OnlineItem {
  const ev = `2010-${String(month).padStart(2, "0")}-01T00:00:00.000000Z`;
  const ing = "2026-01-01T00:00:00.000000Z";
  return {
    view,
    viewVersion: 1,
    entity: { symbol },
    key: entityKeyText([symbol]),
    values: { price },
    eventTime: ev,
    ingestedAt: ing,
    runId: run,
    sourceRow: row,
    sourceKey: `stocks/training/${run}.csv`,
    sourceMd5: "0".repeat(32),
    order: orderOf(ev, ing, run, row),
  };
}

export function onlineStoreContract(fresh: () => Promise<OnlineStore>): void {
  it("keeps the newest item whatever order writes arrive in, and says what happened", async () => {
    // Prepare
    const store = await fresh();
    // Act
    const outcomes = [
      await store.putIfNewer(item("prices", "AAPL", 2, 20)),
      await store.putIfNewer(item("prices", "AAPL", 1, 10)),
      await store.putIfNewer(item("prices", "AAPL", 2, 20)),
      await store.putIfNewer(item("prices", "AAPL", 3, 30)),
      await store.putIfNewer(item("prices", "AAPL", 3, 31, "run-b")),
    ];
    // Assess
    expect(outcomes).toEqual(["written", "older", "unchanged", "written", "written"]);
    expect(await store.get("prices", entityKeyText(["AAPL"]))).toEqual(
      item("prices", "AAPL", 3, 31, "run-b"),
    );
  });

  it("writes many items at once, keeps views apart, and scans a view in key order", async () => {
    // Prepare
    const store = await fresh();
    await store.putIfNewer(item("prices", "MSFT", 5, 50));
    // Act
    const outcomes = await store.putAll([
      item("prices", "MSFT", 4, 40),
      item("prices", "IBM", 4, 40),
      item("prices", "AAPL", 4, 40),
    ]);
    await store.putIfNewer(item("other", "AAPL", 9, 90));
    // Assess
    expect(outcomes).toEqual(["older", "written", "written"]);
    expect((await store.scan("prices")).map((i) => [i.entity.symbol, i.values.price])).toEqual([
      ["AAPL", 40],
      ["IBM", 40],
      ["MSFT", 50],
    ]);
    expect((await store.scan("other")).map((i) => i.values.price)).toEqual([90]);
    expect(await store.get("prices", entityKeyText(["NFLX"]))).toBeUndefined();
  });

  it("ends with the newest items when writers race", async () => {
    // Prepare
    const store = await fresh();
    const writes = Array.from({ length: 12 }, (_, i) =>
      item("prices", i % 2 ? "AAPL" : "IBM", (i % 6) + 1, i, "run-a", i + 1),
    );
    // Act
    await Promise.all(writes.map((w) => store.putIfNewer(w)));
    // Assess
    const got = await store.scan("prices");
    // AAPL got months 2, 4, 6 and IBM 1, 3, 5; of each month's two writes the later record wins.
    expect(got.map((i) => [i.entity.symbol, i.eventTime.slice(0, 7), i.values.price])).toEqual([
      ["AAPL", "2010-06", 11],
      ["IBM", "2010-05", 10],
    ]);
  });

  it("replaces or removes an item only while it is still the one expected", async () => {
    // Prepare
    const store = await fresh();
    const key = entityKeyText(["AAPL"]);
    const stored = item("prices", "AAPL", 3, 30, "run-old");
    await store.putIfNewer(stored);
    await store.putIfNewer(item("prices", "MSFT", 3, 30, "run-old"));
    const earlier = item("prices", "AAPL", 1, 10, "run-new");
    // Act: a correction to an older row (which putIfNewer would refuse), then a stale one
    const replaced = await store.replaceIf("prices", key, stored.order, earlier);
    const stale = await store.replaceIf("prices", key, stored.order, item("prices", "AAPL", 2, 20));
    const removed = await store.replaceIf(
      "prices",
      entityKeyText(["MSFT"]),
      item("prices", "MSFT", 3, 30, "run-old").order,
      null,
    );
    const absent = await store.replaceIf("prices", entityKeyText(["MSFT"]), "x", null);
    // Assess
    expect([replaced, stale, removed, absent]).toEqual([true, false, true, false]);
    expect(await store.get("prices", key)).toEqual(earlier);
    expect(await store.get("prices", entityKeyText(["MSFT"]))).toBeUndefined();
    expect((await store.scan("prices")).map((i) => i.key)).toEqual([key]);
  });
}
