import { DependencyError } from '@kafka-monitor/domain';
import type { Logger } from '@kafka-monitor/domain';
import { describe, expect, it } from 'vitest';
import { retryStart } from './retry-start.js';

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    fatal: () => undefined,
    error: () => undefined,
    warn: (context: object, message: string) =>
      lines.push(`warn ${message} ${JSON.stringify({ ...context, err: undefined })}`),
    info: (context: object, message: string) => lines.push(`info ${message} ${JSON.stringify(context)}`),
    debug: () => undefined,
    trace: () => undefined,
    child: () => logger,
  } as unknown as Logger;
  return logger;
}

describe('retryStart', () => {
  it('Given a dependency down for a while, then it retries with a capped exponential backoff, logging each attempt', async () => {
    const lines: string[] = [];
    const waits: number[] = [];
    let calls = 0;
    const result = await retryStart(
      () => {
        calls++;
        if (calls <= 5) return Promise.reject(new DependencyError('store', 'connection refused'));
        return Promise.resolve('open');
      },
      {
        logger: recordingLogger(lines),
        what: 'query-processor',
        firstDelayMs: 100,
        maxDelayMs: 1_000,
        random: () => 0.5,
        wait: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(result).toBe('open');
    expect(waits).toEqual([100, 200, 400, 800, 1_000]);
    expect(lines[0]).toBe(
      'warn query-processor: cannot start: connection refused; retrying ' +
        '{"dependency":"store","attempt":1,"retryInMs":100,"reason":"connection refused"}',
    );
    expect(lines.at(-1)).toBe('info query-processor: started {"attempts":6}');
  });

  it('Given the default backoff, then waits double from 1 s to a 30 s cap, each within ±20 %', async () => {
    const waits: number[] = [];
    const reasons: string[] = [];
    let calls = 0;
    let draw = 0;
    const extremes = [0, 0.999_999];
    await retryStart(
      () => {
        calls++;
        if (calls <= 8)
          return Promise.reject(
            new DependencyError('bus', 'kafka: SASL authentication failed', { misconfigured: true }),
          );
        return Promise.resolve();
      },
      {
        logger: recordingLogger([]),
        what: 'x',
        random: () => extremes[draw++ % 2] ?? 0,
        onAttemptFailed: (reason) => reasons.push(reason),
        wait: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(waits).toEqual([800, 2_400, 3_200, 9_600, 12_800, 36_000, 24_000, 36_000]);
    expect(reasons).toHaveLength(8);
    expect(reasons[0]).toBe('kafka: SASL authentication failed');
  });

  it('Given a failure that retrying cannot fix, then it is thrown at once', async () => {
    const refused = new DependencyError('bus', 'no brokers configured', { retryable: false });
    let calls = 0;
    const attempt = () => {
      calls++;
      return Promise.reject(refused);
    };
    await expect(
      retryStart(attempt, { logger: recordingLogger([]), what: 'x', wait: () => Promise.resolve() }),
    ).rejects.toBe(refused);
    await expect(
      retryStart(() => Promise.reject(new Error('bad file')), { logger: recordingLogger([]), what: 'x' }),
    ).rejects.toThrow('bad file');
    expect(calls).toBe(1);
  });
});
