import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '@kafka-monitor/domain';
import { call, json, orders, pendingOrder, startHarness, type Harness } from './harness.js';

describe('review queue API', () => {
  let h: Harness;
  let first: Order;
  let second: Order;
  let third: Order;
  let accepted: Order;

  beforeAll(async () => {
    h = await startHarness({ reviewSlaMinutes: 30 });
    first = pendingOrder();
    second = pendingOrder();
    third = pendingOrder();
    [accepted] = orders(1, 7) as [Order];
    await h.seed([first, accepted]);
    await h.seed([second]);
    await h.seed([third]);
  });
  afterAll(async () => h.close());

  it('GET /api/review lists pending orders oldest first with age, failed rules, overdue flag and counts', async () => {
    const r = await call(h.base, '/api/review');
    expect(r.status).toBe(200);
    const data = r.body.data;
    expect(data.items.map((i: { 'order-id': string }) => i['order-id'])).toEqual([
      first.orderId,
      second.orderId,
      third.orderId,
    ]);
    expect(data.items[0]['failed-rules'][0]['rule-name']).toBe('price-consistency');
    expect(data.items[0]['age-seconds']).toBeGreaterThanOrEqual(0);
    // Registered just now: none is past a 30-minute SLA.
    expect(data.items.every((i: { overdue: boolean }) => !i.overdue)).toBe(true);
    expect(data).toMatchObject({ 'pending-count': 3, 'overdue-count': 0, 'sla-minutes': 30, expiry: 'off' });
    expect((await call(h.base, '/api/review?limit=1')).body.data.items).toHaveLength(1);
    expect((await call(h.base, '/api/review?limit=0')).status).toBe(400);
    expect((await call(h.base, '/api/review?limit=x')).status).toBe(400);
  });

  it('POST /api/review/decisions answers each order on its own: decided, 409 not pending, 404 unknown', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000ff';
    const r = await call(
      h.base,
      '/api/review/decisions',
      json('POST', {
        'order-ids': [first.orderId, second.orderId.toUpperCase(), accepted.orderId, unknown],
        status: 'denied',
        reason: 'bulk check',
      }),
    );
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(
      r.body.data.results.map((x: { 'order-id': string; outcome: string; code: number }) => [
        x['order-id'],
        [x.outcome, x.code],
      ]),
    );
    expect(byId).toEqual({
      [first.orderId]: ['decided', 200],
      [second.orderId]: ['decided', 200],
      [accepted.orderId]: ['conflict', 409],
      [unknown]: ['not-found', 404],
    });
    expect(r.body.data).toMatchObject({ decided: 2, pending: 0, conflict: 1, 'not-found': 1 });
    // Each decision went through the registry like a single one: the history names it.
    const history = await call(h.base, `/api/orders/${first.orderId}/history`);
    expect(history.body.data[0]).toMatchObject({ 'new-status': 'denied', 'update-reason': 'bulk check' });
    // Deciding again is a per-order 409, not a failure of the call.
    const again = await call(
      h.base,
      '/api/review/decisions',
      json('POST', { 'order-ids': [first.orderId, third.orderId], status: 'accepted' }),
    );
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ decided: 1, conflict: 1 });
    expect((await call(h.base, '/api/review')).body.data['pending-count']).toBe(0);
  });

  it('refuses a bad body with 400', async () => {
    const bad = [
      {},
      { 'order-ids': [], status: 'denied' },
      { 'order-ids': ['a'], status: 'pending' },
      { 'order-ids': ['a', 'a'], status: 'denied' },
      { 'order-ids': ['a'], status: 'denied', extra: 1 },
      { 'order-ids': Array.from({ length: 101 }, (_, i) => `o-${i}`), status: 'denied' },
    ];
    for (const body of bad) {
      const r = await call(h.base, '/api/review/decisions', json('POST', body));
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
  });
});
