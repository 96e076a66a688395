/**
 * Requests one operation of the store has in flight at most when it fans out (reads of many keys,
 * writes of many batches, claims of many partitions). cassandra-driver holds 2,048 requests per
 * connection and fails the rest at once ("All connections … are busy"); an operation that started one
 * request per id, bucket or batch of its input could reach that on its own, whatever the limit or
 * date range it was asked for. Enough to hide round trips, small enough that several operations side
 * by side stay far below the session's own bound (request-gate.ts).
 */
export const QUERIES_IN_FLIGHT = 16;

/** Keys named in one `IN` read: one request instead of one per key, well under Cassandra's guardrails. */
export const MAX_IN_KEYS = 100;

/**
 * Runs `work` on every item with at most `limit` running at once. After a failure no new item starts,
 * and it rejects with the first failure only once the running ones have settled, so a retry of the
 * caller never overlaps writes of the attempt that failed.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/** As forEachLimited, keeping each item's result at the item's place. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const indexed = items.map((item, index) => ({ item, index }));
  await forEachLimited(indexed, limit, async ({ item, index }) => {
    results[index] = await work(item);
  });
  return results;
}

/** `items` cut into consecutive pieces of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
