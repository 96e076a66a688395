import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, encodeStatusChange, isDecisionStatus, toCents } from '@kafka-monitor/domain';
import type { EventBus, MessageTracing, Order, Store } from '@kafka-monitor/domain';
import { produceOrders, publishTraced } from '@kafka-monitor/pipeline';
import { Type } from 'typebox';
import {
  GeneratorChange,
  GeneratorDto,
  IdParam,
  NewOrderBody,
  OrderDto,
  RegisteredOrderDto,
  StatusChangeBody,
  StatusRequestDto,
  envelope,
  type GeneratorDto as Generator,
} from '../../contract.js';
import { ErrorBody } from '../../contract.js';
import { ERRORS, HttpError, type MonitorApp } from '../app-types.js';
import { orderDto, registeredDto } from '../dto.js';
import { traceHeadersOf } from '../trace-headers.js';

export interface CommandRouteDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  readonly newId: () => string;
  /** How long a status change may take to be applied before the call answers 202. */
  readonly statusWaitMs: number;
  readonly defaultGenerator: Generator;
  /** Guards mutating routes (auth, rate limit); applied as a preHandler. */
  readonly mutating: { preHandler: NonNullable<Parameters<MonitorApp['route']>[0]['preHandler']>; config: object };
  /** Sends orders and decisions under spans that continue the request's `traceparent`. */
  readonly tracing: MessageTracing;
}

const POLL_MS = 20;
const MAX_IDEMPOTENCY_KEY = 200;

interface SchemaIssue {
  readonly instancePath: string;
  readonly params: unknown;
  readonly message?: string;
}

/** Per-field messages for the new-order body, from the schema's errors plus the money rules. */
function orderFieldErrors(body: unknown, validation: readonly SchemaIssue[]) {
  const errors: Record<string, string> = {};
  for (const issue of validation) {
    const missing = (issue.params as { missingProperty?: string }).missingProperty;
    const field = missing ?? issue.instancePath.replace(/^\//, '');
    const name = field === '' ? 'body' : field;
    errors[name] ??= missing === undefined ? (issue.message ?? 'is invalid') : 'is required';
  }
  if (typeof body === 'object' && body !== null) {
    for (const field of ['unit-price', 'total'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'number' && errors[field] === undefined && toCents(value) === undefined) {
        errors[field] = 'must have at most 2 decimals';
      }
    }
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
      preHandler: deps.mutating.preHandler,
      config: deps.mutating.config,
      schema: {
        tags: ['orders'],
        summary: 'Create an order; 201 once the log acknowledged it. Honours Idempotency-Key.',
        body: NewOrderBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        response: { 201: envelope(OrderDto), 409: ErrorBody, ...ERRORS },
      },
    },
    async (request, reply) => {
      const issues = (request.validationError?.validation ?? []) as readonly SchemaIssue[];
      const errors = orderFieldErrors(request.body, issues);
      if (Object.keys(errors).length > 0) throw new HttpError(400, 'invalid order', errors);
      const body = request.body;
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)) {
        throw new HttpError(400, `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
      }
      const trace = { tracing: deps.tracing, parent: traceHeadersOf(request.headers) };
      const unitPriceCents = toCents(body['unit-price']) ?? 0;
      const order: Order = {
        orderId: deps.newId(),
        customerId: body['customer-id'],
        productId: body['product-id'],
        quantity: body.quantity,
        unitPriceCents,
        totalCents: body.total === undefined ? body.quantity * unitPriceCents : (toCents(body.total) ?? 0),
        timestamp: deps.now(),
        status: 'pending',
      };
      if (key !== undefined) {
        const fingerprint = JSON.stringify([
          order.customerId,
          order.productId,
          order.quantity,
          unitPriceCents,
          body.total ?? null,
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
        .send({ success: true as const, data: orderDto(order) });
    },
  );

  app.put(
    '/api/orders/:id/status',
    {
      preHandler: deps.mutating.preHandler,
      config: deps.mutating.config,
      schema: {
        tags: ['orders'],
        summary: 'Approve or deny a pending order; 200 once the registry applied it, 202 if still pending',
        params: IdParam,
        body: StatusChangeBody,
        response: { 200: envelope(RegisteredOrderDto), 202: envelope(StatusRequestDto), 409: ErrorBody, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { status, reason } = request.body;
      if (!isDecisionStatus(status)) throw new HttpError(400, `status must be 'accepted' or 'denied', got '${status}'`);
      const current = await store.registry.registered(id);
      if (current === undefined) throw new HttpError(404, `order ${id} is not registered`);
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
        tags: ['orders'],
        summary: 'What became of a status change that answered 202',
        params: IdParam,
        response: { 200: envelope(StatusRequestDto), ...ERRORS },
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
        tags: ['generator'],
        summary: 'The order generator settings',
        response: { 200: envelope(GeneratorDto), ...ERRORS },
      },
    },
    async () => ({ success: true as const, data: await currentGenerator() }),
  );

  app.put(
    '/api/generator',
    {
      preHandler: deps.mutating.preHandler,
      config: deps.mutating.config,
      schema: {
        tags: ['generator'],
        summary: 'Change the order rate and/or anomaly rate; the generator applies it within a second',
        body: GeneratorChange,
        response: { 200: envelope(GeneratorDto), ...ERRORS },
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
