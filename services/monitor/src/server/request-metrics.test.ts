import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { REQUEST_DURATION_BUCKETS, createRequestMetrics } from './request-metrics.js';

interface Observation {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

/** The same two families through prom-client, which wrote them before: the reference text. */
async function promClientText(observations: readonly Observation[]): Promise<string> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests.',
    labelNames: ['method', 'route'],
    buckets: [...REQUEST_DURATION_BUCKETS],
    registers: [registry],
  });
  for (const o of observations) {
    requests.inc({ method: o.method, route: o.route, status: String(o.status) });
    seconds.observe({ method: o.method, route: o.route }, o.seconds);
  }
  return registry.metrics();
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

const observation = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  route: fc.oneof(
    fc.constantFrom('/api/stats', '/api/orders/:id', 'unmatched', '/odd "quoted" \\ path\nline'),
    fc.string({ maxLength: 12 }),
  ),
  status: fc.constantFrom(200, 201, 400, 404, 429, 503),
  seconds: fc.oneof(
    fc.constantFrom(0, ...REQUEST_DURATION_BUCKETS, 2.6, 30),
    fc.double({ min: 0, max: 5, noNaN: true }),
  ),
});

describe('request metrics', () => {
  it('writes the same lines prom-client wrote for any observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const metrics = createRequestMetrics();
        for (const o of observations) metrics.observe(o.method, o.route, o.status, o.seconds);
        expect(lines(metrics.exposition()).sort()).toEqual(lines(await promClientText(observations)).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('counts a duration equal to a bound in that bound, and keeps the buckets cumulative', () => {
    const metrics = createRequestMetrics([0.01, 0.1]);
    metrics.observe('GET', '/a', 200, 0.01);
    metrics.observe('GET', '/a', 200, 0.05);
    metrics.observe('GET', '/a', 500, 3);
    const text = metrics.exposition();
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.01",method="GET",route="/a"} 1\n');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/a"} 2\n');
    expect(text).toContain('http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a"} 3\n');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/a"} 3\n');
    expect(text).toContain('http_requests_total{method="GET",route="/a",status="500"} 1\n');
  });
});
