import { setTimeout as sleep } from 'node:timers/promises';
import { isDependencyError, retryDelayMs } from '@kafka-monitor/domain';
import type { Logger } from '@kafka-monitor/domain';

/** First wait after a failed start, doubling per failure up to the cap; each wait varies by ±JITTER. */
export const START_RETRY = { firstDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.2 } as const;

export interface RetryStartOptions {
  readonly logger: Logger;
  /** What is being started, for the log lines. */
  readonly what: string;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly wait?: (ms: number) => Promise<unknown>;
  /** A number in [0, 1), for the jitter; Math.random by default. */
  readonly random?: () => number;
  /**
   * Told the one-line cause of each failed attempt (never a secret: the adapters' messages name
   * settings, not values), e.g. for a readiness probe to report while the process keeps trying.
   */
  readonly onAttemptFailed?: (reason: string) => void;
}

/**
 * Runs `attempt` until it succeeds while it fails with a DependencyError that is retryable (the bus
 * or the store not reachable yet) or caused by the connection settings (credentials, certificates:
 * the operator may fix the server side, and a supervisor restarting the process would not do better).
 * Between attempts it waits a capped exponential backoff with jitter (by default 1 s doubling to 30 s,
 * each wait ±20 %), so N instances started together make at most about N attempts per 30 s once
 * capped, and do not retry in step. Each failed attempt is logged as one line with its cause. Any
 * other failure (bad configuration, a refused request) is thrown at once.
 */
export async function retryStart<T>(attempt: () => Promise<T>, options: RetryStartOptions): Promise<T> {
  const first = options.firstDelayMs ?? START_RETRY.firstDelayMs;
  const max = options.maxDelayMs ?? START_RETRY.maxDelayMs;
  const wait = options.wait ?? sleep;
  const random = options.random ?? Math.random;
  for (let failures = 0; ; failures++) {
    try {
      const result = await attempt();
      if (failures > 0) options.logger.info({ attempts: failures + 1 }, `${options.what}: started`);
      return result;
    } catch (error) {
      if (!isDependencyError(error) || !(error.retryable || error.misconfigured)) throw error;
      const base = retryDelayMs(failures, { firstMs: first, maxMs: max });
      const delayMs = Math.round(base * (1 + START_RETRY.jitter * (2 * random() - 1)));
      options.onAttemptFailed?.(error.message);
      options.logger.warn(
        { dependency: error.dependency, attempt: failures + 1, retryInMs: delayMs, reason: error.message },
        `${options.what}: cannot start: ${error.message}; retrying`,
      );
      await wait(delayMs);
    }
  }
}
