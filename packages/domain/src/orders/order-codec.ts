import { DEAD_LETTER_REASONS } from '../messages/dead-letter-reason.js';
import { MAX_MONEY, fromCents, toCents } from './money.js';
import type { Order } from './order.js';

/** The JSON object on the `orders` topic, exactly as the original system wrote it. */
export interface OrderWire {
  'order-id': string;
  'customer-id': number;
  'product-id': string;
  quantity: number;
  'unit-price': number;
  total: number;
  timestamp: number;
  status: string;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const MAX_ID_LENGTH = 256;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Latest instant a JavaScript Date can hold; later timestamps cannot be shown or stored. */
const MAX_TIMESTAMP = 8.64e15;

export function orderToWire(order: Order): OrderWire {
  return {
    'order-id': order.orderId,
    'customer-id': order.customerId,
    'product-id': order.productId,
    quantity: order.quantity,
    'unit-price': fromCents(order.unitPriceCents),
    total: fromCents(order.totalCents),
    timestamp: order.timestamp,
    status: order.status,
  };
}

export function encodeOrder(order: Order): string {
  return JSON.stringify(orderToWire(order));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON without throwing; the reason names what is wrong for the dead-letter record. */
export function parseJson(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `${DEAD_LETTER_REASONS.notJsonPrefix}${(error as Error).message}` };
  }
}

type Check<T> = Decoded<T>;
const fail = (reason: string): Check<never> => ({ ok: false, reason });

function checkInt32(body: Record<string, unknown>, key: string): Check<number> {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`'${key}' must be an integer`);
  if (value < INT32_MIN || value > INT32_MAX) return fail(`'${key}' is out of the 32-bit integer range`);
  return { ok: true, value };
}

function checkMoney(body: Record<string, unknown>, key: string): Check<number> {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`'${key}' must be a number`);
  if (Math.abs(value) > MAX_MONEY) return fail(`'${key}' exceeds ${MAX_MONEY}`);
  const cents = toCents(value);
  return cents === undefined ? fail(`'${key}' must have at most 2 decimals`) : { ok: true, value: cents };
}

function checkString(body: Record<string, unknown>, key: string, allowEmpty: boolean): Check<string> {
  const value = body[key];
  if (typeof value !== 'string') return fail(`'${key}' must be a string`);
  if (!allowEmpty && value.length === 0) return fail(`'${key}' must not be empty`);
  if (value.length > MAX_ID_LENGTH) return fail(`'${key}' is longer than ${MAX_ID_LENGTH} characters`);
  return { ok: true, value };
}

function checkTimestamp(body: Record<string, unknown>): Check<number> {
  const value = body.timestamp;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_TIMESTAMP) {
    return fail(`'timestamp' must be a positive integer of epoch milliseconds`);
  }
  return { ok: true, value };
}

/**
 * Checks the shape of section 3: every key present with its JSON type and within storable bounds.
 * Business ranges (quantity ≥ 1, customer id > 0, …) are not shape: the eight rules judge them, so an
 * order breaking one is still a valid message that gets validated, denied or reviewed.
 */
export function orderFromWire(body: unknown): Decoded<Order> {
  if (!isPlainObject(body)) return fail('order must be a JSON object');
  const orderId = checkString(body, 'order-id', false);
  const customerId = checkInt32(body, 'customer-id');
  const productId = checkString(body, 'product-id', true);
  const quantity = checkInt32(body, 'quantity');
  const unitPrice = checkMoney(body, 'unit-price');
  const total = checkMoney(body, 'total');
  const timestamp = checkTimestamp(body);
  const status = checkString(body, 'status', true);
  if (
    orderId.ok &&
    customerId.ok &&
    productId.ok &&
    quantity.ok &&
    unitPrice.ok &&
    total.ok &&
    timestamp.ok &&
    status.ok
  ) {
    return {
      ok: true,
      value: {
        orderId: orderId.value,
        customerId: customerId.value,
        productId: productId.value,
        quantity: quantity.value,
        unitPriceCents: unitPrice.value,
        totalCents: total.value,
        timestamp: timestamp.value,
        status: status.value,
      },
    };
  }
  const checks: Check<unknown>[] = [orderId, customerId, productId, quantity, unitPrice, total, timestamp, status];
  return fail(checks.flatMap((c) => (c.ok ? [] : [c.reason])).join('; '));
}

export function decodeOrder(text: string): Decoded<Order> {
  const parsed = parseJson(text);
  return parsed.ok ? orderFromWire(parsed.value) : parsed;
}
