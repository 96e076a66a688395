import { ProcessorsData, envelope } from '../../contract.js';
import { ERRORS, HttpError, type MonitorApp } from '../app-types.js';
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
        tags: ['system'],
        summary: 'Status, instances, throughput, errors and consumer-group lag of each processor',
        response: { 200: envelope(ProcessorsData), ...ERRORS },
      },
    },
    async () => ({ success: true as const, data: await deps.status.read() }),
  );

  app.get(
    '/api/stream',
    {
      schema: {
        tags: ['system'],
        summary: 'Server-Sent Events: order, status, stats, processors; resumes after Last-Event-ID',
        produces: ['text/event-stream'],
        response: { ...ERRORS },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const raw = Array.isArray(header) ? header[0] : header;
      let lastEventId: number | undefined;
      if (raw !== undefined && raw !== '') {
        if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, `Last-Event-ID must be a change cursor, got '${raw}'`);
        lastEventId = Number(raw);
      }
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
