import { fromCents, journeyToWire } from '@kafka-monitor/domain';
import { traceOrder } from '@kafka-monitor/pipeline';
import type { EventBus, Store } from '@kafka-monitor/domain';
import { Type, type Static } from 'typebox';
import type { FastifyReply } from 'fastify';
import {
  CustomerDto,
  CustomerIdParam,
  DebugBody,
  type DiskHealth,
  HealthBody,
  IdParam,
  Limit,
  OrderDto,
  OrderIdParam,
  OrderStatusParam,
  OrderUuidParam,
  ProductDto,
  RegisteredOrderDto,
  SearchQuery,
  StatsBody,
  StatusUpdateDto,
  TimelineEntryDto,
  envelope,
  listEnvelope,
  type StatsData,
} from '../../contract.js';
import { JourneyBody } from '../../contract-journey.js';
import { HttpError, errorResponses, type MonitorApp } from '../app-types.js';
import type { SharedAnswers } from '../shared-answers.js';
import {
  clampLimit,
  customerDto,
  normaliseOrderId,
  orderDto,
  productDto,
  registeredDto,
  statusUpdateDto,
  timelineDto,
} from '../dto.js';

export interface ReadRouteDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly busType: string;
  readonly storeType: string;
  readonly now: () => number;
  /** The disk of DATA_DIR, when the process keeps the embedded log or store there. */
  readonly disk?: () => DiskReport;
  /** Shares the answers of the busiest reads between requests (stats, timeline). */
  readonly sharedAnswers: SharedAnswers;
}

/** What the process's disk watch says (the runtime's `DiskState`, structurally). */
export interface DiskReport {
  readonly path: string;
  readonly status: 'ok' | 'low' | 'full';
  readonly reason: string | undefined;
  readonly freeBytes: number | undefined;
  readonly sizeBytes: number | undefined;
  readonly warnFreeBytes: number;
}

function diskHealth(report: DiskReport): DiskHealth {
  return {
    path: report.path,
    status: report.status,
    ...(report.reason === undefined ? {} : { reason: report.reason }),
    'free-bytes': report.freeBytes ?? null,
    'size-bytes': report.sizeBytes ?? null,
    'warn-free-bytes': report.warnFreeBytes,
  };
}

const TimelineBody = listEnvelope(TimelineEntryDto);

/**
 * Sends a shared answer's JSON text as it is (Fastify serialises objects, never strings). The text
 * is typed by the load that built it, which the route's response schema types in turn.
 */
function sendJsonText(reply: unknown, text: string): FastifyReply {
  return (reply as FastifyReply).type('application/json; charset=utf-8').send(text);
}

async function check(probe: () => Promise<void>): Promise<{ status: string; error?: string }> {
  try {
    await probe();
    return { status: 'connected' };
  } catch (error) {
    return { status: 'unavailable', error: (error as Error).message };
  }
}

export async function readStats(store: Store, now: number): Promise<StatsData> {
  const [views, registry] = await Promise.all([store.views.totals(), store.registry.totals()]);
  return {
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
    timestamp: now,
  };
}

/** A customer search matches one customer when the query is a 32-bit integer. */
const INT32 = /^-?\d{1,10}$/;
const isInt32 = (value: number) => value >= -2147483648 && value <= 2147483647;

export function registerReadRoutes(app: MonitorApp, deps: ReadRouteDeps): void {
  const { store } = deps;

  app.get(
    '/api/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['system'],
        summary: 'Bus and store checks',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const [bus, storeCheck] = await Promise.all([check(() => deps.bus.ping()), check(() => store.ping())]);
      const up = [bus, storeCheck].filter((c) => c.status === 'connected').length;
      const disk = deps.disk?.();
      const checked = up === 2 ? 'healthy' : up === 1 ? 'degraded' : 'unhealthy';
      // A low disk still serves everything (200, degraded: a warning); a full one refuses every write.
      const status = checked === 'healthy' && disk !== undefined && disk.status !== 'ok' ? 'degraded' : checked;
      const serving = checked === 'healthy' && disk?.status !== 'full';
      const reason = bus.error ?? storeCheck.error ?? disk?.reason;
      return reply.code(serving ? 200 : 503).send({
        status,
        ...(status === 'healthy' || reason === undefined ? {} : { reason }),
        bus: { type: deps.busType, ...bus },
        store: { type: deps.storeType, ...storeCheck },
        ...(disk === undefined ? {} : { disk: diskHealth(disk) }),
        timestamp: deps.now(),
      });
    },
  );

  app.get(
    '/api/stats',
    {
      schema: {
        operationId: 'getStats',
        tags: ['views'],
        summary: 'All-time totals (O(1))',
        response: { 200: StatsBody, ...errorResponses(503) },
      },
    },
    async (_request, reply) => {
      const text = await deps.sharedAnswers.answer('stats', async (): Promise<Static<typeof StatsBody>> => ({
        success: true,
        data: await readStats(store, deps.now()),
      }));
      return sendJsonText(reply, text);
    },
  );

  app.get(
    '/api/customers/top',
    {
      schema: {
        operationId: 'listTopCustomers',
        tags: ['views'],
        summary: 'Customers by total spent, highest first',
        querystring: Limit(10),
        response: { 200: listEnvelope(CustomerDto), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const data = (await store.views.topCustomers(clampLimit(request.query.limit, 10))).map(customerDto);
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/customers/search',
    {
      schema: {
        operationId: 'searchCustomers',
        tags: ['views'],
        summary: 'Empty q: top customers; an integer q: that customer; anything else: none',
        querystring: SearchQuery(50),
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Array(CustomerDto),
            count: Type.Integer(),
            query: Type.String(),
          }),
          ...errorResponses(400, 503),
        },
      },
    },
    async (request) => {
      const query = (request.query.q ?? '').trim();
      const limit = clampLimit(request.query.limit, 50);
      let customers;
      if (query === '') customers = await store.views.topCustomers(limit);
      else if (INT32.test(query) && isInt32(Number(query))) {
        const found = await store.views.customer(Number(query));
        customers = found === undefined ? [] : [found];
      } else customers = [];
      const data = customers.map(customerDto);
      return { success: true as const, data, count: data.length, query };
    },
  );

  app.get(
    '/api/customers/:id',
    {
      schema: {
        operationId: 'getCustomer',
        tags: ['views'],
        summary: 'One customer',
        params: CustomerIdParam,
        response: { 200: envelope(CustomerDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const customer = await store.views.customer(request.params.id);
      if (customer === undefined) throw new HttpError(404, `customer ${request.params.id} not found`);
      return { success: true as const, data: customerDto(customer) };
    },
  );

  app.get(
    '/api/products/top',
    {
      schema: {
        operationId: 'listTopProducts',
        tags: ['views'],
        summary: 'Products by total revenue, highest first',
        querystring: Limit(10),
        response: { 200: listEnvelope(ProductDto), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const data = (await store.views.topProducts(clampLimit(request.query.limit, 10))).map(productDto);
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/products/search',
    {
      schema: {
        operationId: 'searchProducts',
        tags: ['views'],
        summary: 'Products whose id starts with q (case-insensitive); empty q: top products',
        querystring: SearchQuery(50),
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Array(ProductDto),
            count: Type.Integer(),
            query: Type.String(),
          }),
          ...errorResponses(400, 503),
        },
      },
    },
    async (request) => {
      const query = (request.query.q ?? '').trim();
      const limit = clampLimit(request.query.limit, 50);
      const products =
        query === '' ? await store.views.topProducts(limit) : await store.views.searchProducts(query, limit);
      const data = products.map(productDto);
      return { success: true as const, data, count: data.length, query };
    },
  );

  app.get(
    '/api/products/:id',
    {
      schema: {
        operationId: 'getProduct',
        tags: ['views'],
        summary: 'One product by exact id',
        params: IdParam,
        response: { 200: envelope(ProductDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const product = await store.views.product(request.params.id);
      if (product === undefined) throw new HttpError(404, `product '${request.params.id}' not found`);
      return { success: true as const, data: productDto(product) };
    },
  );

  app.get(
    '/api/timeline',
    {
      schema: {
        operationId: 'listTimeline',
        tags: ['views'],
        summary: 'Newest orders first, each with its current registry status',
        querystring: Limit(100),
        response: { 200: TimelineBody, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const limit = clampLimit(request.query.limit, 100);
      const text = await deps.sharedAnswers.answer(
        `timeline:${limit}`,
        async (): Promise<Static<typeof TimelineBody>> => {
          const entries = await store.views.timeline(limit);
          const statuses = await store.registry.statuses(entries.map((e) => e.orderId));
          const data = entries.map((e) => timelineDto(e, statuses.get(e.orderId)));
          return { success: true, data, count: data.length };
        },
      );
      return sendJsonText(reply, text);
    },
  );

  app.get(
    '/api/orders',
    {
      schema: {
        operationId: 'listOrders',
        tags: ['orders'],
        summary: 'Produced orders, newest first',
        querystring: Limit(100),
        response: { 200: listEnvelope(OrderDto), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const data = (await store.produced.recentProduced(clampLimit(request.query.limit, 100))).map(orderDto);
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/orders/search/:id',
    {
      schema: {
        operationId: 'searchOrder',
        tags: ['orders'],
        summary: 'Find an order by UUID (any case): registered first, else the timeline, else produced',
        params: OrderUuidParam,
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Union([RegisteredOrderDto, TimelineEntryDto, OrderDto]),
            source: Type.Union([Type.Literal('registered'), Type.Literal('timeline'), Type.Literal('produced')]),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const id = normaliseOrderId(request.params.id);
      const registered = await store.registry.registered(id);
      if (registered !== undefined) {
        return { success: true as const, data: registeredDto(registered), source: 'registered' as const };
      }
      const entry = await store.views.timelineEntry(id);
      if (entry !== undefined)
        return { success: true as const, data: timelineDto(entry, undefined), source: 'timeline' as const };
      // Accepted by the log but not processed yet: the Location of a new order answers at once.
      const produced = await store.produced.produced(id);
      if (produced !== undefined)
        return { success: true as const, data: orderDto(produced), source: 'produced' as const };
      throw new HttpError(404, `order ${id} not found`);
    },
  );

  app.get(
    '/api/orders/by-status/:status',
    {
      schema: {
        operationId: 'listOrdersByStatus',
        tags: ['orders'],
        summary: 'Registered orders with a status, newest registration first',
        params: OrderStatusParam,
        querystring: Limit(100),
        response: { 200: listEnvelope(RegisteredOrderDto), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const data = (await store.registry.byStatus(request.params.status, clampLimit(request.query.limit, 100))).map(
        registeredDto,
      );
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/orders/:id/history',
    {
      schema: {
        operationId: 'getOrderHistory',
        tags: ['orders'],
        summary:
          'Status changes of an order, newest version first; empty while the order is produced but not registered',
        params: OrderIdParam,
        response: { 200: listEnvelope(StatusUpdateDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const id = normaliseOrderId(request.params.id);
      const history = await store.registry.history(id);
      if (history.length === 0 && (await store.produced.produced(id)) === undefined) {
        throw new HttpError(404, `order ${id} is not registered`);
      }
      const data = history.map(statusUpdateDto);
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/orders/:id/journey',
    {
      schema: {
        operationId: 'getOrderJourney',
        tags: ['orders'],
        summary:
          'One order end to end: each step with its time, log position and the time since the previous one, and what the order waits for now; 404 when neither the stores nor the log know it',
        params: OrderIdParam,
        response: { 200: JourneyBody, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const id = normaliseOrderId(request.params.id);
      const journey = await traceOrder({ bus: deps.bus, store, now: deps.now }, id);
      if (journey === undefined) throw new HttpError(404, `order ${id} is not known to the stores or the log`);
      return { success: true as const, data: journeyToWire(journey) };
    },
  );

  app.get(
    '/api/registered/:id',
    {
      schema: {
        operationId: 'getRegisteredOrder',
        tags: ['orders'],
        summary: 'A registered order with its failed rules',
        params: OrderIdParam,
        response: { 200: envelope(RegisteredOrderDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const id = normaliseOrderId(request.params.id);
      const registered = await store.registry.registered(id);
      if (registered === undefined) throw new HttpError(404, `order ${id} is not registered`);
      return { success: true as const, data: registeredDto(registered) };
    },
  );

  app.get(
    '/api/debug/order/:id',
    {
      schema: {
        operationId: 'debugOrder',
        tags: ['orders'],
        summary: 'Where an order is: produced, in the timeline, registered',
        params: OrderIdParam,
        response: { 200: DebugBody, ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const id = normaliseOrderId(request.params.id);
      const [produced, entry, registered] = await Promise.all([
        store.produced.produced(id),
        store.views.timelineEntry(id),
        store.registry.registered(id),
      ]);
      const timelineEntry = entry === undefined ? null : orderDto(entry);
      const registeredOrder = registered === undefined ? null : registeredDto(registered);
      return {
        success: true as const,
        data: {
          'order-id': id,
          produced: produced !== undefined,
          timeline: entry !== undefined,
          registered: registered !== undefined,
          'produced-order': produced === undefined ? null : orderDto(produced),
          'timeline-entry': timelineEntry,
          'registered-order': registeredOrder,
        },
        'order-id': id,
        'in-registered': registered !== undefined,
        'in-timeline': entry !== undefined,
        'registered-data': registeredOrder,
        'timeline-data': timelineEntry,
      };
    },
  );
}
