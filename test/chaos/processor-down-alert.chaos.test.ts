import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { ALERT_RULES, metricsPortFrom, startPrometheus, watchAlert } from '../engines/prometheus.js';
import {
  logTail,
  pollHealth,
  recordFigures,
  saveSamples,
  seconds,
  startCluster,
  startProducer,
  verifyAgainstLog,
  waitForRecovery,
  type ServiceProcess,
} from './harness.js';

const SCENARIO = 'processor-down-alert';
/** The scrape jobs of deploy/prometheus/prometheus.yml, one per service, which the rules select on. */
const JOBS = ['monitor', 'query-processor', 'registry-processor'];

/** `127.0.0.1:<port>` of a service's health and metrics server, from its log line (METRICS_PORT=0). */
async function metricsAddress(service: ServiceProcess): Promise<string> {
  const output = service.child.stdout;
  if (output === null) throw new Error(`${service.id} has no stdout to read its port from`);
  return `127.0.0.1:${await metricsPortFrom(output)}`;
}

/**
 * The only registry processor SIGKILLed while orders flow, watched by a real Prometheus (built by
 * scripts/prometheus-tools.sh) that scrapes every process every second and evaluates the shipped
 * deploy/prometheus/alerts.yml unchanged: KafkaMonitorProcessorDown must go pending, then firing
 * (its `for: 1m` included), and resolve once the processor is started again. The times are printed
 * ("alert timing:") for the CI log. KafkaConsumerGroupStalled needs a 10-minute window, longer than
 * this scenario; the order processor (the generator) does not run here, so its own down alert fires
 * and is not the one watched.
 */
describe('chaos: the only registry processor SIGKILLed, seen through Prometheus alerts', () => {
  it('fires the processor-down alert and resolves it after the restart, losing nothing', async () => {
    const cluster = await startCluster(SCENARIO);
    const poller = pollHealth(cluster.monitorUrl);
    const prometheus = await startPrometheus({
      directory: join(cluster.logsDirectory, 'prometheus'),
      jobs: JOBS,
      ruleFiles: [ALERT_RULES],
      intervalSeconds: 1,
    });
    const down = watchAlert(prometheus, { alertname: 'KafkaMonitorProcessorDown', processor: 'registry-processor' });
    const queryDown = watchAlert(prometheus, { alertname: 'KafkaMonitorProcessorDown', processor: 'query-processor' });
    const targetDown = watchAlert(prometheus, { alertname: 'KafkaMonitorTargetDown', job: 'registry-processor' });
    try {
      cluster.start('monitor', `${SCENARIO}-monitor`);
      // The monitor serves /metrics on its API port.
      prometheus.setTargets('monitor', [new URL(cluster.monitorUrl).host]);
      const query = cluster.start('query-processor', `${SCENARIO}-query-0`);
      let registry = cluster.start('registry-processor', `${SCENARIO}-registry-0`);
      // Both outputs are read from now on: a process may log its port before the other one does.
      const [queryAddress, registryAddress] = await Promise.all([metricsAddress(query), metricsAddress(registry)]);
      prometheus.setTargets('query-processor', [queryAddress]);
      prometheus.setTargets('registry-processor', [registryAddress]);
      await waitForRecovery(poller, Date.now(), 120_000);
      const producer = startProducer(cluster, 50);

      // Before the fault Prometheus sees a healthy registry processor, and no alert about it.
      await waitFor(
        'Prometheus scraping a healthy registry processor',
        () =>
          prometheus.query(
            'max by (processor) (kafka_monitor_processor_status{processor="registry-processor",status="healthy"})',
          ),
        (samples) => samples[0]?.value === 1,
        60_000,
      );
      await sleep(3_000);
      expect(down.state()).toBe('inactive');

      const killedAt = Date.now();
      await registry.kill('SIGKILL');
      const pendingAt = await down.until('pending', killedAt, 60_000);
      const firingAt = await down.until('firing', killedAt, 180_000);
      const reportedDown = poller.samples.find(
        (s) => s.at > killedAt && s.processors?.['registry-processor']?.status === 'down',
      );
      const targetPendingAt = targetDown.transitions.find((t) => t.at >= killedAt && t.state === 'pending')?.at;

      const restartedAt = Date.now();
      registry = cluster.start('registry-processor', `${SCENARIO}-registry-1`);
      // A new process on a new port: the old target leaves the job, as a restarted container's would.
      prometheus.setTargets('registry-processor', [await metricsAddress(registry)]);
      const resolvedAt = await down.until('inactive', restartedAt, 120_000);
      const stillDown = await prometheus.query(
        'max by (processor) (kafka_monitor_processor_status{processor="registry-processor",status="down"})',
      );
      const targetResolvedAt = await targetDown.until('inactive', restartedAt, 60_000).catch(() => undefined);

      const timing = [
        `KafkaMonitorProcessorDown{processor="registry-processor"}: kill→pending ${seconds(pendingAt - killedAt)} s, ` +
          `kill→firing ${seconds(firingAt - killedAt)} s (for: 1m), restart→resolved ${seconds(resolvedAt - restartedAt)} s`,
        `monitor /api/processors/status: kill→down ${reportedDown === undefined ? 'never' : `${seconds(reportedDown.at - killedAt)} s`}`,
        `KafkaMonitorTargetDown{job="registry-processor"}: kill→pending ${
          targetPendingAt === undefined ? 'never' : `${seconds(targetPendingAt - killedAt)} s`
        }, firing not reached before the restart (for: 2m), restart→resolved ${
          targetResolvedAt === undefined ? 'never' : `${seconds(targetResolvedAt - restartedAt)} s`
        }`,
      ];
      for (const line of timing) console.log(`alert timing: ${line}`);

      await sleep(5_000);
      await producer.stop(120_000);
      const recoveredAt = await waitForRecovery(poller, resolvedAt, 120_000);
      const result = await verifyAgainstLog(cluster, producer);
      recordFigures({
        scenario: SCENARIO,
        fault: 'the only registry processor SIGKILLed until Prometheus fired its down alert',
        produced: result.produced,
        lost: result.lost,
        countedTwice: result.countedTwice,
        logDuplicates: result.logDuplicates,
        producerRetries: producer.failures(),
        faultSeconds: seconds(restartedAt - killedAt),
        recoverySeconds: seconds(recoveredAt - restartedAt),
        duringFault:
          `KafkaMonitorProcessorDown pending after ${seconds(pendingAt - killedAt)} s, firing after ` +
          `${seconds(firingAt - killedAt)} s, resolved ${seconds(resolvedAt - restartedAt)} s after the restart`,
      });

      expect(
        cluster.unexpectedExits().map((p) => p.id),
        logTail(cluster.processes),
      ).toEqual([]);
      // Pending once the monitor reports the processor down (no heartbeat for 10 s), firing a minute later.
      expect(reportedDown).toBeDefined();
      expect(firingAt - pendingAt).toBeGreaterThanOrEqual(59_000);
      expect(stillDown[0]?.value).toBe(0);
      // The processor that kept running never alerted during the fault or after it.
      expect(queryDown.transitions.filter((t) => t.at >= killedAt)).toEqual([]);
      expect(queryDown.state()).toBe('inactive');
      expect(result.problems, logTail(cluster.processes)).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.countedTwice).toBe(0);
    } finally {
      await Promise.all([down.stop(), queryDown.stop(), targetDown.stop()]);
      await prometheus.stop();
      await poller.stop();
      saveSamples(SCENARIO, poller);
      await cluster.close();
    }
  }, 420_000);
});
