import { TOPICS, encodeOrder } from '@kafka-monitor/domain';
import type { EventBus, Order, ProducedOrderStore } from '@kafka-monitor/domain';

/**
 * The one path every order takes onto the log, generated or posted: publish to `orders` keyed by order
 * id, then record it as produced once the log acknowledged it.
 */
export async function produceOrders(
  bus: EventBus,
  produced: ProducedOrderStore,
  orders: readonly Order[],
): Promise<void> {
  if (orders.length === 0) return;
  await bus.publish(
    TOPICS.orders,
    orders.map((order) => ({ key: order.orderId, value: encodeOrder(order) })),
  );
  await produced.saveProduced(orders);
}
