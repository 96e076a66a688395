import { describe, expect, it } from 'vitest';
import { ProcessorMeter } from './processor-meter.js';

describe('ProcessorMeter', () => {
  it('counts processed and errors and averages throughput over the last minute', () => {
    let now = 0;
    const meter = new ProcessorMeter(() => now);
    now = 10_000;
    meter.record(100, 0);
    now = 20_000;
    meter.record(50, 2);
    expect(meter.snapshot()).toEqual({
      startedAt: 0,
      processed: 150,
      errors: 2,
      lastProcessedAt: 20_000,
      throughputPerSecond: 152 / 20,
    });
  });

  it('forgets buckets older than a minute, even when their ring slot is reused', () => {
    let now = 0;
    const meter = new ProcessorMeter(() => now);
    meter.record(600, 0);
    now = 61_000;
    expect(meter.snapshot().throughputPerSecond).toBe(0);
    now = 60_000 * 2;
    meter.record(60, 0);
    expect(meter.snapshot().throughputPerSecond).toBe(1);
    expect(meter.snapshot().processed).toBe(660);
  });

  it('keeps the last processed time when nothing was recorded', () => {
    let now = 5;
    const meter = new ProcessorMeter(() => now);
    meter.record(0, 0);
    now = 7;
    expect(meter.snapshot().lastProcessedAt).toBeNull();
  });
});
