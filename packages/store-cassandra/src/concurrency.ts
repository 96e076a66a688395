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

/**
 * Waits for every promise to settle, then rejects with the first failure in the order given, if any:
 * when it rejects, nothing it was given is still running, so a retry of the caller never overlaps them.
 */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
