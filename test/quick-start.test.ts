import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { freePort, temporaryDirectory } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RATE = 200;

interface Stats {
  data: { 'query-processor': { 'total-orders': number }; 'registry-processor': { 'registered-count': number } };
}

describe('npm start', () => {
  const dir = temporaryDirectory('start-');
  afterAll(() => dir.remove());

  it(`serves /api/stats within 60 s and its counts grow at ORDER_RATE=${RATE}`, async () => {
    const port = await freePort();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dir.path, PORT: String(port), ORDER_RATE: String(RATE), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    });
    const exited = once(child, 'exit');
    const url = `http://127.0.0.1:${port}/api/stats`;
    const startedAt = Date.now();
    const stats = async (): Promise<Stats | undefined> => {
      try {
        const response = await fetch(url);
        return response.ok ? ((await response.json()) as Stats) : undefined;
      } catch {
        return undefined;
      }
    };
    try {
      await waitFor('/api/stats answering', stats, (s) => s !== undefined, 60_000);
      console.log(`npm start: /api/stats answered after ${Date.now() - startedAt} ms`);
      const first = await waitFor(
        'orders flowing',
        stats,
        (s) => (s?.data['query-processor']['total-orders'] ?? 0) > 0,
      );
      const firstAt = Date.now();
      await sleep(5_000);
      const second = await stats();
      const seconds = (Date.now() - firstAt) / 1000;
      const grown =
        (second?.data['query-processor']['total-orders'] ?? 0) - (first?.data['query-processor']['total-orders'] ?? 0);
      console.log(
        `npm start: ${grown} orders in ${seconds.toFixed(2)} s = ${(grown / seconds).toFixed(1)}/s at ORDER_RATE=${RATE}`,
      );
      // The window is measured from the outside, so allow for the poll's own delay at both ends.
      expect(grown / seconds).toBeGreaterThan(RATE * 0.85);
      expect(grown / seconds).toBeLessThan(RATE * 1.15);
      expect(second?.data['registry-processor']['registered-count']).toBeGreaterThan(0);

      // All in one process: the monitor serves the process's probes and every family once on PORT.
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const processor of ['query-processor', 'registry-processor']) {
        expect(metrics).toMatch(
          new RegExp(`^kafka_monitor_batch_processing_seconds_count\\{processor="${processor}"\\} [1-9]`, 'm'),
        );
      }
      const types = metrics.split('\n').filter((line) => line.startsWith('# TYPE '));
      expect(new Set(types).size).toBe(types.length);
      expect(types).toContain('# TYPE kafka_monitor_orders gauge');
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }, 90_000);
});
