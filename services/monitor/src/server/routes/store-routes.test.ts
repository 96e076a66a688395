import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { describe, expect, it } from 'vitest';
import { DependencyError, type Store } from '@kafka-monitor/domain';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import type { MonitorApp } from '../app-types.js';
import { registerStoreRoutes } from './store-routes.js';

const NOW = 1_700_000_000_000;

async function storeCard(store: Store, probeTimeoutMs?: number): Promise<{ status: number; body: unknown }> {
  const app: MonitorApp = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  registerStoreRoutes(app, {
    store,
    storeType: 'sqlite',
    now: () => NOW,
    ...(probeTimeoutMs === undefined ? {} : { probeTimeoutMs }),
  });
  const response = await app.inject({ method: 'GET', url: '/api/store' });
  await app.close();
  return { status: response.statusCode, body: response.json<unknown>() };
}

describe('GET /api/store', () => {
  it('answers kind, status, the latency of a probe and the size', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    const { status, body } = await storeCard(store);
    expect(status).toBe(200);
    expect(body).toEqual({
      success: true,
      data: {
        kind: 'sqlite',
        status: 'connected',
        'latency-ms': expect.any(Number),
        'size-bytes': (await store.describe()).sizeBytes,
        'size-note': 'in memory: pages × page size',
        error: null,
        'checked-at': NOW,
      },
    });
    await store.close();
  });

  it('answers 200 with the store unavailable and the reason when the probe fails or hangs', async () => {
    const failing = createSqliteStore({ file: ':memory:' });
    await failing.close();
    const down = await storeCard(failing);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      data: { kind: 'sqlite', status: 'unavailable', 'latency-ms': null, 'size-bytes': null },
    });
    expect((down.body as { data: { error: string } }).data.error).toMatch(/SQLite store/);

    const open = createSqliteStore({ file: ':memory:' });
    const hanging: Store = {
      ...open,
      ping: () => new Promise<void>(() => undefined),
      describe: () => Promise.reject(new DependencyError('store', 'unused')),
    };
    const startedAt = Date.now();
    const slow = await storeCard(hanging, 200);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(slow.body).toMatchObject({ data: { status: 'unavailable', error: 'no answer within 200 ms' } });
    await open.close();
  });
});
