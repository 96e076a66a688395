import {
  orderFromWire,
  orderToWire,
  isPlainObject,
  parseJson,
  type Decoded,
  type OrderWire,
} from '../orders/order-codec.js';
import { fromCents } from '../orders/money.js';
import type { Order } from '../orders/order.js';
import { isDecisionStatus, type StatusChange } from '../registry/registered-order.js';
import type { RuleResult } from '../validation/rules.js';
import type { ValidationResult } from '../validation/validate-order.js';

export interface ValidationMessage {
  readonly kind: 'validation';
  readonly order: Order;
  readonly result: ValidationResult;
  readonly timestamp: number;
}

export interface StatusChangeMessage {
  readonly kind: 'status-change';
  readonly change: StatusChange;
}

export type RegistryMessage = ValidationMessage | StatusChangeMessage;

interface RuleResultWire {
  'rule-name': string;
  passed: boolean;
  message: string | null;
}

/** A validation message as its wire object: the shape `encodeValidationMessage` writes as text. */
export interface ValidationMessageWire {
  order: OrderWire;
  'validation-result': { 'order-id': string; passed: boolean; rules: RuleResultWire[]; message: string | null };
  timestamp: number;
}

export function validationMessageWire(
  order: Order,
  result: ValidationResult,
  timestamp: number,
): ValidationMessageWire {
  return {
    order: orderToWire(order),
    'validation-result': {
      'order-id': result.orderId,
      passed: result.passed,
      rules: result.rules.map((r) => ({ 'rule-name': r.ruleName, passed: r.passed, message: r.message })),
      message: result.message,
    },
    timestamp,
  };
}

/** JSON text of a string, number or null: the only values a validation message holds besides booleans. */
const json = JSON.stringify as (value: string | number | null) => string;

/**
 * Writes the message as text directly: every order passes through here, and assembling the wire
 * object first and then serialising it takes about a quarter longer (scripts/bench/codec.ts). The
 * tests compare the output byte for byte with `JSON.stringify(validationMessageWire(…))`.
 */
export function encodeValidationMessage(order: Order, result: ValidationResult, timestamp: number): string {
  let rules = '';
  for (const r of result.rules) {
    rules += `${rules === '' ? '' : ','}{"rule-name":${json(r.ruleName)},"passed":${r.passed},"message":${json(r.message)}}`;
  }
  return (
    `{"order":{"order-id":${json(order.orderId)},"customer-id":${json(order.customerId)},` +
    `"product-id":${json(order.productId)},"quantity":${json(order.quantity)},` +
    `"unit-price":${json(fromCents(order.unitPriceCents))},"total":${json(fromCents(order.totalCents))},` +
    `"timestamp":${json(order.timestamp)},"status":${json(order.status)}},` +
    `"validation-result":{"order-id":${json(result.orderId)},"passed":${result.passed},"rules":[${rules}],` +
    `"message":${json(result.message)}},"timestamp":${json(timestamp)}}`
  );
}

export function encodeStatusChange(change: StatusChange): string {
  return JSON.stringify({
    type: 'status-change',
    'order-id': change.orderId,
    'new-status': change.newStatus,
    reason: change.reason,
    'requested-at': change.requestedAt,
    'request-id': change.requestId,
    'requested-by': change.requestedBy,
  });
}

const fail = (reason: string): Decoded<never> => ({ ok: false, reason });

function decodeRules(value: unknown): Decoded<RuleResult[]> {
  if (!Array.isArray(value)) return fail("'validation-result.rules' must be an array");
  const rules: RuleResult[] = [];
  for (const item of value) {
    if (
      !isPlainObject(item) ||
      typeof item['rule-name'] !== 'string' ||
      typeof item.passed !== 'boolean' ||
      !(typeof item.message === 'string' || item.message === null || item.message === undefined)
    ) {
      return fail("each rule needs 'rule-name' (string), 'passed' (boolean) and 'message' (string or null)");
    }
    rules.push({ ruleName: item['rule-name'], passed: item.passed, message: item.message ?? null });
  }
  return { ok: true, value: rules };
}

function decodeValidation(body: Record<string, unknown>): Decoded<RegistryMessage> {
  const order = orderFromWire(body.order);
  if (!order.ok) return fail(`order: ${order.reason}`);
  const result = body['validation-result'];
  if (!isPlainObject(result)) return fail("'validation-result' must be an object");
  if (typeof result.passed !== 'boolean') return fail("'validation-result.passed' must be a boolean");
  const rules = decodeRules(result.rules);
  if (!rules.ok) return rules;
  const message = typeof result.message === 'string' ? result.message : null;
  const timestamp =
    typeof body.timestamp === 'number' && Number.isFinite(body.timestamp) ? body.timestamp : order.value.timestamp;
  return {
    ok: true,
    value: {
      kind: 'validation',
      order: order.value,
      result: { orderId: order.value.orderId, passed: result.passed, rules: rules.value, message },
      timestamp,
    },
  };
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function decodeStatusChange(body: Record<string, unknown>): Decoded<RegistryMessage> {
  const orderId = body['order-id'];
  const newStatus = body['new-status'];
  const requestedAt = body['requested-at'];
  const requestId = body['request-id'];
  if (typeof orderId !== 'string' || orderId.length === 0) return fail("'order-id' must be a non-empty string");
  if (!isDecisionStatus(newStatus)) return fail("'new-status' must be 'accepted' or 'denied'");
  if (typeof requestId !== 'string' || requestId.length === 0) return fail("'request-id' must be a non-empty string");
  if (typeof requestedAt !== 'number' || !Number.isFinite(requestedAt)) return fail("'requested-at' must be epoch ms");
  return {
    ok: true,
    value: {
      kind: 'status-change',
      change: {
        orderId,
        newStatus,
        reason: optionalString(body.reason),
        requestedAt,
        requestId,
        requestedBy: optionalString(body['requested-by']),
      },
    },
  };
}

/** A message with an `order` key is a validation result (original format); `type: status-change` is a decision. */
export function decodeRegistryMessage(text: string): Decoded<RegistryMessage> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (!isPlainObject(body)) return fail('registry message must be a JSON object');
  if ('order' in body) return decodeValidation(body);
  if (body.type === 'status-change') return decodeStatusChange(body);
  return fail("neither a validation result (no 'order' key) nor a status change (no type 'status-change')");
}
