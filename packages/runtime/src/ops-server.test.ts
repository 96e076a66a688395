import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessMetrics } from '@kafka-monitor/pipeline';
import { OpsServerBindError, startOpsServer, type OpsServer } from './ops-server.js';
import { createReadiness } from './readiness.js';

const servers: OpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function started(failingMetrics = false) {
  const readiness = createReadiness('connecting to the bus and the store');
  const metrics = createProcessMetrics({
    version: '1.2.3',
    revision: '0123abcd',
    nodejsVersion: 'v24.0.0',
    bus: 'kafka',
    store: 'cassandra',
  });
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    readiness: () => readiness.current(),
    metrics: failingMetrics ? () => Promise.reject(new Error('collector broke')) : () => metrics.exposition(),
    metricsContentType: metrics.contentType,
  });
  servers.push(server);
  const get = async (path: string, method = 'GET') => {
    const response = await fetch(`${server.url}${path}`, { method });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  return { readiness, metrics, server, get };
}

describe('the health and metrics server', () => {
  it('answers live at once, and ready 503 with the reason until ready, then 200, then 503 while stopping', async () => {
    const { readiness, get } = await started();
    const live = await get('/health/live');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.text)).toEqual({ status: 'up' });

    let ready = await get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'down', reason: 'connecting to the bus and the store' });

    readiness.notReady('kafka unavailable: connect ECONNREFUSED 127.0.0.1:9092');
    ready = await get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'down',
      reason: 'kafka unavailable: connect ECONNREFUSED 127.0.0.1:9092',
    });
    expect((await get('/health/live')).status).toBe(200);

    readiness.ready();
    ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready' });

    readiness.down('stopping');
    readiness.ready();
    ready = await get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'down', reason: 'stopping' });
    expect((await get('/health/live')).status).toBe(200);
  });

  it("serves the process's metrics in the Prometheus text format", async () => {
    const { metrics, get } = await started();
    metrics.observeBatch('registry-processor', 0.002, [0.05, 0.2]);
    metrics.addExposition(() => '# HELP extra_total Added by its owner.\n# TYPE extra_total counter\nextra_total 3\n');
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.type).toContain('text/plain');
    expect(scrape.text).toContain('kafka_monitor_batch_processing_seconds_count{processor="registry-processor"} 1');
    expect(scrape.text).toContain('kafka_monitor_end_to_end_latency_seconds_count{processor="registry-processor"} 2');
    expect(scrape.text).toContain('process_cpu_seconds_total');
    expect(scrape.text).toContain(
      'kafka_monitor_build_info{version="1.2.3",revision="0123abcd",nodejs_version="v24.0.0",bus="kafka",store="cassandra"} 1',
    );
    expect(scrape.text).toContain('extra_total 3');
    // Each family once.
    const types = scrape.text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('answers 500 without details when the metrics cannot be collected, and stays up', async () => {
    const { get } = await started(true);
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(500);
    expect(scrape.text).not.toContain('collector broke');
    expect((await get('/health/live')).status).toBe(200);
  });

  it('refuses other paths and methods', async () => {
    const { get } = await started();
    expect((await get('/api/stats')).status).toBe(404);
    expect((await get('/health/live', 'POST')).status).toBe(405);
    expect((await get('/health/live', 'HEAD')).status).toBe(200);
  });

  it('fails to start with an error naming METRICS_PORT when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const attempt = startOpsServer({
        host: '127.0.0.1',
        port: address.port,
        readiness: () => ({ ready: true }),
        metrics: () => Promise.resolve(''),
        metricsContentType: 'text/plain',
      });
      await expect(attempt).rejects.toBeInstanceOf(OpsServerBindError);
      await expect(attempt).rejects.toThrow(
        `cannot listen on 127.0.0.1:${address.port} (METRICS_PORT): address in use`,
      );
    } finally {
      blocker.close();
    }
  });
});
