import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, silentLogger } from '@kafka-monitor/domain';
import { buildMonitor, type Monitor } from '@kafka-monitor/monitor';
import { createOrderProcessor, type OrderProcessor } from '@kafka-monitor/order-processor';
import { createProcessMetrics, currentBuild, runAudit } from '@kafka-monitor/pipeline';
import { createQueryProcessor, type QueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor, type RegistryProcessor } from '@kafka-monitor/registry-processor';
import {
  createDiskWatch,
  createReadiness,
  loadConfig,
  newTimeOrderedId,
  openInfrastructure,
  type DiskWatch,
  type Infrastructure,
  type Readiness,
} from '@kafka-monitor/runtime';
import { createPageLimit, type PageLimit } from '@kafka-monitor/sqlite';
import { expectedViews, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { ordersInLog, readTopic, temporaryDirectory, totalLag } from './helpers.js';

const MIB = 1024 * 1024;
/** Room each embedded file may still take (4 KiB pages): a few thousand orders. */
const HEADROOM_PAGES = 300;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

/**
 * The embedded default composed as the launcher composes it (runtime's infrastructure, disk watch and
 * readiness; the monitor, both processors and the generator), with the one test-only difference of a
 * page limit on both SQLite files: the disk fills after a few thousand orders, and lifting the limit
 * is freeing space.
 */
describe('a full disk on the embedded default', () => {
  const dir = temporaryDirectory('disk-full-');
  let infrastructure: Infrastructure;
  let disk: DiskWatch;
  let readiness: Readiness;
  let monitor: Monitor;
  let pageLimit: PageLimit;
  let freeBytes = 4_096 * MIB;
  let base: string;
  let generator: OrderProcessor;
  let processors: (QueryProcessor | RegistryProcessor)[];
  const accepted: string[] = [];

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  const postOrder = (): Promise<Answer> =>
    call('POST', '/api/orders', { 'customer-id': 42, 'product-id': 'PROD-003', quantity: 3, 'unit-price': 19.99 });

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: dir.path, DISK_WARN_FREE_MB: '1024', LOG_LEVEL: 'silent' });
    pageLimit = createPageLimit(HEADROOM_PAGES);
    disk = createDiskWatch({
      path: config.dataDir,
      warnFreeBytes: config.diskWarnFreeBytes,
      intervalMs: 50,
      // The file system's figures are the test's: the limit, not the file system, refuses the writes.
      readSpace: () => Promise.resolve({ bavail: freeBytes / 4_096, blocks: 8_192 * 256, bsize: 4_096 }),
    });
    readiness = createReadiness('starting');
    readiness.holdWhile(() => (disk.current().status === 'full' ? disk.current().reason : undefined));
    infrastructure = await openInfrastructure(config, silentLogger, { disk, pageLimit });
    const { bus, store } = infrastructure;
    const metrics = createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' }));
    metrics.addExposition(() => disk.exposition());
    monitor = await buildMonitor({
      bus,
      store,
      now: Date.now,
      newId: newTimeOrderedId,
      options: { busType: 'embedded', storeType: 'sqlite', lagSampleMs: 0, restoreLagHistory: false },
      metrics,
      readiness: () => readiness.current(),
      disk: () => disk.current(),
    });
    const shared = {
      bus,
      control: store.control,
      instanceId: 'disk-test',
      logger: silentLogger,
      now: Date.now,
      observeBatch: metrics.observeBatch,
    };
    processors = [
      createQueryProcessor({ ...shared, views: store.views }),
      createRegistryProcessor({ ...shared, registry: store.registry }),
    ];
    for (const processor of processors) await processor.start();
    generator = createOrderProcessor({
      ...shared,
      produced: store.produced,
      random: Math.random,
      newOrderId: newTimeOrderedId,
      settings: { orderRate: 400, anomalyRate: 0.1 },
      retryDelay: { firstMs: 50, maxMs: 500 },
    });
    await generator.start();
    base = await monitor.app.listen({ host: '127.0.0.1', port: 0 });
    readiness.ready();
  }, 60_000);

  afterAll(async () => {
    await monitor?.app.close();
    await generator?.stop();
    for (const processor of processors ?? []) await processor.stop();
    await infrastructure?.close().catch(() => undefined);
    disk?.stop();
    dir.remove();
  });

  it('warns below DISK_WARN_FREE_MB while everything still works', async () => {
    expect((await call('GET', '/api/health')).body).toMatchObject({ status: 'healthy', disk: { status: 'ok' } });
    freeBytes = 512 * MIB;
    const health = await disk.refresh().then(() => call('GET', '/api/health'));
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/^low disk space: 512 MiB free in .*below DISK_WARN_FREE_MB \(1024 MiB\)/),
      disk: { status: 'low', 'free-bytes': 512 * MIB, 'warn-free-bytes': 1024 * MIB },
    });
    expect((await call('GET', '/health/ready')).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`kafka_monitor_disk_free_bytes{path="${dir.path}"} ${512 * MIB}`);
    expect(metrics).toContain(`kafka_monitor_disk_full{path="${dir.path}"} 0`);
  });

  it('when writes are refused: not ready with "disk full", producers answer 503 with Retry-After, reads answer', async () => {
    freeBytes = 0;
    await disk.refresh();
    let refusal: Answer | undefined;
    for (let i = 0; i < 20_000 && refusal === undefined; i++) {
      const answer = await postOrder();
      if (answer.status === 201) accepted.push((answer.body.data as { 'order-id': string })['order-id']);
      else refusal = answer;
    }
    expect(refusal).toMatchObject({
      status: 503,
      retryAfter: '10',
      body: { success: false, error: expect.stringMatching(/^disk full: nothing was written; retry once space/) },
    });
    expect(accepted.length).toBeGreaterThan(0);
    expect(disk.current().status).toBe('full');

    const ready = await call('GET', '/health/ready');
    expect(ready).toMatchObject({
      status: 503,
      body: { status: 'down', reason: expect.stringMatching(/^disk full: /) },
    });
    const health = await call('GET', '/api/health');
    expect(health).toMatchObject({
      status: 503,
      body: { status: 'degraded', disk: { status: 'full' }, reason: expect.stringMatching(/^disk full: /) },
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(`kafka_monitor_disk_full{path="${dir.path}"} 1`);

    // Reads answer from what is stored.
    for (const path of [
      '/api/stats',
      '/api/processors/status',
      '/api/customers/top',
      '/api/products/top',
      '/api/timeline?limit=5',
      `/api/orders/search/${accepted[0] ?? ''}`,
      `/api/orders/${accepted[0] ?? ''}/journey`,
      '/api/dead-letters',
      '/api/store',
    ]) {
      const answer = await call('GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
  }, 120_000);

  it('resumes by itself once space returns, with nothing lost: views equal their recomputation from the log', async () => {
    pageLimit.lift();
    freeBytes = 4_096 * MIB;
    await disk.refresh();
    await waitFor(
      'ready again',
      () => call('GET', '/health/ready'),
      (answer) => answer.status === 200,
      30_000,
    );
    const after = await postOrder();
    expect(after.status).toBe(201);
    accepted.push((after.body.data as { 'order-id': string })['order-id']);
    expect((await call('GET', '/api/health')).body).toMatchObject({ status: 'healthy', disk: { status: 'ok' } });

    await generator.stop();
    const { bus, store } = infrastructure;
    await waitFor(
      'both groups caught up',
      async () => (await totalLag(bus, GROUPS.queryProcessor)) + (await totalLag(bus, GROUPS.registryProcessor)),
      (lag) => lag === 0,
      60_000,
    );
    const log = await ordersInLog(bus);
    const inLog = new Set(log.orders.map((order) => order.orderId));
    // Every order a client was told was accepted is in the log, registered and counted.
    expect(accepted.filter((id) => !inLog.has(id))).toEqual([]);
    const views = await snapshotViews(store.views);
    const expected = expectedViews(log.orders);
    expect(views.totals).toEqual(expected.totals);
    expect(views.customers).toEqual(expected.customers);
    expect(views.products).toEqual(expected.products);
    expect((await store.registry.totals()).registeredCount).toBe(inLog.size);
    const audit = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(audit.drifts).toEqual([]);
    expect(audit.clean).toBe(true);
    expect((await readTopic(bus, TOPICS.registry)).length).toBeGreaterThanOrEqual(inLog.size);
  }, 120_000);
});
