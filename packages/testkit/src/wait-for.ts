import { setTimeout as sleep } from 'node:timers/promises';

/** Polls a condition until it holds; fails with the description and the last value seen. */
export async function waitFor<T>(
  description: string,
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}; last value: ${JSON.stringify(last)}`,
      );
    }
    await sleep(20);
    last = await probe();
  }
  return last;
}
