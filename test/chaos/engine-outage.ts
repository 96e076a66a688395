import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import {
  controlEngine,
  describeHealth,
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
  type Engine,
} from './harness.js';

const OUTAGE_MS = 30_000;
const RATE = 50;

/**
 * One engine stopped for 30 s while orders keep coming: the monitor must say which dependency is
 * missing, no service may exit, and once the engine is back every view and registry row must equal
 * the recomputation from the log.
 */
export async function engineOutage(engine: Engine): Promise<void> {
  const scenario = engine === 'kafka' ? 'broker-down' : 'cassandra-down';
  const dependency = engine === 'kafka' ? 'bus' : 'store';
  const cluster = await startCluster(scenario);
  const poller = pollHealth(cluster.monitorUrl);
  try {
    cluster.start('monitor', `${scenario}-monitor`);
    const query = cluster.start('query-processor', `${scenario}-query`);
    const registry = cluster.start('registry-processor', `${scenario}-registry`);
    await waitForRecovery(poller, Date.now(), 120_000);

    const producer = startProducer(cluster, RATE);
    await sleep(5_000);
    const faultStart = Date.now();
    await controlEngine(engine, 'stop');
    await sleep(Math.max(0, faultStart + OUTAGE_MS - Date.now()));
    await controlEngine(engine, 'start');
    const faultEnd = Date.now();
    // Orders keep coming for a while after the fault, so the pipeline has to get back to steady work;
    // then the producer stops, as lag can only reach 0 once nothing new arrives.
    await sleep(5_000);
    await producer.stop(120_000);
    const recoveredAt = await waitForRecovery(poller, faultEnd, 120_000);
    const result = await verifyAgainstLog(cluster, producer);

    const during = poller.between(faultStart, faultEnd);
    recordFigures({
      scenario,
      fault: `${engine === 'kafka' ? 'Kafka broker' : 'Cassandra'} stopped for ${OUTAGE_MS / 1000} s, then restarted`,
      produced: result.produced,
      lost: result.lost,
      countedTwice: result.countedTwice,
      logDuplicates: result.logDuplicates,
      producerRetries: producer.failures(),
      faultSeconds: seconds(faultEnd - faultStart),
      recoverySeconds: seconds(recoveredAt - faultEnd),
      duringFault: describeHealth(during),
    });
    const retries = [query, registry].map((p) => logLines(p, 'retrying').length);
    console.log(`[chaos] ${scenario}: retry log lines query ${retries[0]}, registry ${retries[1]}`);

    expect(
      cluster.unexpectedExits().map((p) => p.id),
      logTail(cluster.processes),
    ).toEqual([]);
    expect(
      during.some((s) => s.http === 503 && s.status === 'degraded' && s[dependency] === 'unavailable'),
      `health during the fault: ${describeHealth(during)}`,
    ).toBe(true);
    expect(result.problems, logTail(cluster.processes)).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.countedTwice).toBe(0);
  } finally {
    await poller.stop();
    saveSamples(scenario, poller);
    await cluster.close();
  }
}
