import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, encodeStatusChange } from '@kafka-monitor/domain';
import type { EventBus, MessageTracing, Order, Store } from '@kafka-monitor/domain';
import { produceOrders, publishTraced } from '@kafka-monitor/pipeline';
import { Type } from 'typebox';
import {
  GeneratorChange,
  GeneratorDto,
  IdParam,
  IdempotencyHeaders,
  NewOrderBody,
  OrderDto,
  OrderIdParam,
  RegisteredOrderDto,
  StatusChangeBody,
  StatusRequestDto,
  envelope,
  type GeneratorDto as Generator,
} from '../../contract.js';
import { HttpError, errorResponses, type MonitorApp } from '../app-types.js';
import { normaliseOrderId, orderDto, registeredDto, roundToCents } from '../dto.js';
import { traceHeadersOf } from '../trace-headers.js';

export interface CommandRouteDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  readonly newId: () => string;
  /** How long a status change may take to be applied before the call answers 202. */
  readonly statusWaitMs: number;
  readonly defaultGenerator: Generator;
  /** What every mutating route adds: its guards (token, rate limit) and what they mean to the document. */
  readonly mutating: MutatingRoute;
  /** Sends orders and decisions under spans that continue the request's `traceparent`. */
  readonly tracing: MessageTracing;
}

/** The options a mutating route spreads into its definition (`guard`) and its schema (`schema`). */
export interface MutatingRoute {
  readonly guard: {
    readonly onRequest: NonNullable<Parameters<MonitorApp['route']>[0]['onRequest']>;
    readonly config: object;
  };
  /** `security` when a token is set, so the document (and its docs page) sends it. */
  readonly schema: { readonly security?: readonly Record<string, readonly string[]>[] };
  /** 401 when a token is set, 429 always. */
  readonly errors: ReturnType<typeof errorResponses<401 | 429>> | ReturnType<typeof errorResponses<429>>;
}

const POLL_MS = 20;

const orderId = '$response.body#/data/order-id';
/** From a new order to everything the API says about it (OpenAPI links, for clients and stateful tests). */
const NEW_ORDER_LINKS = {
  SearchOrder: { operationId: 'searchOrder', parameters: { id: orderId }, description: 'the order (its Location)' },
  GetRegisteredOrder: { operationId: 'getRegisteredOrder', parameters: { id: orderId } },
  GetOrderHistory: { operationId: 'getOrderHistory', parameters: { id: orderId } },
  DebugOrder: { operationId: 'debugOrder', parameters: { id: orderId } },
  GetOrderJourney: { operationId: 'getOrderJourney', parameters: { id: orderId }, description: 'its way so far' },
  ChangeOrderStatus: { operationId: 'changeOrderStatus', parameters: { id: orderId } },
  GetCustomer: { operationId: 'getCustomer', parameters: { id: '$response.body#/data/customer-id' } },
  GetProduct: { operationId: 'getProduct', parameters: { id: '$response.body#/data/product-id' } },
};

interface SchemaIssue {
  readonly instancePath: string;
  readonly params: unknown;
  readonly message?: string;
}

/** Per-field messages for the new-order body and its headers, from the schema's errors. */
function orderFieldErrors(validation: readonly SchemaIssue[]) {
  const errors: Record<string, string> = {};
  for (const issue of validation) {
    const missing = (issue.params as { missingProperty?: string }).missingProperty;
    const field = missing ?? issue.instancePath.replace(/^\//, '');
    const name = field === '' ? 'body' : field;
    errors[name] ??= missing === undefined ? (issue.message ?? 'is invalid') : 'is required';
  }
  return errors;
}

export function registerCommandRoutes(app: MonitorApp, deps: CommandRouteDeps): void {
  const { store } = deps;

  async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
    const deadline = deps.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined || deps.now() >= deadline) return value;
      await sleep(POLL_MS);
    }
  }

  app.post(
    '/api/orders',
    {
      attachValidation: true,
      ...deps.mutating.guard,
      links: { 201: NEW_ORDER_LINKS },
      schema: {
        operationId: 'createOrder',
        tags: ['orders'],
        summary: 'Create an order; 201 once the log acknowledged it. Honours Idempotency-Key.',
        ...deps.mutating.schema,
        body: NewOrderBody,
        headers: IdempotencyHeaders,
        response: {
          201: {
            ...envelope(OrderDto),
            headers: {
              location: Type.String({ description: 'the order: /api/orders/search/{order-id}' }),
              'request-id': Type.String({ description: "this request's id, as the order's journey names it" }),
              'idempotent-replayed': Type.Literal('true', {
                description: 'present when an earlier request with this key made the order',
              }),
            },
          },
          ...errorResponses(400, 409, 413, 415, 503),
          ...deps.mutating.errors,
        },
      },
    },
    async (request, reply) => {
      const issues = (request.validationError?.validation ?? []) as readonly SchemaIssue[];
      const errors = orderFieldErrors(issues);
      if (Object.keys(errors).length > 0) throw new HttpError(400, 'invalid order', errors);
      const body = request.body;
      const key = request.headers['idempotency-key'];
      // Carried on the order's message, so its journey names the request that posted it.
      const requestId = deps.newId();
      const trace = { tracing: deps.tracing, parent: traceHeadersOf(request.headers), requestId };
      const unitPriceCents = roundToCents(body['unit-price']);
      const order: Order = {
        orderId: deps.newId(),
        customerId: body['customer-id'],
        productId: body['product-id'],
        quantity: body.quantity,
        unitPriceCents,
        totalCents: body.total === undefined ? body.quantity * unitPriceCents : roundToCents(body.total),
        timestamp: deps.now(),
        status: 'pending',
      };
      if (key !== undefined) {
        const fingerprint = JSON.stringify([
          order.customerId,
          order.productId,
          order.quantity,
          unitPriceCents,
          body.total === undefined ? null : roundToCents(body.total),
        ]);
        const record = await store.control.reserveIdempotencyKey(key, order.orderId, fingerprint, deps.now());
        if (!record.created) {
          if (record.fingerprint !== fingerprint) {
            throw new HttpError(409, 'Idempotency-Key was already used for a different order');
          }
          const earlier = await waitFor(() => store.produced.produced(record.orderId), deps.statusWaitMs);
          if (earlier === undefined)
            throw new HttpError(409, 'a request with this Idempotency-Key is still in progress');
          void reply.header('idempotent-replayed', 'true');
          return reply
            .code(201)
            .header('location', `/api/orders/search/${earlier.orderId}`)
            .send({ success: true as const, data: orderDto(earlier) });
        }
        try {
          await produceOrders(deps.bus, store.produced, [order], trace);
        } catch (error) {
          await store.control.releaseIdempotencyKey(key, order.orderId).catch(() => undefined);
          throw error;
        }
      } else {
        await produceOrders(deps.bus, store.produced, [order], trace);
      }
      return reply
        .code(201)
        .header('location', `/api/orders/search/${order.orderId}`)
        .header('request-id', requestId)
        .send({ success: true as const, data: orderDto(order) });
    },
  );

  app.put(
    '/api/orders/:id/status',
    {
      ...deps.mutating.guard,
      links: {
        202: {
          GetStatusRequest: {
            operationId: 'getStatusRequest',
            parameters: { id: '$response.body#/data/request-id' },
            description: 'what became of this change',
          },
        },
      },
      schema: {
        operationId: 'changeOrderStatus',
        tags: ['orders'],
        summary:
          'Approve or deny a pending order; 200 once the registry applied it, 202 if still pending; 409 unless pending or while not registered yet',
        ...deps.mutating.schema,
        params: OrderIdParam,
        body: StatusChangeBody,
        response: {
          200: envelope(RegisteredOrderDto),
          202: {
            ...envelope(StatusRequestDto),
            headers: { location: Type.String({ description: 'the request: /api/status-requests/{request-id}' }) },
          },
          ...errorResponses(400, 404, 409, 413, 415, 503),
          ...deps.mutating.errors,
        },
      },
    },
    async (request, reply) => {
      const id = normaliseOrderId(request.params.id);
      const { status, reason } = request.body;
      const current = await store.registry.registered(id);
      if (current === undefined) {
        // Produced but not validated yet: a conflict with its state, not an unknown order.
        if ((await store.produced.produced(id)) !== undefined) {
          throw new HttpError(409, `order ${id} is not registered yet; try again in a moment`);
        }
        throw new HttpError(404, `order ${id} is not registered`);
      }
      if (current.status !== 'pending') throw new HttpError(409, `order is ${current.status}, not pending`);
      const requestId = deps.newId();
      const change = {
        orderId: id,
        newStatus: status,
        reason: reason ?? null,
        requestedAt: deps.now(),
        requestId,
        requestedBy: 'api',
      };
      // The registry processor is the only writer: publish the decision and let it apply it in order.
      await publishTraced(
        deps.bus,
        deps.tracing,
        TOPICS.registry,
        [{ key: id, value: encodeStatusChange(change) }],
        [{ parent: traceHeadersOf(request.headers) }],
      );
      const decided = await waitFor(() => store.registry.decision(requestId), deps.statusWaitMs);
      if (decided === undefined) {
        const location = `/api/status-requests/${requestId}`;
        return reply
          .code(202)
          .header('location', location)
          .send({
            success: true as const,
            data: { 'request-id': requestId, 'order-id': id, state: 'pending' as const, reason: null, location },
          });
      }
      if (!decided.applied) throw new HttpError(409, decided.reason ?? 'order is not pending');
      const updated = await store.registry.registered(id);
      if (updated === undefined) throw new HttpError(404, `order ${id} is not registered`);
      return reply.code(200).send({ success: true as const, data: registeredDto(updated) });
    },
  );

  app.get(
    '/api/status-requests/:id',
    {
      schema: {
        operationId: 'getStatusRequest',
        tags: ['orders'],
        summary: 'What became of a status change that answered 202',
        params: IdParam,
        response: { 200: envelope(StatusRequestDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const decided = await store.registry.decision(request.params.id);
      if (decided === undefined) throw new HttpError(404, `no decided status request ${request.params.id} (yet)`);
      return {
        success: true as const,
        data: {
          'request-id': decided.requestId,
          'order-id': decided.orderId,
          state: decided.applied ? ('applied' as const) : ('rejected' as const),
          reason: decided.reason,
          location: `/api/registered/${decided.orderId}`,
        },
      };
    },
  );

  async function currentGenerator(): Promise<Generator> {
    const stored = await store.control.generatorSettings();
    return stored === undefined
      ? deps.defaultGenerator
      : { 'order-rate': stored.orderRate, 'anomaly-rate': stored.anomalyRate };
  }

  app.get(
    '/api/generator',
    {
      schema: {
        operationId: 'getGenerator',
        tags: ['generator'],
        summary: 'The order generator settings',
        response: { 200: envelope(GeneratorDto), ...errorResponses(503) },
      },
    },
    async () => ({ success: true as const, data: await currentGenerator() }),
  );

  app.put(
    '/api/generator',
    {
      ...deps.mutating.guard,
      schema: {
        operationId: 'changeGenerator',
        tags: ['generator'],
        summary: 'Change the order rate and/or anomaly rate; the generator applies it within a second',
        ...deps.mutating.schema,
        body: GeneratorChange,
        response: { 200: envelope(GeneratorDto), ...errorResponses(400, 413, 415, 503), ...deps.mutating.errors },
      },
    },
    async (request) => {
      const next = { ...(await currentGenerator()), ...request.body };
      await store.control.saveGeneratorSettings({
        orderRate: next['order-rate'],
        anomalyRate: next['anomaly-rate'],
        updatedAt: deps.now(),
      });
      return { success: true as const, data: next };
    },
  );
}
