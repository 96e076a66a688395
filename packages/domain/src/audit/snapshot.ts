import type { RegistryMessage } from '../messages/registry-message.js';
import { isOrderStatus, type Order } from '../orders/order.js';
import { registryStatusOf } from '../validation/validate-order.js';
import type { RegistryFold } from './registry-fold.js';
import type { ViewsFold } from './views-fold.js';

/**
 * What a topic's snapshot keeps of one message before retention deletes it. The log keeps the first
 * entry of each key and ignores later ones, so the folds below see, from the snapshot, exactly the
 * messages that changed them, in log order: a replayed order or validation and a repeated request id
 * change nothing, in the fold as in the stores.
 */
export interface SnapshotRecord {
  readonly key: string;
  readonly value: string;
}

type OrderTuple = [string, number, string, number, number, number, number, string];

const orderTuple = (o: Order): OrderTuple => [
  o.orderId,
  o.customerId,
  o.productId,
  o.quantity,
  o.unitPriceCents,
  o.totalCents,
  o.timestamp,
  o.status,
];

function orderOfTuple(t: unknown): Order | undefined {
  if (!Array.isArray(t) || t.length !== 8) return undefined;
  const [orderId, customerId, productId, quantity, unitPriceCents, totalCents, timestamp, status] = t as unknown[];
  if (
    typeof orderId !== 'string' ||
    typeof customerId !== 'number' ||
    typeof productId !== 'string' ||
    typeof quantity !== 'number' ||
    typeof unitPriceCents !== 'number' ||
    typeof totalCents !== 'number' ||
    typeof timestamp !== 'number' ||
    typeof status !== 'string'
  ) {
    return undefined;
  }
  return { orderId, customerId, productId, quantity, unitPriceCents, totalCents, timestamp, status };
}

function parse(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * An order of the `orders` log in the views' snapshot: keyed by its id (the first occurrence counts,
 * as in `recomputeViews`), all eight fields as one JSON array, so the views, the timeline and the
 * counted ids can all be recomputed from it.
 */
export function orderSnapshotRecord(order: Order): SnapshotRecord {
  return { key: order.orderId, value: JSON.stringify(orderTuple(order)) };
}

export function orderOfSnapshot(value: string): Order | undefined {
  return orderOfTuple(parse(value));
}

/**
 * A message of the `registry` log in the registry's snapshot: a validation by its order id (the
 * first registers), kept as the order with the status its rules gave and whether it passed; a status
 * change by its request id (decided once), kept as the order id and the new status.
 */
export function registrySnapshotRecord(message: RegistryMessage): SnapshotRecord {
  if (message.kind === 'validation') {
    return {
      key: `v ${message.order.orderId}`,
      value: JSON.stringify([
        'v',
        orderTuple(message.order),
        registryStatusOf(message.result),
        message.result.passed ? 1 : 0,
      ]),
    };
  }
  const { change } = message;
  return {
    key: `c ${change.requestId}`,
    value: JSON.stringify(['c', change.requestId, change.orderId, change.newStatus]),
  };
}

/** Folds one order of the views' snapshot; false when the value is not one (the fold is unchanged). */
export function addOrderSnapshot(fold: Pick<ViewsFold, 'add'>, value: string): boolean {
  const order = orderOfSnapshot(value);
  if (order === undefined) return false;
  fold.add(order);
  return true;
}

/** Folds one entry of the registry's snapshot; false when the value is not one (the fold is unchanged). */
export function addRegistrySnapshot(fold: Pick<RegistryFold, 'register' | 'decide'>, value: string): boolean {
  const entry = parse(value);
  if (!Array.isArray(entry)) return false;
  const [kind, a, b, c] = entry as unknown[];
  if (kind === 'v') {
    const order = orderOfTuple(a);
    if (order === undefined || !isOrderStatus(b) || (c !== 0 && c !== 1)) return false;
    fold.register(order, b, c === 1);
    return true;
  }
  if (kind === 'c' && typeof a === 'string' && typeof b === 'string' && isOrderStatus(c)) {
    fold.decide(a, b, c);
    return true;
  }
  return false;
}
