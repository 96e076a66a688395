import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS } from '@kafka-monitor/domain';
import type { Store } from '@kafka-monitor/domain';
import { embeddedFiles } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { kafkaMonitor, start, type Spawned } from './spawn.js';
import { cliHarness } from './testing.js';

const ORDERS = 5_000;
const launcher = fileURLToPath(new URL('../../../services/launcher/src/main.ts', import.meta.url));

interface GroupLag {
  readonly group: string;
  readonly members: number;
  readonly lag: number;
}

/**
 * The CLI beside the real processors: they run as `SERVICES=query-processor,registry-processor` in a
 * child process on the same DATA_DIR, as an operator would run them.
 */
describe('kafka-monitor with the processors running', () => {
  const cli = cliHarness('cli-pipeline-');
  const environment = { ...process.env, LOG_LEVEL: 'warn', DATA_DIR: cli.dataDir };
  let processors: Spawned | undefined;
  let store: Store | undefined;

  function startProcessors(): Spawned {
    return start(process.execPath, ['--import', 'tsx', launcher], {
      ...environment,
      SERVICES: 'query-processor,registry-processor',
    });
  }

  async function stopProcessors(): Promise<void> {
    processors?.child.kill('SIGTERM');
    const finished = await processors?.finished;
    processors = undefined;
    expect(finished?.code).toBe(0);
  }

  async function lags(): Promise<Map<string, GroupLag>> {
    const run = await cli.run(['show-lag', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as GroupLag[];
    return new Map(report.map((g) => [g.group, g]));
  }

  const pipelineLag = async (): Promise<number[]> => {
    const report = await lags();
    return [GROUPS.queryProcessor, GROUPS.registryProcessor].map((g) => report.get(g)?.lag ?? -1);
  };

  afterAll(async () => {
    processors?.child.kill('SIGKILL');
    await processors?.finished;
    await store?.close();
    cli.remove();
  });

  it('show-lag falls to 0 as the processors catch up; reset-group-earliest then rebuilds the same views', async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    expect((await cli.run(['test-data', String(ORDERS)])).code).toBe(0);
    // Nothing consumes yet: each processor is behind by every order.
    expect(await pipelineLag()).toEqual([ORDERS, ORDERS]);

    processors = startProcessors();
    const seen: number[][] = [];
    await waitFor(
      'the processors to catch up',
      async () => {
        seen.push(await pipelineLag());
        return seen.at(-1) ?? [];
      },
      (lag) => lag.every((l) => l === 0),
      60_000,
    );
    // No order arrives meanwhile, so the query processor's lag only ever falls.
    const queryLag = seen.map((l) => l[0] ?? -1);
    expect(queryLag).toEqual([...queryLag].sort((a, b) => b - a));
    const text = await cli.run(['show-lag']);
    expect(text.stdout).toMatch(/^query-processor: lag 0, 1 live member$/m);
    expect(text.stdout).toMatch(/^registry-processor: lag 0, 1 live member$/m);

    // While they run, Kafka's rule holds: no reset of a group with live members.
    const refused = await kafkaMonitor(['reset-group-earliest', GROUPS.queryProcessor], environment);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot reset the offsets of group 'query-processor': it has 1 live member/);

    store = createSqliteStore({ file: embeddedFiles(cli.dataDir).store, timelineRetention: 10_000 });
    const views = await snapshotViews(store.views);
    const stats = await store.views.processingStats(GROUPS.queryProcessor);
    expect(views.totals.totalOrders).toBe(ORDERS);
    expect(stats?.processedCount).toBe(ORDERS);

    await stopProcessors();
    const reset = await kafkaMonitor(['reset-group-earliest', GROUPS.queryProcessor], environment);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/Reset group 'query-processor' to earliest:/);
    expect(await pipelineLag()).toEqual([ORDERS, 0]);

    // Restarted, the query processor reads every order again; the store skips offsets it applied.
    processors = startProcessors();
    await waitFor('the replay', pipelineLag, (lag) => lag.every((l) => l === 0), 60_000);
    expect(await snapshotViews(store.views)).toEqual(views);
    expect((await store.views.processingStats(GROUPS.queryProcessor))?.processedCount).toBe(ORDERS);
    await stopProcessors();
  }, 180_000);
});
