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
    await bus.ensureTopics([{ name: 'orders', partitions: 2 }]);
  });
  afterEach(() => bus.close());

  /** One message every `everyMs` over the last `spanMs` before NOW, all with one key (one partition). */
  async function appendEvery(everyMs: number, spanMs: number): Promise<number> {
    const messages = [];
    for (let at = NOW - spanMs; at < NOW; at += everyMs) messages.push({ key: 'k', value: 'v', timestamp: at });
    const positions = await bus.publish('orders', messages);
    return positions[0]?.partition ?? -1;
  }

  it('finds the end offset of every partition at each time from the append times', async () => {
    const partition = await appendEvery(10_000, HOUR);
    const times = [NOW - HOUR - 1, NOW - HOUR, NOW - HOUR + 15_000, NOW - 30 * 60_000, NOW - 1];
    const ends = await endOffsetsAt(bus, 'orders', times);
    // A message appended exactly at a time counts as appended by then.
    expect(ends.get(partition)).toEqual([0, 1, 2, 181, 360]);
    expect(ends.get(1 - partition)).toEqual([0, 0, 0, 0, 0]);
  });

  it('asks the bus once per time and topic, whatever the partitions and groups', async () => {
    await appendEvery(1_000, HOUR);
    let requests = 0;
    const counting = {
      offsetsAtTime: (topic: string, timestamp: number) => (requests++, bus.offsetsAtTime(topic, timestamp)),
    };
    const reading = (group: string) => ({
      group,
      members: 1,
      lag: [0, 1].map((partition) => ({
        topic: 'orders',
        partition,
        committedOffset: 0,
        endOffset: 0,
        lag: 0,
        oldestUnreadTimestamp: null,
      })),
    });
    await restoreLagHistory(counting, createLagHistory(), [reading('a'), reading('b')], NOW);
    expect(requests).toBe(60);
  });

  it('refills an hour of end offsets per minute, leaving the lag of that hour unknown', async () => {
    const partition = await appendEvery(10_000, 2 * HOUR);
    const history = createLagHistory();
    const restored = await restoreLagHistory(
      bus,
      history,
      [
        {
          group: 'query-processor',
          members: 1,
          lag: [
            { topic: 'orders', partition, committedOffset: 700, endOffset: 720, lag: 20, oldestUnreadTimestamp: null },
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
