import { setTimeout as sleep } from 'node:timers/promises';
import { isDependencyError, retryDelayMs } from '@kafka-monitor/domain';
import type { Logger } from '@kafka-monitor/domain';

export interface RetryStartOptions {
  readonly logger: Logger;
  /** What is being started, for the log lines. */
  readonly what: string;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly wait?: (ms: number) => Promise<unknown>;
}

/**
 * Runs `attempt` until it succeeds while it fails with a retryable DependencyError (the bus or the store
 * not reachable yet), waiting a capped exponential backoff between attempts and logging each one, so a
 * service started during an outage waits for its dependencies instead of exiting and crash-looping.
 * Any other failure (bad configuration, a refused request) is thrown at once.
 */
export async function retryStart<T>(attempt: () => Promise<T>, options: RetryStartOptions): Promise<T> {
  const first = options.firstDelayMs ?? 500;
  const max = options.maxDelayMs ?? 15_000;
  const wait = options.wait ?? sleep;
  for (let failures = 0; ; failures++) {
    try {
      const result = await attempt();
      if (failures > 0) options.logger.info({ attempts: failures + 1 }, `${options.what}: started`);
      return result;
    } catch (error) {
      if (!isDependencyError(error) || !error.retryable) throw error;
      const delayMs = retryDelayMs(failures, { firstMs: first, maxMs: max });
      options.logger.warn(
        { err: error, dependency: error.dependency, attempt: failures + 1, retryInMs: delayMs },
        `${options.what}: ${error.dependency} unavailable; retrying`,
      );
      await wait(delayMs);
    }
  }
}
