import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { TOPICS, encodeOrder, type EventBus, type Store } from '@kafka-monitor/domain';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { expectedViews, makeOrder, memoryLog, snapshotViews } from '@kafka-monitor/testkit';
import type { RebuildStateDto } from '../../contract-rebuild.js';
import { errorResponses, type MonitorApp } from '../app-types.js';
import { createRebuilder, type Rebuilder } from '../rebuilder.js';
import { registerRebuildRoutes } from './rebuild-routes.js';

const NOW = 1_700_000_000_000;

function setup(bus: EventBus): {
  app: MonitorApp;
  store: Store;
  rebuilder: Rebuilder;
  events: RebuildStateDto[];
  close: () => Promise<void>;
} {
  const store = createSqliteStore({ file: ':memory:' });
  const events: RebuildStateDto[] = [];
  const rebuilder = createRebuilder({ bus, store, now: () => NOW, owner: 'test', onChange: (s) => events.push(s) });
  const app: MonitorApp = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  registerRebuildRoutes(app, {
    rebuilder,
    mutating: {
      guard: { onRequest: (_request, _reply, done) => done(), config: {} },
      schema: {},
      errors: errorResponses(429),
    },
  });
  return {
    app,
    store,
    rebuilder,
    events,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

describe('/api/rebuild', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('plans, runs one rebuild at a time with its progress, then answers its report', async () => {
    const log = memoryLog({ [TOPICS.orders]: 2 });
    const orders = Array.from({ length: 30 }, (_, i) => makeOrder({ orderId: `o-${i}`, customerId: i % 4 }));
    await log.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The rebuild's first read of the log waits for the gate, so the second POST finds it running.
    const bus: EventBus = { ...log, read: async (...args) => (await gate, log.read(...args)) };
    const fixture = setup(bus);
    close = fixture.close;
    const { app, rebuilder, store, events } = fixture;

    const plan = await app.inject({ method: 'GET', url: '/api/rebuild/plan' });
    expect(plan.statusCode).toBe(200);
    const planned = plan.json<{ data: { partitions: { messages: number }[]; messages: number } }>().data;
    expect(planned).toMatchObject({ 'from-generation': 0, 'to-generation': 1, messages: 30, running: null });
    expect(planned.partitions.reduce((s, p) => s + p.messages, 0)).toBe(30);

    expect((await app.inject({ method: 'GET', url: '/api/rebuild' })).json()).toEqual({
      success: true,
      data: { status: 'never-run', 'started-at': null, plan: null, progress: null, report: null, error: null },
    });
    const started = await app.inject({ method: 'POST', url: '/api/rebuild' });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ data: { status: 'running', 'started-at': NOW, plan: { messages: 30 } } });
    const again = await app.inject({ method: 'POST', url: '/api/rebuild' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ success: false, error: expect.stringMatching(/already running/) });

    release();
    await rebuilder.settled();
    const done = await app.inject({ method: 'GET', url: '/api/rebuild' });
    expect(done.json()).toMatchObject({
      data: {
        status: 'done',
        progress: { phase: 'done' },
        report: { 'from-generation': 0, 'to-generation': 1, replayed: 30 },
        error: null,
      },
    });
    expect(events.map((e) => e.progress?.phase)).toEqual(expect.arrayContaining(['replaying', 'switching', 'done']));
    expect(await snapshotViews(store.views)).toEqual(expectedViews(orders));
    expect((await app.inject({ method: 'GET', url: '/api/rebuild/plan' })).json()).toMatchObject({
      data: { 'from-generation': 1, 'to-generation': 2, 'rate-basis': 'last rebuild' },
    });
  });

  it('answers 409 naming the owner while another process holds the lease, and 503 when there is no orders topic', async () => {
    const fixture = setup(memoryLog({ [TOPICS.orders]: 1 }));
    close = fixture.close;
    await fixture.store.viewGenerations.acquireLease('cli@host:42', NOW, 60_000);
    const refused = await fixture.app.inject({ method: 'POST', url: '/api/rebuild' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: expect.stringMatching(/already running \(cli@host:42/) });

    const empty = setup(memoryLog({}));
    const plan = await empty.app.inject({ method: 'GET', url: '/api/rebuild/plan' });
    await empty.close();
    expect(plan.statusCode).toBe(503);
    expect(plan.json()).toMatchObject({ error: "no plan: topic 'orders' does not exist; nothing to rebuild" });
  });
});
