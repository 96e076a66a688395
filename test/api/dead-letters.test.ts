import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DependencyError,
  TOPICS,
  deadLetterTopic,
  encodeOrder,
  readDeadLetterHeaders,
  type EventBus,
  type Order,
} from '@kafka-monitor/domain';
import { buildMonitor } from '@kafka-monitor/monitor';
import { waitFor } from '@kafka-monitor/testkit';
import { readTopic } from '../helpers.js';
import { call, json, startHarness, type Harness } from './harness.js';

const TOKEN = 'dlq-token';
const auth = { authorization: `Bearer ${TOKEN}` };

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderId: randomUUID(),
    customerId: 42,
    productId: 'PROD-004',
    quantity: 3,
    unitPriceCents: 1_250,
    totalCents: 3_750,
    timestamp: 1_700_000_900_000,
    status: 'pending',
    ...overrides,
  };
}

/** The wire form of an order with `quantity` as a word: a poison message for both processors. */
function wordyQuantity(o: Order): string {
  return encodeOrder(o).replace(/"quantity":\s*\d+/, '"quantity": "three"');
}

describe('dead letters over the API: collected, grouped, inspected, redriven, discarded, audited', () => {
  let h: Harness;
  const fixed = order();
  let wordyId: string;
  let wordyTwinId: string;
  let notJsonId: string;
  let binaryId: string;

  beforeAll(async () => {
    h = await startHarness({ apiToken: TOKEN, mutationsPerMinute: 100_000 });
    wordyId = await h.poison(wordyQuantity(fixed), fixed.orderId);
    const twin = order();
    wordyTwinId = await h.poison(wordyQuantity(twin), twin.orderId);
    notJsonId = await h.poison('{"order-id": "half', 'half');
    binaryId = await h.poison(Uint8Array.from([0xc3, 0x28, 0xff]), 'bytes');
  });
  afterAll(() => h.close());

  it('groups pending dead letters by reason with counts', async () => {
    const r = await call(h.base, '/api/dead-letters/reasons');
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe('pending');
    expect(r.body.data.total).toBe(4);
    const [top, ...rest] = r.body.data.reasons as { reason: string; count: number }[];
    expect(top).toEqual({ reason: expect.stringContaining('quantity'), count: 2 });
    expect(rest.map((x) => x.count)).toEqual([1, 1]);
    expect(rest.map((x) => x.reason).sort()).toEqual([expect.stringContaining('not JSON'), 'not UTF-8 text']);
  });

  it('lists dead letters of a reason, newest first, with a payload preview', async () => {
    const reasons = (await call(h.base, '/api/dead-letters/reasons')).body.data.reasons as { reason: string }[];
    const reason = reasons[0]?.reason ?? '';
    const r = await call(h.base, `/api/dead-letters?reason=${encodeURIComponent(reason)}`);
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(2);
    expect(r.body.data.map((l: { id: string }) => l.id).sort()).toEqual([wordyId, wordyTwinId].sort());
    expect(r.body.data[0]).toMatchObject({
      topic: 'orders',
      status: 'pending',
      groups: ['query-processor', 'registry-processor'],
      'payload-preview': expect.stringContaining('"three"'),
    });
    expect((await call(h.base, '/api/dead-letters?limit=0')).body.count).toBe(1);
    expect((await call(h.base, '/api/dead-letters')).body.count).toBe(4);
    expect((await call(h.base, '/api/dead-letters?status=discarded')).body.count).toBe(0);
    expect((await call(h.base, '/api/dead-letters?status=lost')).status).toBe(400);
  });

  it('shows one dead letter with its exact payload, key, headers and reason', async () => {
    const r = await call(h.base, `/api/dead-letters/${encodeURIComponent(wordyId)}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      id: wordyId,
      key: fixed.orderId,
      payload: wordyQuantity(fixed),
      'payload-encoding': 'utf-8',
      reason: expect.stringContaining('quantity'),
      actions: [],
    });
    const binary = await call(h.base, `/api/dead-letters/${encodeURIComponent(binaryId)}`);
    expect(binary.body.data).toMatchObject({ payload: 'wyj/', 'payload-encoding': 'base64', 'payload-bytes': 3 });
    expect((await call(h.base, '/api/dead-letters/orders:0:999999')).status).toBe(404);
  });

  it('redrives an edited payload through the original topic, and the order is processed', async () => {
    const unauthorised = await call(h.base, `/api/dead-letters/${wordyId}/redrive`, json('POST', {}));
    expect(unauthorised.status).toBe(401);
    const payload = encodeOrder(fixed);
    const r = await call(
      h.base,
      `/api/dead-letters/${encodeURIComponent(wordyId)}/redrive`,
      json('POST', { payload, actor: 'alice', note: 'quantity as a number' }, auth),
    );
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe('redriven');
    expect(r.body.data.actions).toEqual([
      {
        action: 'redrive',
        at: expect.any(Number),
        actor: 'alice',
        note: 'quantity as a number',
        'edited-payload': payload,
        'redriven-to': { topic: 'orders', partition: expect.any(Number), offset: expect.any(Number) },
      },
    ]);
    const registered = await waitFor(
      'redriven order registered',
      () => h.store.registry.registered(fixed.orderId),
      (o) => o !== undefined,
    );
    expect(registered?.order).toEqual(fixed);
    await waitFor(
      'redriven order in the views',
      () => h.store.views.timelineEntry(fixed.orderId),
      (e) => e !== undefined,
    );
    const search = await call(h.base, `/api/orders/search/${fixed.orderId}`);
    expect(search.status).toBe(200);
    expect(search.body.source).toBe('registered');
    // The message on the topic carries the original key and names the dead letter it came from.
    const position = r.body.data.actions[0]['redriven-to'];
    const [sent] = await h.bus.read('orders', position.partition, position.offset, 1);
    expect(sent?.key).toBe(fixed.orderId);
    expect(sent?.headers['dlq.redriven.from']).toBe(wordyId);
  });

  it('answers 409 for any second action on a resolved dead letter, and 404 for an unknown one', async () => {
    const again = await call(h.base, `/api/dead-letters/${wordyId}/redrive`, json('POST', {}, auth));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, error: `dead letter ${wordyId} is redriven, not pending` });
    expect((await call(h.base, `/api/dead-letters/${wordyId}/discard`, json('POST', {}, auth))).status).toBe(409);
    expect((await call(h.base, '/api/dead-letters/orders:9:9/discard', json('POST', {}, auth))).status).toBe(404);
    const detail = await call(h.base, `/api/dead-letters/${wordyId}`);
    expect(detail.body.data.actions).toHaveLength(1);
  });

  it('discards with an audited action, and only the pending ones are counted', async () => {
    const r = await call(
      h.base,
      `/api/dead-letters/${binaryId}/discard`,
      json('POST', { actor: "o'brien ✓", note: 'garbage from a test tool' }, auth),
    );
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe('discarded');
    expect(r.body.data.actions).toEqual([
      {
        action: 'discard',
        at: expect.any(Number),
        actor: "o'brien ✓",
        note: 'garbage from a test tool',
        'edited-payload': null,
        'redriven-to': null,
      },
    ]);
    // No body at all acts with the defaults.
    const bare = await fetch(`${h.base}/api/dead-letters/${notJsonId}/discard`, { method: 'POST', headers: auth });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { data: { actions: { actor: string }[] } }).data.actions[0]?.actor).toBe('operator');
    const discarded = await call(h.base, '/api/dead-letters?status=discarded');
    expect(discarded.body.data.map((l: { id: string }) => l.id).sort()).toEqual([binaryId, notJsonId].sort());
    const pending = await call(h.base, '/api/dead-letters/reasons');
    expect(pending.body.data.total).toBe(1);
    expect((await call(h.base, '/api/dead-letters/reasons?status=redriven')).body.data.total).toBe(1);
  });

  it('dead-letters a redriven message that is still malformed again, under a new id that names the first', async () => {
    const r = await call(h.base, `/api/dead-letters/${wordyTwinId}/redrive`, json('POST', {}, auth));
    expect(r.status).toBe(200);
    const to = r.body.data.actions[0]['redriven-to'];
    const secondId = `orders:${to.partition}:${to.offset}`;
    const second = await waitFor(
      'second dead letter collected',
      () => h.store.deadLetters.deadLetter(secondId),
      (l) => l?.groups.length === 2,
    );
    expect(second?.status).toBe('pending');
    expect(second?.headers['dlq.redriven.from']).toBe(wordyTwinId);
    const letters = await readTopic(h.bus, deadLetterTopic(TOPICS.orders));
    // The redriven copy, dead-lettered once by each consumer group (an offset alone can repeat across partitions).
    const again = letters.filter((l) => {
      const source = readDeadLetterHeaders(l.headers);
      return source?.topic === TOPICS.orders && source.partition === to.partition && source.offset === to.offset;
    });
    expect(again).toHaveLength(2);
  });

  it('refuses bad action bodies with 400: unknown fields, over-long payload, actor or note', async () => {
    const pendingId = (await call(h.base, '/api/dead-letters')).body.data[0].id as string;
    for (const body of [
      { payload: 'x', extra: true },
      { payload: 'x'.repeat(60_001) },
      { actor: '' },
      { actor: 'a'.repeat(101) },
      { note: 'n'.repeat(501) },
    ]) {
      const r = await call(h.base, `/api/dead-letters/${pendingId}/redrive`, json('POST', body, auth));
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(r.body.success).toBe(false);
    }
    expect((await call(h.base, `/api/dead-letters/${pendingId}`)).body.data.status).toBe('pending');
  });

  it('keeps a dead letter pending with a failed attempt in its trail when the bus refuses the redrive', async () => {
    const pendingId = (await call(h.base, '/api/dead-letters')).body.data[0].id as string;
    const refusing: EventBus = {
      ...h.bus,
      publish: () => Promise.reject(new DependencyError('bus', 'broker unreachable')),
    };
    const monitor = await buildMonitor({
      bus: refusing,
      store: h.store,
      now: Date.now,
      newId: randomUUID,
      options: { busType: 'embedded', storeType: 'sqlite', collectDeadLetters: false },
    });
    try {
      const r = await monitor.app.inject({
        method: 'POST',
        url: `/api/dead-letters/${pendingId}/redrive`,
        payload: {},
      });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({
        success: false,
        error: 'bus unavailable: broker unreachable',
        message: 'bus unavailable: broker unreachable',
      });
    } finally {
      await monitor.app.close();
    }
    const detail = await call(h.base, `/api/dead-letters/${pendingId}`);
    expect(detail.body.data.status).toBe('pending');
    expect(detail.body.data.actions).toEqual([
      expect.objectContaining({ action: 'redrive-failed', note: 'broker unreachable', 'redriven-to': null }),
    ]);
  });
});
