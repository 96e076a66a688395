import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '@kafka-monitor/domain';
import { call, json, orders, pendingOrder, startHarness, type Harness } from './harness.js';
import { hostileIdFailures, HOSTILE_IDS } from './hostile-ids.js';

const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

interface MutatingCase {
  readonly method: string;
  readonly path: string;
  /** A request the route accepts with the token: path with real ids, body, expected 2xx. */
  readonly valid: () => Promise<{ path: string; body: unknown; status: number }>;
}

describe('monitor API security', () => {
  let h: Harness;
  let pending: Order;
  const poisoned: string[] = [];

  /** Each mutating route and a request it accepts; the test below proves this table covers them all. */
  const mutating: MutatingCase[] = [
    {
      method: 'POST',
      path: '/api/orders',
      valid: () =>
        Promise.resolve({
          path: '/api/orders',
          body: { 'customer-id': 3, 'product-id': 'PROD-003', quantity: 1, 'unit-price': 5 },
          status: 201,
        }),
    },
    {
      method: 'PUT',
      path: '/api/orders/{id}/status',
      valid: () =>
        Promise.resolve({ path: `/api/orders/${pending.orderId}/status`, body: { status: 'accepted' }, status: 200 }),
    },
    {
      method: 'POST',
      path: '/api/review/decisions',
      valid: () =>
        Promise.resolve({
          path: '/api/review/decisions',
          body: { 'order-ids': ['00000000-0000-4000-8000-0000000000ee'], status: 'denied' },
          status: 200,
        }),
    },
    {
      method: 'PUT',
      path: '/api/generator',
      valid: () => Promise.resolve({ path: '/api/generator', body: { 'order-rate': 3 }, status: 200 }),
    },
    {
      method: 'POST',
      path: '/api/dead-letters/{id}/redrive',
      valid: () =>
        Promise.resolve({ path: `/api/dead-letters/${poisoned[0] ?? ''}/redrive`, body: { note: 'n' }, status: 200 }),
    },
    {
      method: 'POST',
      path: '/api/audit',
      valid: () => Promise.resolve({ path: '/api/audit', body: {}, status: 202 }),
    },
    {
      method: 'POST',
      path: '/api/rebuild',
      valid: () => Promise.resolve({ path: '/api/rebuild', body: {}, status: 202 }),
    },
    {
      method: 'POST',
      path: '/api/rules/simulate',
      valid: () => Promise.resolve({ path: '/api/rules/simulate', body: { 'max-quantity': 80 }, status: 200 }),
    },
    {
      method: 'POST',
      path: '/api/dead-letters/{id}/discard',
      valid: () =>
        Promise.resolve({ path: `/api/dead-letters/${poisoned[1] ?? ''}/discard`, body: { note: 'n' }, status: 200 }),
    },
  ];

  beforeAll(async () => {
    h = await startHarness({ apiToken: TOKEN, mutationsPerMinute: 100_000, statusWaitMs: 5_000 });
    pending = pendingOrder();
    await h.seed([...orders(12, 31), pending]);
    poisoned.push(await h.poison('not json', 'a'), await h.poison('[]', 'b'));
  });
  afterAll(() => h.close());

  async function documentedOperations(): Promise<{ method: string; path: string; hasBody: boolean }[]> {
    const doc = (await call(h.base, '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        hasBody: op.requestBody !== undefined,
      })),
    );
  }

  it('lists every mutating route of the OpenAPI document in the table this file tests', async () => {
    const documented = (await documentedOperations())
      .filter((op) => op.method !== 'GET')
      .map((op) => `${op.method} ${op.path}`)
      .sort();
    expect(documented).toEqual(mutating.map((m) => `${m.method} ${m.path}`).sort());
  });

  it('answers 401 without or with a wrong token on every mutating route, and 2xx with it', async () => {
    for (const route of mutating) {
      const request = await route.valid();
      const without = await call(h.base, request.path, json(route.method, request.body));
      expect(without.status, `${route.method} ${route.path} without a token`).toBe(401);
      expect(without.body).toEqual({
        success: false,
        error: 'missing or wrong bearer token',
        message: 'missing or wrong bearer token',
      });
      const wrong = await call(
        h.base,
        request.path,
        json(route.method, request.body, { authorization: `Bearer ${TOKEN}x` }),
      );
      expect(wrong.status, `${route.method} ${route.path} with a wrong token`).toBe(401);
      const basic = await call(h.base, request.path, json(route.method, request.body, { authorization: TOKEN }));
      expect(basic.status, `${route.method} ${route.path} with the bare token`).toBe(401);
      const accepted = await call(h.base, request.path, json(route.method, request.body, auth));
      expect(accepted.status, `${route.method} ${route.path} with the token: ${JSON.stringify(accepted.body)}`).toBe(
        request.status,
      );
      expect(accepted.body.success).toBe(true);
    }
    // Reads stay open.
    expect((await call(h.base, '/api/stats')).status).toBe(200);
  });

  it('sends security headers on API answers, errors, the event stream, the dashboard fallback and the docs', async () => {
    for (const path of ['/api/stats', '/api/nothing', '/api/customers/x', '/metrics', '/api/openapi.json']) {
      const response = await fetch(`${h.base}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      // Document-only switches are left off data answers.
      expect(response.headers.get('cross-origin-opener-policy'), path).toBeNull();
    }
    // The event stream writes its own head; it keeps them.
    const abort = new AbortController();
    const stream = await fetch(`${h.base}/api/stream`, { signal: abort.signal });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    expect(stream.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    abort.abort();
    await stream.body?.cancel().catch(() => undefined);
    const docs = await fetch(`${h.base}/docs/`);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(docs.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('refuses a body over 64 KiB (1 MiB for a redrive) on every route that takes one with 413 and a JSON reason', async () => {
    const withBody = (await documentedOperations()).filter((op) => op.hasBody);
    // Every mutating route takes a body but POST /api/audit and POST /api/rebuild, which start work and read nothing.
    expect(withBody.length).toBeGreaterThanOrEqual(
      mutating.filter((m) => m.path !== '/api/audit' && m.path !== '/api/rebuild').length,
    );
    for (const op of withBody) {
      const path = op.path.replace(/\{[^}]+\}/g, pending.orderId);
      // A redrive's payload may be 60,000 characters, each up to 12 bytes as JSON escapes.
      const size = op.path.endsWith('/redrive') ? 1_100_000 : 70_000;
      const response = await call(h.base, path, json(op.method, { reason: 'x'.repeat(size) }, auth));
      expect(response.status, `${op.method} ${op.path}`).toBe(413);
      expect(response.body).toEqual({
        success: false,
        error: expect.stringMatching(/too large/i),
        message: expect.stringMatching(/too large/i),
      });
    }
  });

  it('answers 400 for strings over their limit: fields, query, headers and ids', async () => {
    const tooLongProduct = await call(
      h.base,
      '/api/orders',
      json('POST', { 'customer-id': 1, 'product-id': 'P'.repeat(65), quantity: 1, 'unit-price': 1 }, auth),
    );
    expect(tooLongProduct.status).toBe(400);
    expect(tooLongProduct.body.errors).toHaveProperty('product-id');
    const tooLongReason = await call(
      h.base,
      `/api/orders/${randomUUID()}/status`,
      json('PUT', { status: 'denied', reason: 'r'.repeat(501) }, auth),
    );
    expect(tooLongReason.status).toBe(400);
    expect((await call(h.base, `/api/products/search?q=${'q'.repeat(257)}`)).status).toBe(400);
    expect((await call(h.base, `/api/customers/search?q=${'1'.repeat(257)}`)).status).toBe(400);
    const key = await call(
      h.base,
      '/api/orders',
      json(
        'POST',
        { 'customer-id': 1, 'product-id': 'P', quantity: 1, 'unit-price': 1 },
        { ...auth, 'idempotency-key': 'k'.repeat(201) },
      ),
    );
    expect(key.status).toBe(400);
    expect(key.body.errors).toHaveProperty('idempotency-key');
    for (const id of ['a'.repeat(257), 'a'.repeat(10_000)]) {
      const response = await call(h.base, `/api/registered/${id}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, error: expect.any(String) });
    }
  });

  it('clamps limit to 1…1000 and refuses a non-integer limit with 400', async () => {
    // More produced orders than the clamp, written straight to the store: only the route's limit is tested.
    const many = orders(1_005, 77).map((o, i) => ({ ...o, timestamp: 1_600_000_000_000 + i }));
    await h.store.produced.saveProduced(many);
    expect((await call(h.base, '/api/orders?limit=5000')).body.count).toBe(1_000);
    expect((await call(h.base, '/api/orders?limit=1000000000000')).body.count).toBe(1_000);
    expect((await call(h.base, '/api/orders')).body.count).toBe(100);
    for (const path of ['/api/orders', '/api/timeline', '/api/customers/top', '/api/products/top']) {
      for (const limit of ['0', '-7']) {
        const response = await call(h.base, `${path}?limit=${limit}`);
        expect(response.status, `${path}?limit=${limit}`).toBe(200);
        expect(response.body.count, `${path}?limit=${limit}`).toBe(1);
      }
      for (const limit of ['abc', '1.5', '1e3x']) {
        const response = await call(h.base, `${path}?limit=${limit}`);
        expect(response.status, `${path}?limit=${limit}`).toBe(400);
      }
    }
  });

  it('handles ids with quotes, unicode, metacharacters, NUL and 10,000 characters as data in every route', async () => {
    const { failures, requests } = await hostileIdFailures(h.base, auth);
    expect(requests).toBeGreaterThanOrEqual(8 * HOSTILE_IDS.length);
    expect(failures).toEqual([]);
    // The store is intact and still answers.
    expect(
      (await call(h.base, '/api/stats')).body.data['registry-processor']['registered-count'],
    ).toBeGreaterThanOrEqual(13);
  });
});
