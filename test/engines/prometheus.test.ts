import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { listeningPort, metricsPortFrom, watchAlert, type ActiveAlert } from './prometheus.js';

const LINE =
  '{"level":30,"time":1796474172053,"service":"kafka-monitor","instance":"registry-0",' +
  '"url":"http://127.0.0.1:41233","port":41233,"msg":"health and metrics listening"}';

describe('the metrics port of a process started with METRICS_PORT=0', () => {
  it('is read from its "health and metrics listening" log line', () => {
    expect(listeningPort(LINE)).toBe(41233);
    expect(listeningPort('{"level":30,"msg":"registry-processor consuming","port":41233}')).toBeUndefined();
    expect(listeningPort('health and metrics listening on 41233')).toBeUndefined();
  });

  it('is found among other lines, even when a chunk ends mid-line', async () => {
    const output = new PassThrough();
    const port = metricsPortFrom(output);
    output.write('{"level":30,"msg":"starting"}\n');
    output.write(LINE.slice(0, 40));
    output.write(`${LINE.slice(40)}\n`);
    await expect(port).resolves.toBe(41233);
  });

  it('is an error when the process ends without saying it', async () => {
    const output = new PassThrough();
    const port = metricsPortFrom(output);
    output.end('{"level":50,"msg":"METRICS_PORT 9464 is taken"}\n');
    await expect(port).rejects.toThrow('ended before logging its metrics port');
  });
});

describe('an alert followed through /api/v1/alerts', () => {
  it('records each change of state of the alert whose labels match, and waits for one', async () => {
    const down = (state: 'pending' | 'firing', processor: string): ActiveAlert => ({
      labels: { alertname: 'KafkaMonitorProcessorDown', processor, severity: 'page' },
      annotations: {},
      state,
      activeAt: '2026-12-05T12:00:00Z',
    });
    // What Prometheus answers poll after poll; the query processor's alert must not be taken for it.
    const answers: ActiveAlert[][] = [
      [down('firing', 'query-processor')],
      [down('pending', 'registry-processor')],
      [down('pending', 'registry-processor')],
      [down('firing', 'registry-processor')],
      [],
    ];
    let poll = 0;
    const since = Date.now();
    const watch = watchAlert(
      { alerts: () => Promise.resolve(answers[Math.min(poll++, answers.length - 1)] ?? []) },
      { alertname: 'KafkaMonitorProcessorDown', processor: 'registry-processor' },
      1,
    );
    const firingAt = await watch.until('firing', since, 5_000);
    await waitFor(
      'the alert resolved',
      () => watch.transitions.length,
      (n) => n >= 4,
      5_000,
    );
    await watch.stop();
    expect(watch.transitions.map((t) => t.state)).toEqual(['inactive', 'pending', 'firing', 'inactive']);
    expect(firingAt).toBe(watch.transitions[2]?.at);
    expect(watch.state()).toBe('inactive');
  });
});
