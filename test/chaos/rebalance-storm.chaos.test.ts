import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import {
  describeProcessors,
  logLines,
  logTail,
  pollHealth,
  recordFigures,
  saveSamples,
  seconds,
  startCluster,
  startProducer,
  verifyAgainstLog,
  waitForRecovery,
  type HealthSample,
} from './harness.js';

const SCENARIO = 'rebalance-storm';
const CYCLES = 4;

/** Instances reported for the processor with fewer of them. */
const instancesOf = (sample: HealthSample): number =>
  Math.min(
    sample.processors?.['query-processor']?.instances ?? 0,
    sample.processors?.['registry-processor']?.instances ?? 0,
  );

describe('chaos: rebalance storm (instances joining and leaving)', () => {
  it('keeps the groups consuming through repeated joins and leaves, loses nothing and counts nothing twice', async () => {
    const cluster = await startCluster(SCENARIO);
    const poller = pollHealth(cluster.monitorUrl);
    try {
      cluster.start('monitor', `${SCENARIO}-monitor`);
      cluster.start('query-processor', `${SCENARIO}-query-base`);
      cluster.start('registry-processor', `${SCENARIO}-registry-base`);
      await waitForRecovery(poller, Date.now(), 120_000);
      const producer = startProducer(cluster, 50);
      await sleep(3_000);

      const faultStart = Date.now();
      let joins = 0;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        // Every join and every leave rebalances both groups; leaves alternate between a clean stop and
        // a kill, whose partitions only move once the session times out.
        const extra = [
          cluster.start('query-processor', `${SCENARIO}-query-${cycle}`),
          cluster.start('registry-processor', `${SCENARIO}-registry-${cycle}`),
        ];
        joins += extra.length;
        // Joined once each says it consumes (a process needs several seconds to boot on a busy
        // machine), then a short stay: leaving right after joining is what makes the storm.
        await waitFor(
          'the extra instances consuming',
          () => extra.every((p) => logLines(p, 'consuming').length > 0),
          (joined) => joined,
          45_000,
        );
        await sleep(2_000);
        await Promise.all(extra.map((p) => p.kill(cycle % 2 === 0 ? 'SIGTERM' : 'SIGKILL')));
        await sleep(1_500);
      }
      const faultEnd = Date.now();
      await sleep(5_000);
      await producer.stop(120_000);
      const recoveredAt = await waitForRecovery(poller, faultEnd, 120_000);
      const result = await verifyAgainstLog(cluster, producer);

      const during = poller.between(faultStart, faultEnd);
      const mostInstances = Math.max(...during.map(instancesOf));
      recordFigures({
        scenario: SCENARIO,
        fault: `${CYCLES} cycles of ${joins / CYCLES} extra instances joining, then leaving (stop or SIGKILL)`,
        produced: result.produced,
        lost: result.lost,
        countedTwice: result.countedTwice,
        logDuplicates: result.logDuplicates,
        producerRetries: producer.failures(),
        faultSeconds: seconds(faultEnd - faultStart),
        recoverySeconds: seconds(recoveredAt - faultEnd),
        duringFault: `up to ${mostInstances} instances of each processor reported`,
      });
      console.log(`[chaos] ${SCENARIO}: ${describeProcessors(during)}`);

      expect(
        cluster.unexpectedExits().map((p) => p.id),
        logTail(cluster.processes),
      ).toEqual([]);
      expect(mostInstances).toBeGreaterThanOrEqual(2);
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
