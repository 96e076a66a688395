import { REQUEST_ID_HEADER, TOPICS, encodeOrder, noMessageTracing } from '@kafka-monitor/domain';
import type { EventBus, MessageTracing, Order, ProducedOrderStore, TraceHeaders } from '@kafka-monitor/domain';
import { publishTraced } from './publish-traced.js';

export interface ProduceOrdersTracing {
  readonly tracing: MessageTracing;
  /** The context the orders continue (an HTTP request's `traceparent`); each order starts a trace otherwise. */
  readonly parent?: TraceHeaders | undefined;
  /** The API request that posted the orders, carried in a header so the order's journey can name it. */
  readonly requestId?: string | undefined;
}

/**
 * The one path every order takes onto the log, generated or posted: publish to `orders` keyed by order
 * id, then record it as produced once the log acknowledged it. Each order is sent under its own span,
 * so each order is one trace.
 */
export async function produceOrders(
  bus: EventBus,
  produced: ProducedOrderStore,
  orders: readonly Order[],
  { tracing, parent, requestId }: ProduceOrdersTracing = { tracing: noMessageTracing },
): Promise<void> {
  if (orders.length === 0) return;
  await publishTraced(
    bus,
    tracing,
    TOPICS.orders,
    orders.map((order) => ({
      key: order.orderId,
      value: encodeOrder(order),
      ...(requestId === undefined ? {} : { headers: { [REQUEST_ID_HEADER]: requestId } }),
    })),
    parent === undefined ? [] : orders.map(() => ({ parent })),
  );
  await produced.saveProduced(orders);
}
