import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_LIMITS, type Order } from '@kafka-monitor/domain';
import { call, json, orders, startHarness, type Harness } from './harness.js';

/** Configured limits other than the defaults, so the test sees they reach validation and the API. */
const LIMITS = { ...DEFAULT_RULE_LIMITS, maxQuantity: 500 };

const order = (quantity: number, overrides: Partial<Order> = {}): Order => ({
  orderId: randomUUID(),
  customerId: 9,
  productId: 'PROD-004',
  quantity,
  unitPriceCents: 100,
  totalCents: quantity * 100,
  timestamp: 1_700_000_900_000,
  status: 'pending',
  ...overrides,
});

describe('rules API', () => {
  let h: Harness;
  const big = [order(90), order(120), order(600)];
  const offByTwo = order(3, { totalCents: 302, customerId: 11 });

  beforeAll(async () => {
    h = await startHarness({ ruleLimits: LIMITS });
    await h.seed([...orders(30, 7), ...big, offByTwo, order(0, { totalCents: 0 })]);
  });
  afterAll(() => h.close());

  it('GET /api/rules shows the configured limits, the defaults and each rule with its condition', async () => {
    const { status, body } = await call(h.base, '/api/rules');
    expect(status).toBe(200);
    expect(body.data.limits).toEqual({
      'min-quantity': 1,
      'max-quantity': 500,
      'min-total': 1,
      'max-total': 100_000,
      'price-tolerance': 0.01,
    });
    expect(body.data.defaults['max-quantity']).toBe(1000);
    expect(body.data.rules).toHaveLength(8);
    expect(body.data.rules[1]).toEqual({
      'rule-name': 'maximum-quantity',
      outcome: 'review',
      'passes-when': 'quantity ≤ 500',
    });
  });

  it('the registry validates with the configured limits', async () => {
    const registered = await h.store.registry.registered(big[2]?.orderId ?? '');
    expect(registered?.status).toBe('pending');
    expect(registered?.failedRules).toEqual([
      expect.objectContaining({ ruleName: 'maximum-quantity', message: 'Quantity exceeds maximum of 500, got: 600' }),
    ]);
  });

  it('GET /api/rules/stats counts per rule the orders denied and sent to review, with top customers and products', async () => {
    const { status, body } = await call(h.base, '/api/rules/stats');
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ orders: 35, complete: true, 'scan-limit': 100_000 });
    const rule = (name: string) => body.data.rules.find((r: { 'rule-name': string }) => r['rule-name'] === name);
    // Validated just now, so every window holds them.
    expect(rule('maximum-quantity')['last-hour']).toEqual({ denied: 0, review: 1 });
    expect(rule('maximum-quantity')['top-customers']).toEqual([{ 'customer-id': 9, count: 1 }]);
    expect(rule('price-consistency').all).toEqual({ denied: 0, review: 1 });
    expect(rule('price-consistency')['top-products']).toEqual([{ 'product-id': 'PROD-004', count: 1 }]);
    expect(rule('minimum-quantity')['last-day']).toEqual({ denied: 1, review: 0 });
  });

  it('POST /api/rules/simulate answers the outcomes that would change, and produces nothing', async () => {
    const before = await h.bus.listTopics();
    const { status, body } = await call(
      h.base,
      '/api/rules/simulate',
      json('POST', { 'max-quantity': 80, 'price-tolerance': 0.02 }),
    );
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ requested: 10_000, read: 35, compared: 35, undecodable: 0, changed: 3 });
    expect(body.data.proposed).toMatchObject({ 'max-quantity': 80, 'price-tolerance': 0.02, 'min-total': 1 });
    expect(body.data.transitions).toEqual([
      { from: 'accepted', to: 'pending', count: 2 },
      { from: 'pending', to: 'accepted', count: 1 },
    ]);
    expect(body.data.examples.map((e: { order: { 'order-id': string } }) => e.order['order-id']).sort()).toEqual(
      [big[0], big[1], offByTwo].map((o) => o?.orderId).sort(),
    );
    const maxQuantity = body.data.rules.find((r: { 'rule-name': string }) => r['rule-name'] === 'maximum-quantity');
    expect(maxQuantity).toMatchObject({ 'failing-now': 1, 'failing-proposed': 3, 'newly-failing': 2 });
    expect(await h.bus.listTopics()).toEqual(before);
  });

  it('POST /api/rules/simulate replays only the newest orders asked for', async () => {
    const { body } = await call(h.base, '/api/rules/simulate', json('POST', { orders: 10 }));
    expect(body.data).toMatchObject({ requested: 10, read: 10, changed: 0 });
  });

  it('POST /api/rules/simulate rounds amounts to the cent and simulates limits that contradict each other', async () => {
    const request = {
      'min-quantity': 600,
      'max-quantity': 500,
      'min-total': 5,
      'max-total': 4,
      'price-tolerance': 0.016,
    };
    const { status, body } = await call(h.base, '/api/rules/simulate', json('POST', request));
    expect(status).toBe(200);
    expect(body.data.proposed).toMatchObject({
      'min-quantity': 600,
      'max-quantity': 500,
      'min-total': 5,
      'max-total': 4,
      'price-tolerance': 0.02,
    });
    // Every order fails minimum-quantity or maximum-quantity, and minimum-total or maximum-total.
    expect(body.data.changed).toBeGreaterThan(0);
  });

  it.each([
    [{ orders: 0 }, /orders/],
    [{ orders: 100_001 }, /orders/],
    [{ 'max-quantity': -1 }, /max-quantity/],
    [{ 'max-quantity': 1.5 }, /max-quantity/],
    [{ 'max-quantity': 0 }, /max-quantity/],
    [{ 'max-total': 0.004 }, /max-total/],
    [{ 'max-total': '80' }, /max-total/],
    [{ threshold: 3 }, /threshold|additional/],
  ])('POST /api/rules/simulate refuses %j with 400', async (request, reason) => {
    const { status, body } = await call(h.base, '/api/rules/simulate', json('POST', request));
    expect(status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toMatch(reason);
  });
});

describe('rules API on a registry log longer than the scan', () => {
  let h: Harness;
  const held = Array.from({ length: 6 }, (_, i) => order(3, { totalCents: 302, customerId: 20 + i }));

  beforeAll(async () => {
    h = await startHarness({ ruleStatsScanLimit: 4 });
    await h.seed([...held, ...orders(10, 3)]);
  });
  afterAll(() => h.close());

  it("GET /api/rules/stats counts all time from the registry's counters, the windows from what it read", async () => {
    const { status, body } = await call(h.base, '/api/rules/stats');
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ scanned: 4, complete: false, 'scan-limit': 4 });
    const rule = body.data.rules.find((r: { 'rule-name': string }) => r['rule-name'] === 'price-consistency');
    expect(rule.all).toEqual({ denied: 0, review: 6 });
    // The newest 4 registry messages cannot hold all 6 held orders.
    expect(rule['last-hour'].review).toBeLessThan(6);
    expect(await h.store.registry.ruleHits()).toEqual({ 'price-consistency': { denied: 0, review: 6 } });
  });
});
