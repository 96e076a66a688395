import { ProcessorStatusQuery, ProcessorsData, StreamHeaders, envelope } from '../../contract.js';
import { errorResponses, type MonitorApp } from '../app-types.js';
import type { LiveStream } from '../live-stream.js';
import type { MonitorMetrics } from '../metrics.js';
import type { ProcessorStatusReader } from '../processor-status.js';

export interface LiveRouteDeps {
  readonly status: ProcessorStatusReader;
  readonly stream: LiveStream;
  readonly metrics: MonitorMetrics;
}

export function registerLiveRoutes(app: MonitorApp, deps: LiveRouteDeps): void {
  app.get(
    '/api/processors/status',
    {
      schema: {
        operationId: 'getProcessorStatus',
        tags: ['system'],
        summary: 'Status, instances, throughput, errors and consumer-group lag of each processor',
        description:
          "Each group's lag is evaluated over a sliding window with Burrow's statuses (OK, WARN, STALL, STOP, " +
          'REWIND), with per-partition consume and produce rates, trend and time to drain. With `history=true`, ' +
          'each group also carries its kept samples of the last hour, for charts that start full.',
        querystring: ProcessorStatusQuery,
        response: { 200: envelope(ProcessorsData), ...errorResponses(400, 503) },
      },
    },
    async (request) => ({
      success: true as const,
      data: request.query.history === true ? await deps.status.readWithHistory() : await deps.status.read(),
    }),
  );

  app.get(
    '/api/stream',
    {
      schema: {
        operationId: 'streamEvents',
        tags: ['system'],
        summary: 'Server-Sent Events: order, status, stats, processors, reset; resumes after Last-Event-ID',
        headers: StreamHeaders,
        // The 200 (text/event-stream, one schema per event) is added to the document by
        // openapi-document.ts: the reply is written by the stream, not serialised by a schema.
        response: errorResponses(400),
      },
    },
    async (request, reply) => {
      const raw = request.headers['last-event-id'];
      const lastEventId = raw === undefined || raw === '' ? undefined : Number(raw);
      // The stream writes its own head, so the headers the reply holds (the security set) go with it.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.hijack();
      await deps.stream.attach(reply.raw, lastEventId);
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await deps.metrics.exposition();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
