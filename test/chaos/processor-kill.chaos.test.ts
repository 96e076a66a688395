import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import {
  describeProcessors,
  logTail,
  pollHealth,
  recordFigures,
  saveSamples,
  seconds,
  startCluster,
  startProducer,
  verifyAgainstLog,
  waitForRecovery,
  type ServiceName,
  type ServiceProcess,
} from './harness.js';

const SCENARIO = 'processor-kill';

describe('chaos: processors SIGKILLed repeatedly', () => {
  it('shows the killed processor as not healthy, loses nothing and counts nothing twice', async () => {
    const cluster = await startCluster(SCENARIO);
    const poller = pollHealth(cluster.monitorUrl);
    try {
      cluster.start('monitor', `${SCENARIO}-monitor`);
      const running: Partial<Record<ServiceName, ServiceProcess>> = {
        'query-processor': cluster.start('query-processor', `${SCENARIO}-query-0`),
        'registry-processor': cluster.start('registry-processor', `${SCENARIO}-registry-0`),
      };
      await waitForRecovery(poller, Date.now(), 120_000);
      const producer = startProducer(cluster, 50);
      await sleep(3_000);

      // Each round kills without warning; `untilReported` rounds keep the victims dead until the monitor
      // reports them, the others restart at once (a crash loop during start-up).
      const rounds: { victims: ServiceName[]; untilReported: boolean }[] = [
        { victims: ['query-processor'], untilReported: true },
        { victims: ['registry-processor'], untilReported: true },
        { victims: ['query-processor', 'registry-processor'], untilReported: false },
        { victims: ['query-processor', 'registry-processor'], untilReported: true },
      ];
      const reported: string[] = [];
      let kills = 0;
      const faultStart = Date.now();
      for (const [round, { victims, untilReported }] of rounds.entries()) {
        const killedAt = Date.now();
        await Promise.all(victims.map((name) => running[name]?.kill('SIGKILL') ?? Promise.resolve()));
        kills += victims.length;
        if (untilReported) {
          for (const name of victims) {
            const sample = await waitFor(
              `${name} reported not healthy after its kill`,
              () =>
                poller.samples.find(
                  (s) =>
                    s.at > killedAt && s.processors?.[name] !== undefined && s.processors[name].status !== 'healthy',
                ),
              (found) => found !== undefined,
              30_000,
            );
            reported.push(`${name} ${sample?.processors?.[name]?.status ?? '?'}`);
          }
        }
        for (const name of victims) {
          const short = name === 'query-processor' ? 'query' : 'registry';
          running[name] = cluster.start(name, `${SCENARIO}-${short}-${round + 1}`);
        }
        // Long enough to start and join the group before the next round.
        await sleep(untilReported ? 4_000 : 2_500);
      }
      const faultEnd = Date.now();
      await sleep(5_000);
      await producer.stop(120_000);
      const recoveredAt = await waitForRecovery(poller, faultEnd, 120_000);
      const result = await verifyAgainstLog(cluster, producer);

      recordFigures({
        scenario: SCENARIO,
        fault: `${kills} SIGKILLs of processors in ${rounds.length} rounds`,
        produced: result.produced,
        lost: result.lost,
        countedTwice: result.countedTwice,
        logDuplicates: result.logDuplicates,
        producerRetries: producer.failures(),
        faultSeconds: seconds(faultEnd - faultStart),
        recoverySeconds: seconds(recoveredAt - faultEnd),
        duringFault: `reported ${reported.join(', ')}`,
      });
      console.log(`[chaos] ${SCENARIO}: ${describeProcessors(poller.between(faultStart, faultEnd))}`);

      expect(
        cluster.unexpectedExits().map((p) => p.id),
        logTail(cluster.processes),
      ).toEqual([]);
      expect(reported.every((r) => !r.endsWith('healthy'))).toBe(true);
      expect(result.problems, logTail(cluster.processes)).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.countedTwice).toBe(0);
    } finally {
      await poller.stop();
      saveSamples(SCENARIO, poller);
      await cluster.close();
    }
  }, 420_000);
});
