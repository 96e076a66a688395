import { averageQuantity, fromCents, orderToWire, toCents } from '@kafka-monitor/domain';
import type {
  CustomerView,
  DeadLetter,
  DeadLetterAction,
  Order,
  OrderStatus,
  ProductView,
  RegisteredOrder,
  StatusUpdate,
  TimelineEntry,
} from '@kafka-monitor/domain';
import type {
  CustomerDto,
  DeadLetterActionDto,
  DeadLetterDto,
  DeadLetterSummaryDto,
  OrderDto,
  ProductDto,
  RegisteredOrderDto,
  StatusUpdateDto,
  TimelineEntryDto,
} from '../contract.js';

/** Domain values to the kebab-case bodies of the API (money back to units). */
export const orderDto = (order: Order | TimelineEntry): OrderDto => orderToWire(order);

export const timelineDto = (entry: TimelineEntry, status: OrderStatus | undefined): TimelineEntryDto => ({
  ...orderDto(entry),
  status: status ?? entry.status,
  'order-status': entry.status,
  registered: status !== undefined,
});

export const customerDto = (c: CustomerView): CustomerDto => ({
  'customer-id': c.customerId,
  'total-orders': c.totalOrders,
  'total-spent': fromCents(c.totalSpentCents),
  'first-order-timestamp': c.firstOrderTimestamp,
  'last-order-id': c.lastOrderId,
  'last-order-timestamp': c.lastOrderTimestamp,
});

export const productDto = (p: ProductView): ProductDto => ({
  'product-id': p.productId,
  'total-quantity': p.totalQuantity,
  'total-revenue': fromCents(p.totalRevenueCents),
  'order-count': p.orderCount,
  'avg-quantity': averageQuantity(p),
  'last-order-timestamp': p.lastOrderTimestamp,
});

export const registeredDto = (r: RegisteredOrder): RegisteredOrderDto => ({
  ...orderDto(r.order),
  status: r.status,
  'order-status': r.order.status,
  'registered-at': r.registeredAt,
  'updated-at': r.updatedAt,
  version: r.version,
  'validation-passed': r.validationPassed,
  'failed-rules': r.failedRules.map((rule) => ({ 'rule-name': rule.ruleName, message: rule.message })),
});

export const statusUpdateDto = (u: StatusUpdate): StatusUpdateDto => ({
  'order-id': u.orderId,
  version: u.version,
  'previous-status': u.previousStatus,
  'new-status': u.newStatus,
  'updated-at': u.updatedAt,
  'update-reason': u.reason,
  'request-id': u.requestId,
  'requested-by': u.requestedBy,
});

/**
 * An amount of the API in cents: two-decimal amounts exactly (19.99 → 1999, whatever the binary
 * rounding of 19.99 × 100), any other to the nearest cent.
 */
export function roundToCents(amount: number): number {
  return toCents(amount) ?? Math.round(amount * 100);
}

/** `limit` as the API promises: default when absent, clamped to 1…1000. */
export function clampLimit(limit: number | undefined, fallback: number): number {
  return Math.min(1_000, Math.max(1, limit ?? fallback));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An order id as stored: a UUID in its canonical lower-case form (UUIDs are case-insensitive and
 * producers emit them lower-case), any other id as given.
 */
export function normaliseOrderId(value: string): string {
  return UUID.test(value) ? value.toLowerCase() : value;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const PREVIEW_CHARS = 200;

/** The payload as text when it is valid UTF-8, else as base64, so any bytes survive the JSON body. */
export function payloadText(value: Uint8Array): { payload: string; encoding: 'utf-8' | 'base64' } {
  try {
    return { payload: strictUtf8.decode(value), encoding: 'utf-8' };
  } catch {
    return { payload: Buffer.from(value).toString('base64'), encoding: 'base64' };
  }
}

export const deadLetterSummaryDto = (l: DeadLetter): DeadLetterSummaryDto => ({
  id: l.id,
  topic: l.topic,
  partition: l.partition,
  offset: l.offset,
  key: l.key,
  reason: l.reason,
  groups: [...l.groups],
  'failed-at': l.failedAt,
  status: l.status,
  'updated-at': l.updatedAt,
  'payload-preview': payloadText(l.value).payload.slice(0, PREVIEW_CHARS),
  'payload-bytes': l.value.byteLength,
});

export const deadLetterActionDto = (a: DeadLetterAction): DeadLetterActionDto => ({
  action: a.action,
  at: a.at,
  actor: a.actor,
  note: a.note,
  'edited-payload': a.editedPayload,
  'redriven-to': a.redrivenTo && { ...a.redrivenTo },
});

export function deadLetterDto(l: DeadLetter, actions: readonly DeadLetterAction[]): DeadLetterDto {
  const { payload, encoding } = payloadText(l.value);
  return {
    ...deadLetterSummaryDto(l),
    payload,
    'payload-encoding': encoding,
    headers: { ...l.headers },
    actions: actions.map(deadLetterActionDto),
  };
}
