import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { ConfigError, loadConfig } from './config.js';
import { openTracing } from './tracing.js';

/** An OTLP/HTTP collector stand-in on loopback: keeps each export's path, headers and JSON body. */
async function startSink() {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, received, close: () => server.close() };
}

describe('tracing configuration', () => {
  it('is off without an endpoint: the inert tracing, and nothing to flush', async () => {
    const tracing = await openTracing(loadConfig({}), 'test');
    expect(tracing.tracing.enabled).toBe(false);
    expect(tracing.tracing.startSend({ topic: 'orders', key: 'k' }).headers).toEqual({});
    await tracing.close();
  });

  it('refuses a bad endpoint, headers without an endpoint, and malformed headers without quoting them', () => {
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.join('\n');
      }
      return '';
    };
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT must be/);
    expect(problems({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret' })).toMatch(
      /OTEL_EXPORTER_OTLP_HEADERS is set but OTEL_EXPORTER_OTLP_ENDPOINT is not/,
    );
    const malformed = problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 's3cret' });
    expect(malformed).toMatch(/OTEL_EXPORTER_OTLP_HEADERS entry 1 is not name=value/);
    expect(malformed).not.toContain('s3cret');
  });

  it('keeps the header values secret in the configuration', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret%2C1, x-tenant = blue',
      OTEL_SERVICE_NAME: 'orders-east',
    });
    expect(config.tracing.endpoint).toBe('http://c:4318');
    expect(config.tracing.serviceName).toBe('orders-east');
    expect(config.tracing.headers.map((h) => [h.name, h.value.reveal()])).toEqual([
      ['api-key', 's3cret,1'],
      ['x-tenant', 'blue'],
    ]);
    expect(`${inspect(config)} ${JSON.stringify(config)}`).not.toContain('s3cret');
  });

  describe('with an endpoint', () => {
    let sink: Awaited<ReturnType<typeof startSink>>;
    afterAll(() => sink.close());

    it('exports spans over OTLP/HTTP to <endpoint>/v1/traces with the headers and the service name', async () => {
      sink = await startSink();
      const tracing = await openTracing(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret',
          PROCESSOR_ID: 'instance-7',
        }),
        'registry-processor',
      );
      expect(tracing.tracing.enabled).toBe(true);
      const span = tracing.tracing.startSend({ topic: 'registry', key: 'order-9' });
      span.delivered({ topic: 'registry', partition: 0, offset: 3 });
      span.end();
      // Shutting down exports what is queued.
      await tracing.close();
      const [request] = await waitFor(
        'an export',
        () => sink.received,
        (r) => r.length > 0,
      );
      expect(request?.path).toBe('/v1/traces');
      expect(request?.headers['api-key']).toBe('s3cret');
      const body = request?.body ?? '';
      expect(body).toContain('"send registry"');
      expect(body).toContain('"registry-processor"');
      expect(body).toContain('"instance-7"');
      expect(body).toContain('"messaging.kafka.message.key"');
    });
  });
});
