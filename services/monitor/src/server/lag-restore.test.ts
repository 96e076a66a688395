import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import type { EventBus } from '@kafka-monitor/domain';
import { createLagHistory } from './lag-history.js';
import { RESTORE_STEP_MS, endOffsetsAt, restoreLagHistory } from './lag-restore.js';

const HOUR = 60 * 60_000;
const NOW = 1_800_000_000_000;

describe('lag history restored from the log', () => {
  let bus: EventBus;

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    await bus.ensureTopics([{ name: 'orders', partitions: 1 }]);
  });
  afterEach(() => bus.close());

  /** One message every `everyMs` over the last `spanMs` before NOW, all in partition 0. */
  async function appendEvery(everyMs: number, spanMs: number): Promise<number> {
    const messages = [];
    for (let at = NOW - spanMs; at < NOW; at += everyMs) messages.push({ key: 'k', value: 'v', timestamp: at });
    await bus.publish('orders', messages);
    return messages.length;
  }

  it('finds the end offset at each time from the append times', async () => {
    const count = await appendEvery(10_000, HOUR);
    expect(count).toBe(360);
    const times = [NOW - HOUR - 1, NOW - HOUR, NOW - HOUR + 15_000, NOW - 30 * 60_000, NOW - 1];
    expect(await endOffsetsAt(bus, 'orders', 0, count, times)).toEqual([0, 1, 2, 181, 360]);
  });

  it('answers 0 for an empty log without reading it', async () => {
    expect(await endOffsetsAt(bus, 'orders', 0, 0, [NOW - 1, NOW])).toEqual([0, 0]);
  });

  it('reads about log2(messages) messages per time', async () => {
    const count = await appendEvery(1_000, HOUR);
    let reads = 0;
    const counting = { read: (...args: Parameters<EventBus['read']>) => (reads++, bus.read(...args)) };
    const times = Array.from({ length: 60 }, (_, i) => NOW - HOUR + i * RESTORE_STEP_MS);
    const ends = await endOffsetsAt(counting, 'orders', 0, count, times);
    // A message appended exactly at a time counts as appended by then.
    expect(ends).toEqual(times.map((_, i) => i * 60 + 1));
    expect(reads).toBeLessThanOrEqual(1 + 60 * Math.ceil(Math.log2(count) + 1));
  });

  it('refills an hour of end offsets per minute, leaving the lag of that hour unknown', async () => {
    const count = await appendEvery(10_000, 2 * HOUR);
    const history = createLagHistory();
    const restored = await restoreLagHistory(
      bus,
      history,
      [
        {
          group: 'query-processor',
          members: 1,
          lag: [
            {
              topic: 'orders',
              partition: 0,
              committedOffset: 700,
              endOffset: count,
              lag: 20,
              oldestUnreadTimestamp: null,
            },
          ],
        },
      ],
      NOW,
    );
    expect(restored).toBe(60);
    const series = history.series('query-processor', NOW - HOUR);
    expect(series.times[0]).toBe(NOW - HOUR);
    expect(series.times.at(-1)).toBe(NOW - RESTORE_STEP_MS);
    expect(series.endOffset[0]).toBe(361);
    expect(series.endOffset.at(-1)).toBe(715);
    expect(series.lag.every((lag) => lag === null)).toBe(true);
  });
});
