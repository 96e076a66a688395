import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceOrders } from '@kafka-monitor/pipeline';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json, orders, pendingOrder, startHarness, type Harness } from './harness.js';
import { connectSse, type SseConnection } from './sse-client.js';

/** Connects and waits for the first event, the stats every new client gets. */
async function connectedSse(url: string): Promise<SseConnection> {
  const sse = await connectSse(url);
  try {
    await waitFor(
      'connected',
      () => sse.events.length,
      (n) => n > 0,
    );
    return sse;
  } catch (error) {
    sse.close();
    throw error;
  }
}

describe('GET /api/stream (Server-Sent Events)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ heartbeatMs: 200 });
  });
  afterAll(() => h.close());

  it('delivers an order produced while listening as an order event within 1 s, then stats', async () => {
    const sse = await connectSse(`${h.base}/api/stream`);
    expect(sse.status).toBe(200);
    try {
      await waitFor(
        'initial stats',
        () => sse.events.length,
        (n) => n > 0,
      );
      expect(sse.events[0]?.event).toBe('stats');
      const [order] = orders(1, 3);
      if (order === undefined) throw new Error('no order');
      const producedAt = Date.now();
      await produceOrders(h.bus, h.store.produced, [order]);
      const event = await waitFor(
        'order event',
        () => sse.events.find((e) => e.event === 'order' && e.data['order-id'] === order.orderId),
        (e) => e !== undefined,
        5_000,
      );
      const elapsed = (event?.receivedAt ?? Infinity) - producedAt;
      console.log(`order produced → 'order' event received in ${elapsed} ms`);
      expect(elapsed).toBeLessThan(1_000);
      expect(event?.data).toMatchObject({ 'order-id': order.orderId, status: 'accepted', registered: true });
      expect(Number(event?.id)).toBeGreaterThan(0);
      await waitFor(
        'stats event with the order counted',
        () => sse.events.filter((e) => e.event === 'stats').at(-1)?.data['query-processor']['total-orders'],
        (n) => n === 1,
      );
    } finally {
      sse.close();
    }
  });

  it("sends processors events with each group's lag evaluation, every 3 s", async () => {
    const sse = await connectSse(`${h.base}/api/stream`);
    try {
      const groupOf = (e: (typeof sse.events)[number] | undefined) =>
        e?.data.processors.find((p: { name: string }) => p.name === 'query-processor')?.['consumer-group'];
      // The first event may come before the group's first commit, when its lag cannot be told yet.
      const event = await waitFor(
        'processors event with the caught-up group evaluated',
        () => sse.events.filter((e) => e.event === 'processors').at(-1),
        (e) => groupOf(e)?.partitions[0]?.['time-to-drain-seconds'] === 0,
        10_000,
      );
      const group = groupOf(event);
      expect(group).toMatchObject({ group: 'query-processor', status: 'OK', 'window-seconds': 300 });
      expect(group.partitions[0]).toMatchObject({ status: 'OK', 'time-to-drain-seconds': 0 });
      expect(group).not.toHaveProperty('history');
    } finally {
      sse.close();
    }
  });

  it('sends rebuild events for a rebuild started with POST /api/rebuild, each phase in order through done', async () => {
    await h.seed(orders(40, 11));
    const sse = await connectedSse(`${h.base}/api/stream`);
    try {
      const started = await call(h.base, '/api/rebuild', { method: 'POST' });
      expect(started.status).toBe(202);
      const last = await waitFor(
        'rebuild event with the rebuild done',
        () => sse.events.filter((e) => e.event === 'rebuild').at(-1),
        (e) => e?.data.status === 'done' || e?.data.status === 'failed',
        20_000,
      );
      expect(last?.data).toMatchObject({ status: 'done', error: null, progress: { phase: 'done' } });
      const rebuild = sse.events.filter((e) => e.event === 'rebuild');
      expect(rebuild[0]?.data).toMatchObject({ status: 'running', progress: null });
      expect(rebuild[0]?.data.plan).not.toBeNull();
      // Every phase change is sent at once; progress within a phase at most every 200 ms.
      const phases = rebuild.flatMap((e) => {
        const phase = e.data.progress?.phase;
        return phase === undefined ? [] : [phase];
      });
      const distinct = phases.filter((phase, i) => phase !== phases[i - 1]);
      expect(distinct).toEqual(['replaying', 'catching-up', 'switching', 'dropping', 'done']);
      expect(last?.data.report).toMatchObject({ replayed: expect.any(Number) });
      expect(last?.data.report.replayed).toBeGreaterThanOrEqual(40);
    } finally {
      sse.close();
    }
  });

  it('sends status events for decisions and keeps the connection alive with heartbeats', async () => {
    const order = pendingOrder();
    await h.seed([order]);
    const sse = await connectedSse(`${h.base}/api/stream`);
    try {
      const r = await call(h.base, `/api/orders/${order.orderId}/status`, json('PUT', { status: 'denied' }));
      expect(r.status).toBe(200);
      const status = await waitFor(
        'status event',
        () => sse.events.find((e) => e.event === 'status'),
        (e) => e !== undefined,
      );
      expect(status?.data).toMatchObject({
        'order-id': order.orderId,
        'previous-status': 'pending',
        'new-status': 'denied',
        version: 2,
      });
      await waitFor(
        'a heartbeat',
        () => sse.heartbeats(),
        (n) => n > 0,
      );
    } finally {
      sse.close();
    }
  });

  it('resumes after Last-Event-ID without missing or repeating anything', async () => {
    const first = await connectedSse(`${h.base}/api/stream`);
    const batchOne = orders(3, 11);
    await produceOrders(h.bus, h.store.produced, batchOne);
    await waitFor(
      '3 order events',
      () => first.events.filter((e) => e.event === 'order').length,
      (n) => n === 3,
    );
    const lastId = first.events.filter((e) => e.id !== undefined).at(-1)?.id;
    first.close();

    // While disconnected, more orders are processed.
    const missed = orders(5, 12);
    await h.seed(missed);
    const resumed = await connectSse(`${h.base}/api/stream`, lastId);
    try {
      const replayed = await waitFor(
        'the 5 missed orders',
        () => resumed.events.filter((e) => e.event === 'order').map((e) => e.data['order-id'] as string),
        (ids) => ids.length >= 5,
      );
      expect(replayed.sort()).toEqual(missed.map((o) => o.orderId).sort());
      const ids = resumed.events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
      expect(ids.every((id) => id > Number(lastId))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const live = orders(1, 13);
      await produceOrders(h.bus, h.store.produced, live);
      await waitFor(
        'a live order after the replay',
        () => resumed.events.filter((e) => e.event === 'order').length,
        (n) => n === 6,
      );
    } finally {
      resumed.close();
    }
  });

  it('rejects a malformed Last-Event-ID with 400', async () => {
    const r = await call(h.base, '/api/stream', { headers: { 'last-event-id': 'yesterday' } });
    expect(r.status).toBe(400);
    expect(r.body.success).toBe(false);
  });
});

describe('GET /api/stream when the monitor stops', () => {
  it('ends the open streams, so stopping does not wait for their clients (they reconnect elsewhere)', async () => {
    const stopping = await startHarness({ heartbeatMs: 200 });
    const sse = await connectedSse(`${stopping.base}/api/stream`);
    try {
      // Without ending the streams first, close() waits for this client for as long as it stays.
      await stopping.close();
      await waitFor(
        'stream ended by the server',
        () => sse.ended(),
        (ended) => ended,
      );
    } finally {
      sse.close();
    }
  });
});
