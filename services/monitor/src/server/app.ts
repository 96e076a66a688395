import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fromCents, isDependencyError } from '@kafka-monitor/domain';
import type { EventBus, Store } from '@kafka-monitor/domain';
import { ErrorBody, HealthBody, StatsBody, type StatsData } from '../contract.js';

export interface MonitorDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly busType: string;
  readonly storeType: string;
  readonly now: () => number;
  readonly logger?: boolean;
}

async function check(probe: () => Promise<void>): Promise<{ status: string; error?: string }> {
  try {
    await probe();
    return { status: 'connected' };
  } catch (error) {
    return { status: 'unavailable', error: (error as Error).message };
  }
}

/** Builds the HTTP application without listening, so tests and the process share one definition. */
export function buildMonitorApp(deps: MonitorDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 64 * 1024 }).withTypeProvider<TypeBoxTypeProvider>();

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ success: false, error: `no route ${request.method} ${request.url}` });
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if (isDependencyError(error)) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return reply.code(503).send({ success: false, error: `${error.dependency} unavailable: ${error.message}` });
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ success: false, error: status === 500 ? 'internal error' : error.message });
  });

  app.get('/api/health', { schema: { response: { 200: HealthBody, 503: HealthBody } } }, async (_request, reply) => {
    const [bus, store] = await Promise.all([check(() => deps.bus.ping()), check(() => deps.store.ping())]);
    const up = [bus, store].filter((c) => c.status === 'connected').length;
    const status = up === 2 ? 'healthy' : up === 1 ? 'degraded' : 'unhealthy';
    return reply.code(status === 'healthy' ? 200 : 503).send({
      status,
      bus: { type: deps.busType, ...bus },
      store: { type: deps.storeType, ...store },
      timestamp: deps.now(),
    });
  });

  app.get('/api/stats', { schema: { response: { 200: StatsBody, 503: ErrorBody } } }, async () => {
    const [views, registry] = await Promise.all([deps.store.views.totals(), deps.store.registry.totals()]);
    const data: StatsData = {
      'query-processor': {
        'customer-count': views.customerCount,
        'product-count': views.productCount,
        'total-orders': views.totalOrders,
        'total-customers-spent': fromCents(views.totalSpentCents),
        'total-revenue-accepted': fromCents(registry.acceptedRevenueCents),
      },
      'registry-processor': {
        'registered-count': registry.registeredCount,
        'accepted-count': registry.acceptedCount,
        'denied-count': registry.deniedCount,
        'pending-count': registry.pendingCount,
      },
      timestamp: deps.now(),
    };
    return { success: true as const, data };
  });

  return app;
}
