/**
 * `npx tsx scripts/bench/api-alloc.ts [path]`: bytes the monitor allocates per answer, by call site.
 * Unlike CPU time, allocation barely moves between process starts, so it shows whether a change to the
 * request path does less work. Serves BENCH_REQUESTS (default 20,000) requests of `path` (default
 * /api/stats) after as many unmeasured ones, under V8's sampling heap profiler with collected objects
 * kept, and counts only samples whose stack passes through the server (Node's HTTP server, Fastify, the
 * monitor): the client in the same process is left out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMonitor, monitorOptionsFrom } from '@kafka-monitor/monitor';
import { loadConfig, newTimeOrderedId, openInfrastructure } from '@kafka-monitor/runtime';

const path = process.argv[2] ?? '/api/stats';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const PORT = 18_603;
const SERVER_CODE =
  /^node:_http_(server|outgoing|common)$|\/node_modules\/(fastify|find-my-way)\/|\/services\/monitor\//;

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

const frameName = (node: SamplingNode): string =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;

async function serve(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${PORT}${path}`);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'api-alloc-'));
const config = loadConfig({ DATA_DIR: dataDir, ORDER_RATE: '0' });
const { bus, store } = await openInfrastructure(config);
const monitor = await buildMonitor({
  bus,
  store,
  now: Date.now,
  newId: newTimeOrderedId,
  options: monitorOptionsFrom(config),
});
const session = new Session();
try {
  await monitor.app.listen({ host: '127.0.0.1', port: PORT });
  await serve(REQUESTS);
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await serve(REQUESTS);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bySite = new Map<string, number>();
  let serverBytes = 0;
  const walk = (node: SamplingNode, caller: string, inServer: boolean): void => {
    const frame = frameName(node);
    const served = inServer || SERVER_CODE.test(node.callFrame.url);
    if (node.selfSize > 0 && served) {
      serverBytes += node.selfSize;
      const site = `${caller} → ${frame}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, frame, served);
  };
  walk(profile.head, '(root)', false);
  console.log(`${path}: ${Math.round(serverBytes / REQUESTS)} bytes allocated by the server per answer`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${String(Math.round(bytes / REQUESTS)).padStart(7)}  ${site}`);
  }
} finally {
  session.disconnect();
  await monitor.app.close();
  await bus.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
