import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, fromCents, type Order } from '@kafka-monitor/domain';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json, orders, pendingOrder, startHarness, type Harness } from './harness.js';

describe('monitor API over HTTP', () => {
  let h: Harness;
  let seeded: Order[];
  let pending: Order;

  beforeAll(async () => {
    h = await startHarness();
    seeded = orders(30, 7);
    pending = pendingOrder();
    await h.seed([...seeded, pending]);
  });
  afterAll(() => h.close());

  describe('health and stats', () => {
    it('GET /api/health is healthy with both dependencies connected', async () => {
      const r = await call(h.base, '/api/health');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        status: 'healthy',
        bus: { type: 'embedded', status: 'connected' },
        store: { type: 'sqlite', status: 'connected' },
      });
    });

    it('GET /api/stats counts every order and the registry statuses', async () => {
      const r = await call(h.base, '/api/stats');
      expect(r.status).toBe(200);
      const spent = [...seeded, pending].reduce((sum, o) => sum + o.totalCents, 0);
      expect(r.body.data['query-processor']).toMatchObject({
        'total-orders': 31,
        'total-customers-spent': fromCents(spent),
      });
      expect(r.body.data['registry-processor']).toEqual({
        'registered-count': 31,
        'accepted-count': 30,
        'denied-count': 0,
        'pending-count': 1,
      });
    });
  });

  describe('customers', () => {
    it('GET /api/customers/top sorts by total spent and honours limit (default 10, clamped 1…1000)', async () => {
      const r = await call(h.base, '/api/customers/top');
      expect(r.status).toBe(200);
      const spent = r.body.data.map((c: any) => c['total-spent']);
      expect(spent).toEqual([...spent].sort((a: number, b: number) => b - a));
      expect(r.body.count).toBe(Math.min(10, r.body.data.length));
      expect((await call(h.base, '/api/customers/top?limit=2')).body.count).toBe(2);
      expect((await call(h.base, '/api/customers/top?limit=0')).body.count).toBe(1);
      expect((await call(h.base, '/api/customers/top?limit=-4')).body.count).toBe(1);
      const all = await call(h.base, '/api/customers/top?limit=99999');
      expect(all.status).toBe(200);
      expect(all.body.count).toBeLessThanOrEqual(1000);
    });

    it('rejects a non-numeric limit with 400', async () => {
      for (const limit of ['abc', '1.5', '', '0.0', '1e2', ' 5']) {
        const r = await call(h.base, `/api/customers/top?limit=${encodeURIComponent(limit)}`);
        expect(r.status, `limit=${limit}`).toBe(400);
        expect(r.body).toEqual({
          success: false,
          error: expect.stringContaining('limit'),
          message: expect.stringContaining('limit'),
        });
      }
    });

    it('GET /api/customers/search: empty q is top, a number finds that customer, text finds none', async () => {
      const customerId = seeded[0]?.customerId ?? 0;
      const byId = await call(h.base, `/api/customers/search?q=${customerId}`);
      expect(byId.body).toMatchObject({ success: true, count: 1, query: String(customerId) });
      expect(byId.body.data[0]['customer-id']).toBe(customerId);
      const none = await call(h.base, '/api/customers/search?q=999999');
      expect(none.body).toMatchObject({ data: [], count: 0 });
      const text = await call(h.base, '/api/customers/search?q=alice');
      expect(text.body).toEqual({ success: true, data: [], count: 0, query: 'alice' });
      const empty = await call(h.base, '/api/customers/search?limit=3');
      expect(empty.body.count).toBe(3);
      expect(empty.body.query).toBe('');
    });

    it('GET /api/customers/:id: 200 known, 404 unknown, 400 non-integer', async () => {
      const id = seeded[0]?.customerId ?? 0;
      const found = await call(h.base, `/api/customers/${id}`);
      expect(found.status).toBe(200);
      expect(found.body.data).toMatchObject({ 'customer-id': id });
      expect(found.body.data['total-orders']).toBeGreaterThan(0);
      expect((await call(h.base, '/api/customers/424242')).status).toBe(404);
      const bad = await call(h.base, '/api/customers/abc');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('integer');
      expect((await call(h.base, '/api/customers/1.5')).status).toBe(400);
    });
  });

  describe('products', () => {
    it('GET /api/products/top sorts by revenue and computes the average quantity', async () => {
      const r = await call(h.base, '/api/products/top?limit=5');
      expect(r.status).toBe(200);
      const revenue = r.body.data.map((p: any) => p['total-revenue']);
      expect(revenue).toEqual([...revenue].sort((a: number, b: number) => b - a));
      for (const p of r.body.data) expect(p['avg-quantity']).toBeCloseTo(p['total-quantity'] / p['order-count'], 10);
    });

    it('GET /api/products/search matches an id prefix case-insensitively', async () => {
      const r = await call(h.base, '/api/products/search?q=prod-00');
      expect(r.body.count).toBeGreaterThan(0);
      for (const p of r.body.data) expect(p['product-id'].startsWith('PROD-00')).toBe(true);
      expect((await call(h.base, '/api/products/search?q=zzz')).body.count).toBe(0);
      expect((await call(h.base, '/api/products/search?q=%25')).body.count).toBe(0);
    });

    it('GET /api/products/:id: exact id, 404 otherwise', async () => {
      expect((await call(h.base, '/api/products/PROD-002')).body.data['product-id']).toBe('PROD-002');
      expect((await call(h.base, '/api/products/prod-002')).status).toBe(404);
    });
  });

  describe('timeline and orders', () => {
    it('GET /api/timeline: newest first, each entry with its registry status', async () => {
      const r = await call(h.base, '/api/timeline?limit=100');
      expect(r.body.count).toBe(31);
      const times = r.body.data.map((e: any) => e.timestamp);
      expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
      const entry = r.body.data.find((e: any) => e['order-id'] === pending.orderId);
      expect(entry).toMatchObject({ status: 'pending', registered: true, 'order-status': 'pending' });
      expect((await call(h.base, '/api/timeline?limit=3')).body.count).toBe(3);
    });

    it('GET /api/orders lists produced orders newest first', async () => {
      const r = await call(h.base, '/api/orders?limit=5');
      expect(r.status).toBe(200);
      expect(r.body.count).toBe(5);
      expect(r.body.data[0]['order-id']).toBe(pending.orderId);
    });

    it('GET /api/orders/search/:id: registered first, a UUID in any case, 400 for a non-UUID, 404 unknown', async () => {
      const found = await call(h.base, `/api/orders/search/${pending.orderId}`);
      expect(found.body).toMatchObject({ success: true, source: 'registered', data: { 'order-id': pending.orderId } });
      expect(found.body.data['failed-rules']).toEqual([
        { 'rule-name': 'price-consistency', message: 'Total mismatch. Expected: $20.0, got: $25.0' },
      ]);
      const upper = await call(h.base, `/api/orders/search/${pending.orderId.toUpperCase()}`);
      expect(upper.status).toBe(200);
      expect(upper.body).toMatchObject({ source: 'registered', data: { 'order-id': pending.orderId } });
      const registeredUpper = await call(h.base, `/api/registered/${pending.orderId.toUpperCase()}`);
      expect(registeredUpper.body.data['order-id']).toBe(pending.orderId);
      expect((await call(h.base, '/api/orders/search/not-a-uuid')).status).toBe(400);
      const unknown = await call(h.base, `/api/orders/search/${randomUUID()}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toContain('not found');
      expect(unknown.body.message).toBe(unknown.body.error);
    });

    it('GET /api/orders/search/:id falls back to the timeline for an order not registered', async () => {
      const orphan = orders(1, 99)[0] as Order;
      await h.store.views.applyOrders(
        { consumer: 'test-only', topic: 'orders', partition: 0 },
        [{ offset: 0, content: orphan }],
        1,
      );
      const r = await call(h.base, `/api/orders/search/${orphan.orderId}`);
      expect(r.body).toMatchObject({ source: 'timeline', data: { 'order-id': orphan.orderId, registered: false } });
    });

    it('GET /api/orders/by-status/:status lists registered orders; 400 for an unknown status', async () => {
      const r = await call(h.base, '/api/orders/by-status/pending');
      expect(r.body.data.map((o: any) => o['order-id'])).toContain(pending.orderId);
      expect((await call(h.base, '/api/orders/by-status/accepted?limit=4')).body.count).toBe(4);
      const bad = await call(h.base, '/api/orders/by-status/shipped');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('status');
    });

    it('GET /api/registered/:id and /api/orders/:id/history; 404 for unknown ids', async () => {
      const r = await call(h.base, `/api/registered/${pending.orderId}`);
      expect(r.body.data).toMatchObject({ status: 'pending', version: 1, 'validation-passed': false });
      const history = await call(h.base, `/api/orders/${pending.orderId}/history`);
      expect(history.body).toMatchObject({
        count: 1,
        data: [{ version: 1, 'previous-status': null, 'new-status': 'pending' }],
      });
      expect((await call(h.base, `/api/registered/${randomUUID()}`)).status).toBe(404);
      expect((await call(h.base, `/api/orders/${randomUUID()}/history`)).status).toBe(404);
    });

    it('GET /api/debug/order/:id says where an order is', async () => {
      const r = await call(h.base, `/api/debug/order/${pending.orderId}`);
      expect(r.body.data).toMatchObject({ produced: true, timeline: true, registered: true });
      expect(r.body).toMatchObject({
        'order-id': pending.orderId,
        'in-registered': true,
        'in-timeline': true,
        'registered-data': { 'order-id': pending.orderId },
        'timeline-data': { 'order-id': pending.orderId },
      });
      const none = await call(h.base, `/api/debug/order/${randomUUID()}`);
      expect(none.body).toMatchObject({ 'in-registered': false, 'in-timeline': false, 'registered-data': null });
      expect(none.body.data).toMatchObject({
        produced: false,
        timeline: false,
        registered: false,
        'registered-order': null,
      });
    });
  });

  describe('decisions: PUT /api/orders/:id/status', () => {
    it('approves a pending order once the registry applied it, with history', async () => {
      const order = pendingOrder();
      await h.seed([order]);
      const r = await call(
        h.base,
        `/api/orders/${order.orderId}/status`,
        json('PUT', { status: 'accepted', reason: 'checked by phone' }),
      );
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ 'order-id': order.orderId, status: 'accepted', version: 2 });
      const history = await call(h.base, `/api/orders/${order.orderId}/history`);
      expect(history.body.data[0]).toMatchObject({
        version: 2,
        'previous-status': 'pending',
        'new-status': 'accepted',
        'update-reason': 'checked by phone',
        'requested-by': 'api',
      });
      const again = await call(h.base, `/api/orders/${order.orderId}/status`, json('PUT', { status: 'denied' }));
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('order is accepted, not pending');
    });

    it('answers 400 for a bad status, 404 for an unknown order, 400 for a malformed body', async () => {
      const bad = await call(h.base, `/api/orders/${pending.orderId}/status`, json('PUT', { status: 'shipped' }));
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('status');
      const unknown = await call(h.base, `/api/orders/${randomUUID()}/status`, json('PUT', { status: 'denied' }));
      expect(unknown.status).toBe(404);
      const missing = await call(h.base, `/api/orders/${pending.orderId}/status`, json('PUT', {}));
      expect(missing.status).toBe(400);
      const notJson = await call(h.base, `/api/orders/${pending.orderId}/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"status":',
      });
      expect(notJson.status).toBe(400);
    });

    it('answers 202 with a link when the registry does not apply it in time, and the link tells the outcome', async () => {
      const order = pendingOrder();
      await h.seed([order]);
      await h.registryProcessor.stop();
      try {
        const r = await call(h.base, `/api/orders/${order.orderId}/status`, json('PUT', { status: 'denied' }));
        expect(r.status).toBe(202);
        expect(r.headers.get('location')).toBe(r.body.data.location);
        expect(r.body.data).toMatchObject({ 'order-id': order.orderId, state: 'pending' });
        expect((await call(h.base, r.body.data.location)).status).toBe(404);
        await h.registryProcessor.start();
        const outcome = await waitFor(
          'the decision',
          async () => (await call(h.base, r.body.data.location)).body,
          (b) => b.success === true,
        );
        expect(outcome.data).toMatchObject({ state: 'applied', 'order-id': order.orderId });
      } finally {
        await h.registryProcessor.start();
      }
    }, 20_000);

    it('50 concurrent approve/deny calls on one pending order: one 200, the rest 409, one history entry', async () => {
      const order = pendingOrder();
      await h.seed([order]);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          call(
            h.base,
            `/api/orders/${order.orderId}/status`,
            json('PUT', { status: i % 2 === 0 ? 'accepted' : 'denied' }),
          ),
        ),
      );
      const codes = responses.map((r) => r.status);
      expect(codes.filter((c) => c === 200)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(49);
      const history = await call(h.base, `/api/orders/${order.orderId}/history`);
      expect(history.body.data.filter((u: any) => u.version > 1)).toHaveLength(1);
      const winner = responses.find((r) => r.status === 200);
      expect(history.body.data[0]['new-status']).toBe(winner?.body.data.status);
    }, 30_000);
  });

  describe('creating orders: POST /api/orders', () => {
    it('answers 201 with Location once the log acknowledged it, and the order flows through', async () => {
      const r = await call(
        h.base,
        '/api/orders',
        json('POST', { 'customer-id': 5, 'product-id': 'PROD-004', quantity: 3, 'unit-price': 19.99 }),
      );
      expect(r.status).toBe(201);
      expect(r.body.data).toMatchObject({
        'customer-id': 5,
        quantity: 3,
        'unit-price': 19.99,
        total: 59.97,
        status: 'pending',
      });
      const id = r.body.data['order-id'];
      expect(r.headers.get('location')).toBe(`/api/orders/search/${id}`);
      const found = await waitFor(
        'registered',
        async () => call(h.base, `/api/orders/search/${id}`),
        // The timeline may hold it (still pending) before the registry does: wait for the registry.
        (x) => x.status === 200 && x.body.source === 'registered',
      );
      expect(found.body.data.status).toBe('accepted');
    });

    it('drops a __proto__ or constructor.prototype key of the body instead of refusing the order', async () => {
      const body =
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ' +
        '"customer-id": 6, "product-id": "PROD-004", "quantity": 2, "unit-price": 5}';
      const r = await call(h.base, '/api/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status).toBe(201);
      expect(r.body.data).toMatchObject({ 'customer-id': 6, quantity: 2, total: 10 });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('reports every bad field at once with 400', async () => {
      const r = await call(h.base, '/api/orders', json('POST', { 'customer-id': 0, quantity: 'two', 'unit-price': 0 }));
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid order');
      expect(Object.keys(r.body.errors).sort()).toEqual(['customer-id', 'product-id', 'quantity', 'unit-price']);
      const total = await call(
        h.base,
        '/api/orders',
        json('POST', { 'customer-id': 1, 'product-id': 'P', quantity: 1, 'unit-price': 2, total: 0.004 }),
      );
      expect(total.body.errors).toEqual({ total: 'must be >= 0.01' });
      // Amounts are kept in cents: more decimals are rounded, as the document says.
      const rounded = await call(
        h.base,
        '/api/orders',
        json('POST', { 'customer-id': 1, 'product-id': 'P', quantity: 2, 'unit-price': 2.004 }),
      );
      expect(rounded.status).toBe(201);
      expect(rounded.body.data).toMatchObject({ 'unit-price': 2, total: 4 });
      expect((await call(h.base, '/api/orders', json('POST', [1, 2]))).status).toBe(400);
    });

    it('keeps JSON types: a number sent as a string, or a string sent as a number, is refused with 400', async () => {
      const asText = await call(
        h.base,
        '/api/orders',
        json('POST', { 'customer-id': '5', 'product-id': 'PROD-004', quantity: '3', 'unit-price': 19.99 }),
      );
      expect(asText.status).toBe(400);
      expect(Object.keys(asText.body.errors).sort()).toEqual(['customer-id', 'quantity']);
      const rate = await call(h.base, '/api/generator', json('PUT', { 'order-rate': '250' }));
      expect(rate.status).toBe(400);
      expect(rate.body.error).toContain('order-rate');
      expect((await call(h.base, '/api/generator')).body.data['order-rate']).not.toBe(250);
      const decision = await call(
        h.base,
        `/api/orders/${randomUUID()}/status`,
        json('PUT', { status: 'accepted', reason: 5 }),
      );
      expect(decision.status).toBe(400);
      expect(decision.body.error).toContain('reason');
    });

    it('honours Idempotency-Key: a retried request does not create a second order', async () => {
      const body = { 'customer-id': 8, 'product-id': 'PROD-001', quantity: 1, 'unit-price': 5, total: 5 };
      const key = randomUUID();
      const first = await call(h.base, '/api/orders', json('POST', body, { 'idempotency-key': key }));
      const second = await call(h.base, '/api/orders', json('POST', body, { 'idempotency-key': key }));
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.data['order-id']).toBe(first.body.data['order-id']);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const produced = await call(h.base, '/api/orders?limit=1000');
      expect(produced.body.data.filter((o: any) => o['customer-id'] === 8 && o.total === 5)).toHaveLength(1);
      const other = await call(
        h.base,
        '/api/orders',
        json('POST', { ...body, quantity: 2 }, { 'idempotency-key': key }),
      );
      expect(other.status).toBe(409);
    });
  });

  describe('generator, processors, metrics, documents', () => {
    it('GET and PUT /api/generator read and change the settings', async () => {
      expect((await call(h.base, '/api/generator')).body.data).toEqual({ 'order-rate': 10, 'anomaly-rate': 0.1 });
      const r = await call(h.base, '/api/generator', json('PUT', { 'order-rate': 250 }));
      expect(r.body.data).toEqual({ 'order-rate': 250, 'anomaly-rate': 0.1 });
      expect((await h.store.control.generatorSettings())?.orderRate).toBe(250);
      expect((await call(h.base, '/api/generator', json('PUT', { 'anomaly-rate': 2 }))).status).toBe(400);
      expect((await call(h.base, '/api/generator', json('PUT', {}))).status).toBe(400);
      expect((await call(h.base, '/api/generator', json('PUT', { rate: 5 }))).status).toBe(400);
    });

    it('GET /api/processors/status gives real figures per processor', async () => {
      const r = await call(h.base, '/api/processors/status');
      const byName = Object.fromEntries(r.body.data.processors.map((p: any) => [p.name, p]));
      expect(byName['query-processor']).toMatchObject({ status: 'healthy', instances: 1 });
      expect(byName['query-processor'].processed).toBeGreaterThanOrEqual(31);
      expect(byName['query-processor']['consumer-group']).toMatchObject({ group: GROUPS.queryProcessor });
      expect(byName['query-processor']['consumer-group'].partitions).toHaveLength(3);
      expect(byName['registry-processor']['consumer-group'].partitions).toHaveLength(6);
      expect(byName['order-processor']).toMatchObject({ status: 'down', instances: 0, 'consumer-group': null });
      // Every group is evaluated; the history comes only on demand.
      expect(byName['query-processor']['consumer-group']).toMatchObject({ status: 'OK', 'window-seconds': 300 });
      // Group readings are reused for a second: the one taken at start may predate the consumers.
      const members = await waitFor(
        'the query processor as a member of its group',
        async () =>
          (await call(h.base, '/api/processors/status')).body.data.processors.find(
            (p: any) => p.name === 'query-processor',
          )['consumer-group'].members,
        (count) => count === 1,
        5_000,
      );
      expect(members).toBe(1);
      expect(byName['query-processor']['consumer-group'].partitions[0]).toHaveProperty('time-to-drain-seconds');
      expect(byName['query-processor']['consumer-group']).not.toHaveProperty('history');
    });

    it("GET /api/processors/status?history=true adds each group's kept samples in columns; a bad flag is a 400", async () => {
      const r = await call(h.base, '/api/processors/status?history=true');
      expect(r.status).toBe(200);
      const group = r.body.data.processors.find((p: any) => p.name === 'query-processor')['consumer-group'];
      const history = group.history;
      expect(history['sample-every-seconds']).toBe(5);
      expect(history.times.length).toBeGreaterThan(0);
      for (const column of ['lag', 'lag-seconds', 'end-offset'])
        expect(history[column]).toHaveLength(history.times.length);
      expect((await call(h.base, '/api/processors/status?history=maybe')).status).toBe(400);
      expect((await call(h.base, '/api/processors/status?other=1')).status).toBe(400);
    });

    it('GET /metrics exposes Prometheus metrics without ids as labels', async () => {
      await call(h.base, '/api/stats');
      const response = await fetch(`${h.base}/metrics`);
      const text = await response.text();
      expect(response.headers.get('content-type')).toContain('text/plain');
      for (const name of [
        'http_requests_total',
        'http_request_duration_seconds_bucket',
        'kafka_consumergroup_group_lag{cluster_name="kafka-monitor",group="query-processor",topic="orders",partition="0"}',
        'kafka_consumergroup_group_lag_seconds{',
        'kafka_consumergroup_group_max_lag{',
        'kafka_partition_latest_offset{',
        'kafka_monitor_processor_status{processor="query-processor",status="healthy"} 1',
        'kafka_monitor_build_info{',
        'kafka_monitor_live_stream_clients',
        'kafka_monitor_messages_processed{',
        'kafka_monitor_processing_errors{',
        'kafka_monitor_registered_orders',
        'kafka_monitor_end_to_end_latency_seconds_bucket{le="0.005",processor="query-processor"}',
        'kafka_monitor_batch_processing_seconds_count{processor="registry-processor"}',
        'process_cpu_seconds_total',
      ]) {
        expect(text).toContain(name);
      }
      expect(text).toContain('route="/api/stats"');
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}/);
    });

    it('GET /health/live and /health/ready answer on the API port without the token', async () => {
      const live = await fetch(`${h.base}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'up' });
      const ready = await fetch(`${h.base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    });

    it('serves the OpenAPI document of every route and the interactive docs', async () => {
      const doc = await call(h.base, '/api/openapi.json');
      expect(doc.body.openapi).toMatch(/^3\./);
      for (const path of [
        '/api/health',
        '/api/stats',
        '/api/customers/top',
        '/api/customers/search',
        '/api/customers/{id}',
        '/api/products/top',
        '/api/products/search',
        '/api/products/{id}',
        '/api/timeline',
        '/api/orders',
        '/api/orders/search/{id}',
        '/api/orders/by-status/{status}',
        '/api/orders/{id}/history',
        '/api/registered/{id}',
        '/api/debug/order/{id}',
        '/api/orders/{id}/status',
        '/api/processors/status',
        '/api/stream',
        '/api/generator',
        '/api/dead-letters',
        '/api/dead-letters/reasons',
        '/api/dead-letters/{id}',
        '/api/dead-letters/{id}/redrive',
        '/api/dead-letters/{id}/discard',
      ]) {
        expect(Object.keys(doc.body.paths)).toContain(path);
      }
      const docs = await fetch(`${h.base}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
    });
  });

  describe('hardening', () => {
    it('answers unknown API paths with a JSON 404', async () => {
      const r = await call(h.base, '/api/nothing/here?x=1');
      expect(r.status).toBe(404);
      expect(r.body).toEqual({
        success: false,
        error: 'no route GET /api/nothing/here',
        message: 'no route GET /api/nothing/here',
      });
    });

    it('limits body size (413) and media type (415)', async () => {
      const big = await call(h.base, '/api/orders', json('POST', { 'product-id': 'x'.repeat(100_000) }));
      expect(big.status).toBe(413);
      const text = await call(h.base, '/api/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<a/>',
      });
      expect(text.status).toBe(415);
      expect(text.body.success).toBe(false);
    });

    it('sends security headers and no CORS headers to a foreign origin by default', async () => {
      const r = await fetch(`${h.base}/api/stats`, { headers: { origin: 'http://evil.example' } });
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('treats ids with quotes, unicode, SQL metacharacters and long strings as data', async () => {
      for (const id of ["' OR 1=1 --", 'ünïcødé-✓', '"; DROP TABLE orders; --', '%27', 'a'.repeat(200)]) {
        const encoded = encodeURIComponent(id);
        expect((await call(h.base, `/api/registered/${encoded}`)).status).toBe(404);
        expect((await call(h.base, `/api/products/${encoded}`)).status).toBe(404);
        expect((await call(h.base, `/api/customers/${encoded}`)).status).toBe(400);
        expect((await call(h.base, `/api/orders/search/${encoded}`)).status).toBe(400);
        expect((await call(h.base, `/api/products/search?q=${encoded}`)).status).toBe(200);
      }
      expect((await call(h.base, '/api/stats')).body.data['query-processor']['total-orders']).toBeGreaterThan(0);
    });
  });
});

describe('monitor API with a token, CORS origins and a small rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ apiToken: 's3cret', corsOrigins: ['http://dash.example'], mutationsPerMinute: 3 });
  });
  afterAll(() => h.close());

  it('requires the bearer token on mutating routes (401 without, accepted with) but not on reads', async () => {
    const body = { 'order-rate': 1 };
    expect((await call(h.base, '/api/generator', json('PUT', body))).status).toBe(401);
    expect((await call(h.base, '/api/generator', json('PUT', body, { authorization: 'Bearer wrong' }))).status).toBe(
      401,
    );
    expect((await call(h.base, '/api/generator', json('PUT', body, { authorization: 'Bearer s3cret' }))).status).toBe(
      200,
    );
    const post = await call(
      h.base,
      '/api/orders',
      json('POST', { 'customer-id': 1, 'product-id': 'P', quantity: 1, 'unit-price': 2 }),
    );
    expect(post.status).toBe(401);
    expect((await call(h.base, '/api/stats')).status).toBe(200);
  });

  it('rate-limits mutating routes with 429 in the error envelope', async () => {
    const put = () =>
      call(h.base, '/api/generator', json('PUT', { 'order-rate': 2 }, { authorization: 'Bearer s3cret' }));
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await put()).status);
    expect(codes).toContain(429);
    const limited = await put();
    expect(limited.body).toMatchObject({ success: false, error: expect.stringContaining('rate limit') });
  });

  it('allows a listed origin through CORS', async () => {
    const r = await fetch(`${h.base}/api/stats`, { headers: { origin: 'http://dash.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('http://dash.example');
  });

  it('reports degraded health with 503 when the store is down, and 503 (never 500) with Retry-After on reads', async () => {
    await h.store.close();
    const health = await call(h.base, '/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', store: { status: 'unavailable' } });
    // The last stats answer is shared for up to sharedAnswersMs after it was read; then the store is asked.
    const stats = await waitFor(
      'stats from the closed store',
      () => call(h.base, '/api/stats'),
      (r) => r.status !== 200,
    );
    expect(stats.status).toBe(503);
    expect(stats.body).toMatchObject({ success: false, error: expect.stringContaining('store unavailable') });
    expect(stats.headers.get('retry-after')).toBe('1');
  });
});
