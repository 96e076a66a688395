import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, temporaryDirectory } from './helpers.js';

interface OtlpSpan {
  readonly traceId: string;
  readonly name: string;
}
interface OtlpExport {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly { key: string; value: { stringValue?: string } }[] };
    readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[];
  }[];
}

/** Span names by trace id, and the service names, over every OTLP/JSON export received. */
function summarize(exports: readonly OtlpExport[]) {
  const traces = new Map<string, string[]>();
  const services = new Set<string>();
  for (const { resourceSpans } of exports) {
    for (const { resource, scopeSpans } of resourceSpans) {
      for (const a of resource.attributes) if (a.key === 'service.name') services.add(a.value.stringValue ?? '');
      for (const span of scopeSpans.flatMap((s) => s.spans)) {
        traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span.name]);
      }
    }
  }
  return { traces, services };
}

describe('traces from the compiled runtime', () => {
  const dir = temporaryDirectory('traces-runtime-');
  const exports: OtlpExport[] = [];
  const sink = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') exports.push(JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  afterAll(() => {
    sink.close();
    dir.remove();
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, the launcher exports whole order traces over OTLP/HTTP', async () => {
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const address = sink.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const child = spawn(process.execPath, [...LAUNCHER_ARGS], {
      env: {
        ...process.env,
        DATA_DIR: dir.path,
        SERVICES: 'order-processor,query-processor,registry-processor',
        METRICS_PORT: '0',
        ORDER_RATE: '50',
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${address.port}`,
        // Export often, so the test does not wait out the SDK's 5 s default.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const complete = ['send orders', 'process orders', 'process orders', 'send registry', 'process registry'];
      await waitFor(
        'a whole order trace exported',
        () => [...summarize(exports).traces.values()].some((names) => names.length === 5),
        (found) => found,
        60_000,
      );
      const { traces, services } = summarize(exports);
      const whole = [...traces.values()].filter((names) => names.length === 5);
      expect(whole.length).toBeGreaterThan(0);
      for (const names of whole) expect([...names].sort()).toEqual([...complete].sort());
      expect([...services]).toEqual(['kafka-monitor']);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
