import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS } from '@kafka-monitor/domain';
import type { AuditReport, Store } from '@kafka-monitor/domain';
import { embeddedFiles } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { kafkaMonitor, start, type Spawned } from './spawn.js';
import { cliHarness, countIn, type CliTarget } from './testing.js';

const ORDERS = 10_000;
/** The launcher as `npm start` runs it, compiled (the tests' global setup builds it). */
const launcher = fileURLToPath(new URL('../../../dist/app/launcher.js', import.meta.url));

interface GroupLag {
  readonly group: string;
  readonly members: number;
  readonly lag: number;
}

/**
 * The CLI beside the real processors: they run as `SERVICES=query-processor,registry-processor` in a
 * child process on the same bus and DATA_DIR (the store stays SQLite), as an operator would run them.
 * `inherited` is the test process's environment (PATH and the like) for the children.
 */
export function describePipelineWithCli(target: CliTarget, inherited: NodeJS.ProcessEnv): void {
  describe(`kafka-monitor with the processors running on ${target.name}`, () => {
    const cli = cliHarness('cli-pipeline-', target);
    const environment = { ...inherited, LOG_LEVEL: 'warn', ...cli.environment };
    let processors: Spawned | undefined;
    let store: Store | undefined;

    function startProcessors(): Spawned {
      return start(process.execPath, ['--no-allocation-site-pretenuring', launcher], {
        ...environment,
        SERVICES: 'query-processor,registry-processor',
        // Any free port for its health and metrics server: tests run side by side.
        METRICS_PORT: '0',
      });
    }

    async function stopProcessors(): Promise<void> {
      processors?.child.kill('SIGTERM');
      const finished = await processors?.finished;
      processors = undefined;
      expect(finished?.code, finished?.stderr).toBe(0);
    }

    async function lags(): Promise<Map<string, GroupLag>> {
      const run = await cli.run(['show-lag', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as GroupLag[];
      return new Map(report.map((g) => [g.group, g]));
    }

    const pipelineLag = async (): Promise<number[]> => {
      const report = await lags();
      return [GROUPS.queryProcessor, GROUPS.registryProcessor].map((g) => report.get(g)?.lag ?? -1);
    };

    const orderCount = async (): Promise<number> =>
      countIn((await kafkaMonitor(['count', 'orders'], environment)).stdout);

    afterAll(async () => {
      processors?.child.kill('SIGKILL');
      await processors?.finished;
      await store?.close();
      cli.remove();
    });

    it('test-data 10000 adds 10,000 to count orders; show-lag falls to 0; reset-group-earliest --execute rebuilds the same views', async () => {
      const setup = await kafkaMonitor(['setup'], environment);
      expect(setup.code, setup.stderr).toBe(0);
      const before = await orderCount();
      const sent = await kafkaMonitor(['test-data', String(ORDERS)], environment);
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/Produced 10,000 valid orders to orders in/);
      expect((await orderCount()) - before).toBe(ORDERS);
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
        120_000,
      );
      // No order arrives meanwhile, so the query processor's lag only ever falls.
      const queryLag = seen.map((l) => l[0] ?? -1);
      expect(queryLag).toEqual([...queryLag].sort((a, b) => b - a));
      expect(queryLag.at(-1)).toBe(0);
      const text = await cli.run(['show-lag']);
      expect(text.stdout).toMatch(/^query-processor: lag 0, 1 live member$/m);
      expect(text.stdout).toMatch(/^registry-processor: lag 0, 1 live member$/m);

      // An order the processors have handled: its trace shows every step up to its registration, each at
      // a log position, and it waits for nothing.
      const traced = await kafkaMonitor(['trace', '--latest', '--json'], environment);
      expect(traced.code, traced.stderr).toBe(0);
      const journey = JSON.parse(traced.stdout) as {
        steps: { kind: string; position: { topic: string } | null }[];
        state: { stage: string; 'waiting-on': unknown[] };
      };
      expect(journey.steps.map((step) => step.kind)).toEqual([
        'produced',
        'applied',
        'validated',
        'published',
        'registered',
      ]);
      expect(journey.steps.map((step) => step.position?.topic)).toEqual([
        'orders',
        'orders',
        'orders',
        'registry',
        'registry',
      ]);
      expect(journey.state).toMatchObject({ stage: 'accepted', 'waiting-on': [] });

      // While they run, Kafka's rule holds: no reset of a group with live members.
      const refused = await kafkaMonitor(['reset-group-earliest', GROUPS.queryProcessor, '--execute'], environment);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/cannot reset the offsets of group 'query-processor': it has 1 live member/);

      // The consistency audit finds the store exactly as the logs say, as JSON and as text.
      const verified = await kafkaMonitor(['verify', '--json'], environment);
      expect(verified.code, verified.stderr).toBe(0);
      const audit = JSON.parse(verified.stdout) as AuditReport;
      expect(audit.drifts).toEqual([]);
      expect(audit).toMatchObject({
        clean: true,
        caughtUp: true,
        read: { orders: before + ORDERS, undecodable: 0 },
        compared: { registeredOrders: before + ORDERS, products: 5 },
      });
      const verifiedText = await kafkaMonitor(['verify'], environment);
      expect(verifiedText.code, verifiedText.stderr).toBe(0);
      expect(verifiedText.stdout).toMatch(/^No drift: the store holds exactly what the logs say\.$/m);

      // The views rebuilt from the log into new tables while the processors run: the plan, the rebuild,
      // and the audit again without drift.
      const planned = await kafkaMonitor(['rebuild-views', '--dry-run', '--json'], environment);
      expect(planned.code, planned.stderr).toBe(0);
      expect(JSON.parse(planned.stdout)).toMatchObject({ messages: before + ORDERS, resumes: false, running: null });
      const rebuilt = await kafkaMonitor(['rebuild-views'], environment);
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toMatch(/^Rebuilt: .* generation (\d+) answers, generation \d+ dropped\.$/m);
      const reverified = await kafkaMonitor(['verify'], environment);
      expect(reverified.code, reverified.stdout).toBe(0);

      store = createSqliteStore({ file: embeddedFiles(cli.dataDir).store, timelineRetention: 10_000 });
      const views = await snapshotViews(store.views);
      const stats = await store.views.processingStats(GROUPS.queryProcessor);
      expect(views.totals.totalOrders).toBe(ORDERS);
      expect(stats?.processedCount).toBe(ORDERS);

      // A stopped processor leaves its group at once (it does not wait for the session timeout), so
      // the reset right after is accepted.
      await stopProcessors();
      const reset = await kafkaMonitor(['reset-group-earliest', GROUPS.queryProcessor, '--execute'], environment);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toMatch(/Reset group 'query-processor' to earliest:/);
      expect(await pipelineLag()).toEqual([ORDERS, 0]);

      // Restarted, the query processor reads every order again; the store skips offsets it applied.
      processors = startProcessors();
      await waitFor('the replay', pipelineLag, (lag) => lag.every((l) => l === 0), 120_000);
      expect(await snapshotViews(store.views)).toEqual(views);
      expect((await store.views.processingStats(GROUPS.queryProcessor))?.processedCount).toBe(ORDERS);
      await stopProcessors();

      // One more order that nothing consumes: verify reports what the store lacks, with both values, and fails.
      expect((await kafkaMonitor(['test-data', '1'], environment)).code).toBe(0);
      const drift = await kafkaMonitor(['verify', '--wait', '0'], environment);
      expect(drift.code).toBe(1);
      expect(drift.stderr).toMatch(/the store differs from the log in \d+ values/);
      expect(drift.stdout).toMatch(/had not consumed up to the cut/);
      expect(drift.stdout).toMatch(/^view\s+key\s+field\s+log says\s+store has$/m);
      expect(drift.stdout).toMatch(
        new RegExp(`^totals\\s+orders\\s+totalOrders\\s+${before + ORDERS + 1}\\s+${before + ORDERS}$`, 'm'),
      );
    }, 300_000);
  });
}
