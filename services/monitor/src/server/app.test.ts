import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { validateOrder, type EventBus, type Store } from '@kafka-monitor/domain';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder } from '@kafka-monitor/testkit';
import { buildMonitorApp } from './app.js';

describe('monitor HTTP API', () => {
  let bus: EventBus;
  let store: Store;
  let app: FastifyInstance;
  let base: string;

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    app = buildMonitorApp({ bus, store, busType: 'embedded', storeType: 'sqlite', now: () => 1_234 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await app.close();
    await bus.close().catch(() => undefined);
    await store.close().catch(() => undefined);
  });

  it('GET /api/health reports healthy when the bus and the store answer', async () => {
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'healthy',
      bus: { type: 'embedded', status: 'connected' },
      store: { type: 'sqlite', status: 'connected' },
      timestamp: 1_234,
    });
  });

  it('GET /api/health answers 503 degraded when the store is down, unhealthy when both are', async () => {
    await store.close();
    const degraded = await fetch(`${base}/api/health`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', store: { status: 'unavailable' } });
    await bus.close();
    const unhealthy = await fetch(`${base}/api/health`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toMatchObject({ status: 'unhealthy', bus: { status: 'unavailable' } });
  });

  it('GET /api/stats returns the totals in the envelope with kebab-case keys', async () => {
    const accepted = makeOrder({ orderId: 'a', totalCents: 2_100 });
    const pending = makeOrder({ orderId: 'p', customerId: 2, totalCents: 9_999 });
    await store.views.applyOrders(
      { consumer: 'query-processor', topic: 'orders', partition: 0 },
      [
        { offset: 0, content: accepted },
        { offset: 1, content: pending },
      ],
      1,
    );
    await store.registry.applyRegistryMessages(
      { consumer: 'registry-processor', topic: 'registry', partition: 0 },
      [accepted, pending].map((order, offset) => ({
        offset,
        content: { kind: 'validation' as const, order, result: validateOrder(order), timestamp: 1 },
      })),
      1,
    );
    const response = await fetch(`${base}/api/stats`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      data: {
        'query-processor': {
          'customer-count': 2,
          'product-count': 1,
          'total-orders': 2,
          'total-customers-spent': 120.99,
          'total-revenue-accepted': 21,
        },
        'registry-processor': { 'registered-count': 2, 'accepted-count': 1, 'denied-count': 0, 'pending-count': 1 },
        timestamp: 1_234,
      },
    });
  });

  it('answers unknown API paths with a JSON 404 and never a 500 for a store failure', async () => {
    const missing = await fetch(`${base}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ success: false, error: 'no route GET /api/nothing-here' });
    await store.close();
    const failing = await fetch(`${base}/api/stats`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({ success: false });
  });
});
