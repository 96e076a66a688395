import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { TOPICS, encodeOrder, type EventBus } from '@kafka-monitor/domain';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder, memoryLog } from '@kafka-monitor/testkit';
import { errorResponses, type MonitorApp } from '../app-types.js';
import { createAuditor, type Auditor } from '../auditor.js';
import { registerAuditRoutes } from './audit-routes.js';

const NOW = 1_700_000_000_000;

function setup(bus: EventBus): { app: MonitorApp; auditor: Auditor; close: () => Promise<void> } {
  const store = createSqliteStore({ file: ':memory:' });
  const auditor = createAuditor({ bus, store, now: () => NOW });
  const app: MonitorApp = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  registerAuditRoutes(app, {
    auditor,
    mutating: {
      guard: { onRequest: (_request, _reply, done) => done(), config: {} },
      schema: {},
      errors: errorResponses(429),
    },
  });
  return {
    app,
    auditor,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

describe('/api/audit', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('has no result before the first audit, runs one at a time, then answers its report', async () => {
    const log = memoryLog({ [TOPICS.orders]: 3, [TOPICS.registry]: 3 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The audit's first look at the log waits for the gate, so the second POST finds it running.
    const bus: EventBus = { ...log, listTopics: async () => (await gate, log.listTopics()) };
    const fixture = setup(bus);
    close = fixture.close;
    const { app, auditor } = fixture;

    const before = await app.inject({ method: 'GET', url: '/api/audit' });
    expect(before.json()).toEqual({
      success: true,
      data: { status: 'never-run', 'started-at': null, report: null, error: null },
    });
    const started = await app.inject({ method: 'POST', url: '/api/audit' });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ data: { status: 'running', 'started-at': NOW, report: null } });
    const again = await app.inject({ method: 'POST', url: '/api/audit' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ success: false, error: 'an audit is already running' });

    release();
    await auditor.settled();
    const done = await app.inject({ method: 'GET', url: '/api/audit' });
    expect(done.json()).toMatchObject({
      data: {
        status: 'done',
        report: { clean: true, drifts: [], 'caught-up': true, read: { orders: 0, registry: 0, undecodable: 0 } },
      },
    });
  });

  it('reports each difference with both values; a failed audit says why', async () => {
    const log = memoryLog({ [TOPICS.orders]: 1, [TOPICS.registry]: 1 });
    const order = makeOrder({ orderId: 'o-1', customerId: 7, productId: 'PROD-001', totalCents: 2_100 });
    log.append(TOPICS.orders, [{ key: order.orderId, value: encodeOrder(order) }]);
    const fixture = setup(log);
    close = fixture.close;
    fixture.auditor.start();
    await fixture.auditor.settled();
    const body = (await fixture.app.inject({ method: 'GET', url: '/api/audit' })).json<{
      data: { report: { clean: boolean; drifts: unknown[] } };
    }>();
    expect(body.data.report.clean).toBe(false);
    expect(body.data.report.drifts).toContainEqual({
      view: 'totals',
      key: 'orders',
      field: 'totalSpentCents',
      expected: 2_100,
      stored: 0,
    });
    expect(body.data.report.drifts).toContainEqual({
      view: 'customer',
      key: '7',
      field: 'row',
      expected: 'present',
      stored: null,
    });

    const broken = setup({ ...log, listTopics: () => Promise.resolve([]) });
    broken.auditor.start();
    await broken.auditor.settled();
    expect((await broken.app.inject({ method: 'GET', url: '/api/audit' })).json()).toMatchObject({
      data: { status: 'failed', error: "topic 'orders' does not exist; nothing to audit" },
    });
    await broken.close();
  });
});
