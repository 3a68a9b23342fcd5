/**
 * `fn` over `items` with at most `limit` calls in flight; results in the items' order. One pool for
 * every layer (run and lineage indexes, export hashing, multipart parts, online-store writes).
 *
 * On the first failure no further item starts, and the returned promise rejects with that error only
 * once the calls already in flight have settled: a caller may then release what they share (a file
 * handle, an upload to abort) without a straggler still using it.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`mapLimit: the limit must be a whole number ≥ 1, not ${limit}`);
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejected) throw rejected.reason;
  return out;
}
