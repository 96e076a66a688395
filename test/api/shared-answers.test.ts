import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { call, orders, startHarness, type Harness } from './harness.js';

describe('shared answers of the busiest reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('shares a stats and timeline answer for sharedAnswersMs, as JSON, one per timeline limit', async () => {
    h = await startHarness({ sharedAnswersMs: 60_000 });
    await h.seed(orders(3, 5));
    const stats = await call(h.base, '/api/stats');
    expect(stats.headers.get('content-type')).toMatch(/^application\/json/);
    expect(stats.body.data['query-processor']['total-orders']).toBe(3);
    const two = await call(h.base, '/api/timeline?limit=2');
    expect(two.body.count).toBe(2);

    await h.seed(orders(2, 6));
    // Within sharedAnswersMs the answers already given are shared, not read again.
    expect((await call(h.base, '/api/stats')).body.data['query-processor']['total-orders']).toBe(3);
    expect((await call(h.base, '/api/timeline?limit=2')).body.data).toEqual(two.body.data);
    // Another limit is another answer, read now.
    expect((await call(h.base, '/api/timeline?limit=10')).body.count).toBe(5);
  });

  it('answers a change within sharedAnswersMs of it', async () => {
    const harness = await startHarness({ sharedAnswersMs: 200 });
    h = harness;
    expect((await call(harness.base, '/api/stats')).body.data['query-processor']['total-orders']).toBe(0);
    await harness.seed(orders(4, 7));
    await waitFor(
      'stats with the new orders',
      () => call(harness.base, '/api/stats'),
      (r) => r.body.data['query-processor']['total-orders'] === 4,
    );
    expect((await call(harness.base, '/api/timeline?limit=100')).body.count).toBeGreaterThanOrEqual(4);
  });
});
