import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TOPICS,
  deadLetterId,
  deadLetterTopic,
  encodeOrder,
  silentLogger,
  type EventBus,
  type Order,
  type Store,
  type StoredMessage,
} from '@kafka-monitor/domain';
import { buildMonitor, type Monitor } from '@kafka-monitor/monitor';
import { createOrderProcessor } from '@kafka-monitor/order-processor';
import { publishTraced } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { createRecordingTracing, type RecordedSpan } from '@kafka-monitor/telemetry';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json } from '../api/harness.js';
import { readTopic } from '../helpers.js';

/** The bus and store a scenario runs on, opened with the pipeline's topics and schema. */
export interface TraceInfrastructure {
  readonly bus: EventBus;
  readonly store: Store;
  readonly busType: 'embedded' | 'kafka';
  close(): Promise<void>;
}

const QUERY = 'query-processor';
const REGISTRY = 'registry-processor';

function validOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: randomUUID(),
    customerId: 7,
    productId: 'PROD-002',
    quantity: 2,
    unitPriceCents: 1_000,
    totalCents: 2_000,
    timestamp: Date.now(),
    status: 'pending',
    ...overrides,
  };
}

const traceparent = (traceId: string, spanId: string): string => `00-${traceId}-${spanId}-01`;
const randomHex = (bytes: number): string =>
  randomUUID()
    .replaceAll('-', '')
    .slice(0, bytes * 2);

/** The one span matching name, kind and (for process spans) group among `spans`; fails when not exactly one. */
function only(spans: readonly RecordedSpan[], name: string, group?: string): RecordedSpan {
  const found = spans.filter(
    (s) => s.name === name && (group === undefined || s.attributes['messaging.consumer.group.name'] === group),
  );
  expect(found, `one '${name}' span${group === undefined ? '' : ` of ${group}`}`).toHaveLength(1);
  return found[0] as RecordedSpan;
}

/**
 * One order is one trace on the bus `open` gives: its send, both consumers' process spans as its
 * children, the validation result sent from the validation span, and the registration as a child of
 * that send; an HTTP request's traceparent is continued; a redriven dead letter links back to the
 * trace it was dead-lettered in. The same scenario runs on the embedded log and on Kafka.
 */
export function describeTraceScenario(name: string, open: () => Promise<TraceInfrastructure>): void {
  describe(`traces through the pipeline: ${name}`, () => {
    const recording = createRecordingTracing();
    const { tracing } = recording;
    let infrastructure: TraceInfrastructure;
    let monitor: Monitor;
    let base: string;
    const stops: (() => Promise<void>)[] = [];
    const inTrace = (traceId: string) => recording.spans().filter((s) => s.traceId === traceId);
    /** Waits until the trace holds `count` spans (process spans end once their effect is durable). */
    const settledTrace = (traceId: string, count: number) =>
      waitFor(
        `${count} spans in trace ${traceId}`,
        () => inTrace(traceId),
        (spans) => spans.length >= count,
        30_000,
      );
    async function storedMessage(topic: string, key: string): Promise<StoredMessage> {
      const messages = await readTopic(infrastructure.bus, topic);
      const found = messages.filter((m) => m.key === key);
      expect(found).toHaveLength(1);
      return found[0] as StoredMessage;
    }

    beforeAll(async () => {
      infrastructure = await open();
      const { bus, store } = infrastructure;
      const shared = {
        bus,
        control: store.control,
        instanceId: 'traces',
        logger: silentLogger,
        now: Date.now,
        tracing,
      };
      const query = createQueryProcessor({ ...shared, views: store.views });
      const registry = createRegistryProcessor({ ...shared, registry: store.registry });
      await query.start();
      await registry.start();
      stops.push(
        () => query.stop(),
        () => registry.stop(),
      );
      monitor = await buildMonitor({
        bus,
        store,
        now: Date.now,
        newId: randomUUID,
        options: { busType: infrastructure.busType, storeType: 'sqlite', feedPollMs: 20 },
        tracing,
      });
      base = await monitor.app.listen({ host: '127.0.0.1', port: 0 });
      stops.push(() => monitor.app.close());
    });

    afterAll(async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await infrastructure.close();
    });

    it('a generated order is one trace: send → view apply; send → validate → registry send → register', async () => {
      const { bus, store } = infrastructure;
      const generator = createOrderProcessor({
        bus,
        produced: store.produced,
        control: store.control,
        instanceId: 'traces',
        logger: silentLogger,
        now: Date.now,
        random: Math.random,
        newOrderId: randomUUID,
        settings: { orderRate: 0, anomalyRate: 0 },
        tracing,
      });
      const order = validOrder();
      await generator.produce([order]);
      const send = recording
        .spans()
        .find((s) => s.name === 'send orders' && s.attributes['messaging.kafka.message.key'] === order.orderId);
      expect(send).toBeDefined();
      const { traceId, spanId } = send as RecordedSpan;
      const spans = await settledTrace(traceId, 5);

      expect(send).toMatchObject({ kind: 'producer', parentSpanId: undefined, failed: false });
      const onLog = await storedMessage(TOPICS.orders, order.orderId);
      expect(onLog.headers.traceparent).toBe(traceparent(traceId, spanId));
      expect(send?.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': TOPICS.orders,
        'messaging.destination.partition.id': String(onLog.partition),
        'messaging.kafka.offset': onLog.offset,
        'messaging.kafka.message.key': order.orderId,
      });

      const viewApply = only(spans, 'process orders', QUERY);
      expect(viewApply).toMatchObject({ kind: 'consumer', parentSpanId: spanId, failed: false });
      expect(viewApply.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': TOPICS.orders,
        'messaging.destination.partition.id': String(onLog.partition),
        'messaging.kafka.offset': onLog.offset,
        'messaging.kafka.message.key': order.orderId,
        'messaging.consumer.group.name': QUERY,
      });
      const validate = only(spans, 'process orders', REGISTRY);
      expect(validate).toMatchObject({ kind: 'consumer', parentSpanId: spanId });
      const result = only(spans, 'send registry');
      expect(result).toMatchObject({ kind: 'producer', parentSpanId: validate.spanId });
      const register = only(spans, 'process registry', REGISTRY);
      expect(register).toMatchObject({ kind: 'consumer', parentSpanId: result.spanId, failed: false });
      expect(spans).toHaveLength(5);
      // The registry message carries the context of the send that produced it, on the log itself.
      const resultOnLog = await storedMessage(TOPICS.registry, order.orderId);
      expect(resultOnLog.headers.traceparent).toBe(traceparent(traceId, result.spanId));
      expect(await store.registry.registered(order.orderId)).toMatchObject({ status: 'accepted' });
    });

    it('POST /api/orders continues the request traceparent, and a decision continues its own', async () => {
      const traceId = randomHex(16);
      const callerSpan = randomHex(8);
      // Total and unit price disagree: the order waits for a decision.
      const created = await call(
        base,
        '/api/orders',
        json(
          'POST',
          { 'customer-id': 9, 'product-id': 'PROD-003', quantity: 2, 'unit-price': 10, total: 25 },
          { traceparent: traceparent(traceId, callerSpan), tracestate: 'vendor=opaque' },
        ),
      );
      expect(created.status).toBe(201);
      const orderId = created.body.data['order-id'] as string;
      const spans = await settledTrace(traceId, 5);
      const send = only(spans, 'send orders');
      expect(send).toMatchObject({ parentSpanId: callerSpan, kind: 'producer' });
      const onLog = await storedMessage(TOPICS.orders, orderId);
      expect(onLog.headers).toMatchObject({
        traceparent: traceparent(traceId, send.spanId),
        tracestate: 'vendor=opaque',
      });
      expect(only(spans, 'process orders', QUERY).parentSpanId).toBe(send.spanId);
      expect(only(spans, 'process registry', REGISTRY).parentSpanId).toBe(only(spans, 'send registry').spanId);
      await waitFor(
        'the order registered as pending',
        () => infrastructure.store.registry.registered(orderId),
        (r) => r?.status === 'pending',
        30_000,
      );

      const decisionTrace = randomHex(16);
      const decisionParent = randomHex(8);
      const decided = await call(
        base,
        `/api/orders/${orderId}/status`,
        json('PUT', { status: 'accepted' }, { traceparent: traceparent(decisionTrace, decisionParent) }),
      );
      expect([200, 202]).toContain(decided.status);
      const decision = await settledTrace(decisionTrace, 2);
      const decisionSend = only(decision, 'send registry');
      expect(decisionSend).toMatchObject({ kind: 'producer', parentSpanId: decisionParent });
      expect(only(decision, 'process registry', REGISTRY)).toMatchObject({
        parentSpanId: decisionSend.spanId,
        failed: false,
      });
    });

    it('a malformed traceparent starts a new trace instead of failing the request', async () => {
      const created = await call(
        base,
        '/api/orders',
        json(
          'POST',
          { 'customer-id': 9, 'product-id': 'PROD-003', quantity: 1, 'unit-price': 10 },
          { traceparent: 'not-a-trace-context' },
        ),
      );
      expect(created.status).toBe(201);
      const orderId = created.body.data['order-id'] as string;
      const send = await waitFor(
        'the send span of the posted order',
        () =>
          recording
            .spans()
            .find((s) => s.name === 'send orders' && s.attributes['messaging.kafka.message.key'] === orderId),
        (s) => s !== undefined,
      );
      expect(send?.parentSpanId).toBeUndefined();
      expect((await storedMessage(TOPICS.orders, orderId)).headers.traceparent).toMatch(
        new RegExp(`^00-${send?.traceId ?? 'x'}-[0-9a-f]{16}-01$`),
      );
    });

    it('a dead letter is sent in its message trace, and its redrive links back to that trace', async () => {
      const { bus, store } = infrastructure;
      const order = validOrder();
      const wordy = encodeOrder(order).replace(/"quantity":\s*\d+/, '"quantity": "two"');
      const [position] = await publishTraced(bus, tracing, TOPICS.orders, [{ key: order.orderId, value: wordy }]);
      if (position === undefined) throw new Error('no position');
      const original = only(
        recording.spans().filter((s) => s.attributes['messaging.kafka.message.key'] === order.orderId),
        'send orders',
      );
      // Both consumers dead-letter it, each from its own process span, all in the original trace.
      const spans = await settledTrace(original.traceId, 5);
      const processed = spans.filter((s) => s.name === 'process orders');
      expect(processed.map((s) => s.parentSpanId)).toEqual([original.spanId, original.spanId]);
      expect(processed.every((s) => s.failed && s.attributes['error.type'] === 'POISON_MESSAGE')).toBe(true);
      const deadLetterSends = spans.filter((s) => s.name === `send ${deadLetterTopic(TOPICS.orders)}`);
      expect(deadLetterSends.map((s) => s.parentSpanId).sort()).toEqual(processed.map((s) => s.spanId).sort());
      const onDeadLetterTopic = (await readTopic(bus, deadLetterTopic(TOPICS.orders))).filter(
        (m) => m.key === order.orderId,
      );
      expect(onDeadLetterTopic.map((m) => m.headers.traceparent).sort()).toEqual(
        deadLetterSends.map((s) => traceparent(original.traceId, s.spanId)).sort(),
      );

      const id = deadLetterId(position);
      await waitFor(
        `dead letter ${id} collected from both groups`,
        () => store.deadLetters.deadLetter(id),
        (letter) => letter?.groups.length === 2,
        30_000,
      );
      const redriven = await call(
        base,
        `/api/dead-letters/${id}/redrive`,
        json('POST', { payload: encodeOrder(order) }),
      );
      expect(redriven.status).toBe(200);
      const redrive = await waitFor(
        'the redrive send span',
        () =>
          recording
            .spans()
            .find(
              (s) =>
                s.name === 'send orders' &&
                s.attributes['messaging.kafka.message.key'] === order.orderId &&
                s.spanId !== original.spanId,
            ),
        (s) => s !== undefined,
      );
      if (redrive === undefined) throw new Error('no redrive span');
      // A new trace (no request context here) with a link to where the message was dead-lettered.
      expect(redrive.traceId).not.toBe(original.traceId);
      expect(redrive.parentSpanId).toBeUndefined();
      expect(redrive.links).toHaveLength(1);
      expect(redrive.links[0]?.traceId).toBe(original.traceId);
      expect(deadLetterSends.map((s) => s.spanId)).toContain(redrive.links[0]?.spanId);
      // The redriven order is processed in the redrive's trace.
      const after = await settledTrace(redrive.traceId, 5);
      expect(only(after, 'process orders', QUERY).parentSpanId).toBe(redrive.spanId);
      expect(only(after, 'process orders', REGISTRY).parentSpanId).toBe(redrive.spanId);
      await waitFor(
        'the redriven order registered',
        () => store.registry.registered(order.orderId),
        (r) => r !== undefined,
        30_000,
      );
    });
  });
}
