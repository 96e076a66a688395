import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import {
  describeHealth,
  logTail,
  pollHealth,
  recordFigures,
  saveSamples,
  seconds,
  startCluster,
  startProducer,
  startSseClient,
  verifyAgainstLog,
  waitForRecovery,
  type SseClient,
} from './harness.js';

const SCENARIO = 'monitor-restart';
const CLIENTS = 3;

describe('chaos: monitor restarted while SSE clients stream', () => {
  it('lets every client resume with Last-Event-ID and miss nothing, with no event twice', async () => {
    const cluster = await startCluster(SCENARIO);
    const poller = pollHealth(cluster.monitorUrl);
    const clients: SseClient[] = [];
    try {
      let monitor = cluster.start('monitor', `${SCENARIO}-monitor-0`);
      cluster.start('query-processor', `${SCENARIO}-query`);
      cluster.start('registry-processor', `${SCENARIO}-registry`);
      await waitForRecovery(poller, Date.now(), 120_000);
      for (let i = 0; i < CLIENTS; i++) clients.push(startSseClient(`${cluster.monitorUrl}/api/stream`));
      await waitFor(
        'clients connected',
        () => clients.every((c) => c.connections() === 1),
        (ok) => ok,
        30_000,
      );
      const producer = startProducer(cluster, 50);
      await sleep(4_000);

      // A crash, a clean stop, a crash: each time a new monitor process comes up on the same address.
      const signals: NodeJS.Signals[] = ['SIGKILL', 'SIGTERM', 'SIGKILL'];
      const faultStart = Date.now();
      for (const [round, signal] of signals.entries()) {
        const before = clients.map((c) => c.connections());
        await monitor.kill(signal);
        await sleep(1_000);
        monitor = cluster.start('monitor', `${SCENARIO}-monitor-${round + 1}`);
        await waitFor(
          'every client reconnected',
          () => clients.every((c, i) => c.connections() > (before[i] ?? 0)),
          (ok) => ok,
          60_000,
        );
        await sleep(2_000);
      }
      const faultEnd = Date.now();
      await sleep(5_000);
      await producer.stop(120_000);
      const healthyAt = await waitForRecovery(poller, faultEnd, 120_000);
      const latest = await cluster.store.registry.latestCursor();
      await waitFor(
        'every client caught up with the change feed',
        () => clients.every((c) => (c.events.at(-1)?.id ?? 0) >= latest),
        (ok) => ok,
        60_000,
      );
      const caughtUpAt = Date.now();
      const result = await verifyAgainstLog(cluster, producer);

      // What each client should have seen: every change of the feed, once, in order.
      const feed = await cluster.store.registry.changesSince(0, 100_000);
      const missed = clients.map((c) => {
        const seen = new Set(c.events.map((e) => e.id));
        return feed.filter((change) => !seen.has(change.cursor)).length;
      });
      const twice = clients.map((c) => c.events.length - new Set(c.events.map((e) => e.id)).size);
      const ordered = clients.every((c) => c.events.every((e, i) => i === 0 || e.id > (c.events[i - 1]?.id ?? 0)));
      const registeredSeen = clients.map(
        (c) => new Set(c.events.filter((e) => e.event === 'order').map((e) => e.data['order-id'])).size,
      );

      recordFigures({
        scenario: SCENARIO,
        fault: `monitor restarted ${signals.length} times (${signals.join(', ')}) under ${CLIENTS} SSE clients`,
        produced: result.produced,
        lost: result.lost + missed.reduce((a, b) => a + b, 0),
        countedTwice: result.countedTwice + twice.reduce((a, b) => a + b, 0),
        logDuplicates: result.logDuplicates,
        producerRetries: producer.failures(),
        faultSeconds: seconds(faultEnd - faultStart),
        recoverySeconds: seconds(Math.max(healthyAt, caughtUpAt) - faultEnd),
        duringFault: `${describeHealth(poller.between(faultStart, faultEnd))}; clients reconnected ${clients
          .map((c) => c.connections() - 1)
          .join('/')} times, saw ${registeredSeen.join('/')} orders`,
      });

      expect(
        cluster.unexpectedExits().map((p) => p.id),
        logTail(cluster.processes),
      ).toEqual([]);
      expect(missed).toEqual(clients.map(() => 0));
      expect(twice).toEqual(clients.map(() => 0));
      expect(ordered).toBe(true);
      expect(registeredSeen).toEqual(clients.map(() => result.produced));
      expect(result.problems, logTail(cluster.processes)).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.countedTwice).toBe(0);
    } finally {
      for (const client of clients) client.close();
      await poller.stop();
      saveSamples(SCENARIO, poller);
      await cluster.close();
    }
  }, 420_000);
});
