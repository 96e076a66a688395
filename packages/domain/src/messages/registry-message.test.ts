import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import type { StatusChange } from '../registry/registered-order.js';
import { validateOrder, type ValidationResult } from '../validation/validate-order.js';
import {
  decodeRegistryMessage,
  encodeStatusChange,
  encodeValidationMessage,
  validationMessageWire,
  type RegistryMessage,
} from './registry-message.js';

const VALIDATED_AT = 1_700_000_002_000;

function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'order-1',
    customerId: 7,
    productId: 'PROD-001',
    quantity: 2,
    unitPriceCents: 1_050,
    totalCents: 2_100,
    timestamp: 1_700_000_000_000,
    status: 'pending',
    ...overrides,
  };
}

function makeChange(overrides: Partial<StatusChange> = {}): StatusChange {
  return {
    orderId: 'order-1',
    newStatus: 'denied',
    reason: 'customer called',
    requestedAt: 1_700_000_003_000,
    requestId: 'req-42',
    requestedBy: 'alice',
    ...overrides,
  };
}

function decoded(text: string): RegistryMessage {
  const result = decodeRegistryMessage(text);
  if (!result.ok) throw new Error(`expected a registry message, got: ${result.reason}`);
  return result.value;
}

function reasonOf(input: unknown): string {
  const result = decodeRegistryMessage(typeof input === 'string' ? input : JSON.stringify(input));
  if (result.ok) throw new Error(`expected a decode error, got ${JSON.stringify(result.value)}`);
  return result.reason;
}

/** A validation message body as JSON, with parts replaced. */
function validationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const order = makeOrder();
  return {
    ...(JSON.parse(encodeValidationMessage(order, validateOrder(order), VALIDATED_AT)) as object),
    ...overrides,
  };
}

describe('encodeValidationMessage', () => {
  /** The wire object of the message serialised as a whole: what the direct encoder must write. */
  const reference = (order: Order, result: ValidationResult, timestamp: number): string =>
    JSON.stringify(validationMessageWire(order, result, timestamp));

  it('writes byte for byte what serialising the wire object writes, whatever the texts and numbers', () => {
    // Full Unicode, quotes, backslashes, control characters and lone surrogates in every text.
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const anyNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.maxSafeInteger());
    const order: fc.Arbitrary<Order> = fc.record({
      orderId: text,
      customerId: fc.integer(),
      productId: text,
      quantity: fc.integer(),
      unitPriceCents: anyNumber,
      totalCents: anyNumber,
      timestamp: fc.maxSafeNat(),
      status: text,
    });
    const result: fc.Arbitrary<ValidationResult> = fc.record({
      orderId: text,
      passed: fc.boolean(),
      rules: fc.array(fc.record({ ruleName: text, passed: fc.boolean(), message: fc.option(text, { nil: null }) }), {
        maxLength: 9,
      }),
      message: fc.option(text, { nil: null }),
    });
    fc.assert(
      fc.property(order, result, fc.maxSafeNat(), (o, r, at) => {
        expect(encodeValidationMessage(o, r, at)).toBe(reference(o, r, at));
      }),
      { numRuns: 2_000 },
    );
    const real = makeOrder({ orderId: 'x"\\\u2028', productId: 'PROD-\u0000', quantity: 0 });
    expect(encodeValidationMessage(real, validateOrder(real), VALIDATED_AT)).toBe(
      reference(real, validateOrder(real), VALIDATED_AT),
    );
  });

  it('Given a passing result, then the JSON uses the kebab-case keys of the original', () => {
    const order = makeOrder();
    const body = JSON.parse(encodeValidationMessage(order, validateOrder(order), VALIDATED_AT)) as Record<
      string,
      unknown
    >;
    expect(Object.keys(body)).toEqual(['order', 'validation-result', 'timestamp']);
    expect(body.timestamp).toBe(VALIDATED_AT);
    expect(body.order).toStrictEqual({
      'order-id': 'order-1',
      'customer-id': 7,
      'product-id': 'PROD-001',
      quantity: 2,
      'unit-price': 10.5,
      total: 21,
      timestamp: 1_700_000_000_000,
      status: 'pending',
    });
    const result = body['validation-result'] as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['order-id', 'passed', 'rules', 'message']);
    expect(result['order-id']).toBe('order-1');
    expect(result.passed).toBe(true);
    expect(result.message).toBeNull();
    const rules = result.rules as Record<string, unknown>[];
    expect(rules).toHaveLength(8);
    expect(rules[0]).toStrictEqual({ 'rule-name': 'minimum-quantity', passed: true, message: null });
    for (const rule of rules) expect(Object.keys(rule)).toEqual(['rule-name', 'passed', 'message']);
  });

  it('Given a failing result, then failed rules carry their messages and the result its summary', () => {
    const order = makeOrder({ totalCents: 2_500 });
    const body = JSON.parse(encodeValidationMessage(order, validateOrder(order), VALIDATED_AT)) as {
      'validation-result': {
        passed: boolean;
        message: string;
        rules: { 'rule-name': string; message: string | null }[];
      };
    };
    expect(body['validation-result'].passed).toBe(false);
    expect(body['validation-result'].message).toBe('Validation failed: Total mismatch. Expected: $21.0, got: $25.0');
    expect(body['validation-result'].rules[4]).toStrictEqual({
      'rule-name': 'price-consistency',
      passed: false,
      message: 'Total mismatch. Expected: $21.0, got: $25.0',
    });
  });
});

describe('encodeStatusChange', () => {
  it('writes a typed object without an order key, with kebab-case keys', () => {
    expect(JSON.parse(encodeStatusChange(makeChange()))).toStrictEqual({
      type: 'status-change',
      'order-id': 'order-1',
      'new-status': 'denied',
      reason: 'customer called',
      'requested-at': 1_700_000_003_000,
      'request-id': 'req-42',
      'requested-by': 'alice',
    });
  });

  it('writes absent reason and requester as null', () => {
    const body = JSON.parse(encodeStatusChange(makeChange({ reason: null, requestedBy: null }))) as Record<
      string,
      unknown
    >;
    expect(body.reason).toBeNull();
    expect(body['requested-by']).toBeNull();
    expect('order' in body).toBe(false);
  });
});

describe('decodeRegistryMessage round trips', () => {
  it.each([
    ['a passing order', makeOrder()],
    ['a review order', makeOrder({ totalCents: 2_500 })],
    ['a denied order', makeOrder({ quantity: 0, status: 'shipped', customerId: -1, productId: '' })],
  ])('Given a validation result for %s, then it decodes to the same order, result and timestamp', (_label, order) => {
    const result = validateOrder(order);
    expect(decoded(encodeValidationMessage(order, result, VALIDATED_AT))).toStrictEqual({
      kind: 'validation',
      order,
      result,
      timestamp: VALIDATED_AT,
    });
  });

  it.each([
    ['with reason and requester', makeChange()],
    ['without reason or requester', makeChange({ newStatus: 'accepted', reason: null, requestedBy: null })],
  ])('Given a status change %s, then it decodes to the same change', (_label, change) => {
    expect(decoded(encodeStatusChange(change))).toStrictEqual({ kind: 'status-change', change });
  });
});

describe('decodeRegistryMessage leniency (messages of the original system)', () => {
  it('Given no timestamp, then the order timestamp is used', () => {
    const body = validationBody();
    delete body.timestamp;
    expect(decoded(JSON.stringify(body))).toMatchObject({ kind: 'validation', timestamp: 1_700_000_000_000 });
  });

  it('Given a non-numeric timestamp, then the order timestamp is used', () => {
    expect(decoded(JSON.stringify(validationBody({ timestamp: 'yesterday' })))).toMatchObject({
      timestamp: 1_700_000_000_000,
    });
  });

  it('Given rules without a message key, then their message is null', () => {
    const body = validationBody({
      'validation-result': {
        'order-id': 'order-1',
        passed: true,
        rules: [{ 'rule-name': 'minimum-quantity', passed: true }],
      },
    });
    const message = decoded(JSON.stringify(body));
    expect(message.kind === 'validation' && message.result).toStrictEqual({
      orderId: 'order-1',
      passed: true,
      rules: [{ ruleName: 'minimum-quantity', passed: true, message: null }],
      message: null,
    });
  });

  it('Given a result whose order-id disagrees, then the order id of the order is used', () => {
    const body = validationBody({
      'validation-result': { 'order-id': 'other', passed: true, rules: [], message: null },
    });
    const message = decoded(JSON.stringify(body));
    expect(message.kind === 'validation' && message.result.orderId).toBe('order-1');
  });

  it('Given a status change with a non-string reason or requester, then they are read as null', () => {
    const text = JSON.stringify({ ...JSON.parse(encodeStatusChange(makeChange())), reason: 5, 'requested-by': false });
    expect(decoded(text)).toStrictEqual({
      kind: 'status-change',
      change: makeChange({ reason: null, requestedBy: null }),
    });
  });

  it('Given both an order key and a status-change type, then the order key wins (original format)', () => {
    expect(decoded(JSON.stringify(validationBody({ type: 'status-change' }))).kind).toBe('validation');
  });
});

describe('decodeRegistryMessage errors', () => {
  it('Given text that is not JSON, then it says so', () => {
    expect(reasonOf('{oops')).toMatch(/^not JSON: /);
  });

  it.each([['[]'], ['null'], ['"hello"'], ['12']])('Given the JSON value %s, then it must be an object', (text) => {
    expect(reasonOf(text)).toBe('registry message must be a JSON object');
  });

  it('Given an object that is neither kind, then it says what was expected', () => {
    expect(reasonOf({ 'order-id': 'x' })).toBe(
      "neither a validation result (no 'order' key) nor a status change (no type 'status-change')",
    );
    expect(reasonOf({ type: 'something-else' })).toContain('neither a validation result');
  });

  it('Given a malformed order, then the reason is prefixed with order:', () => {
    expect(reasonOf(validationBody({ order: null }))).toBe('order: order must be a JSON object');
    const body = validationBody();
    const order = body.order as Record<string, unknown>;
    expect(reasonOf({ ...body, order: { ...order, quantity: 'two' } })).toBe("order: 'quantity' must be an integer");
  });

  it.each([
    ['missing', undefined],
    ['an array', []],
    ['a string', 'passed'],
  ])('Given a validation-result that is %s, then it must be an object', (_label, value) => {
    expect(reasonOf(validationBody({ 'validation-result': value }))).toBe("'validation-result' must be an object");
  });

  it('Given passed that is not a boolean, then it says so', () => {
    expect(reasonOf(validationBody({ 'validation-result': { passed: 'true', rules: [] } }))).toBe(
      "'validation-result.passed' must be a boolean",
    );
  });

  it('Given rules that are not an array, then it says so', () => {
    expect(reasonOf(validationBody({ 'validation-result': { passed: true, rules: {} } }))).toBe(
      "'validation-result.rules' must be an array",
    );
    expect(reasonOf(validationBody({ 'validation-result': { passed: true } }))).toBe(
      "'validation-result.rules' must be an array",
    );
  });

  it.each([
    ['not an object', 'minimum-quantity'],
    ['without rule-name', { passed: true, message: null }],
    ['with a numeric rule-name', { 'rule-name': 1, passed: true, message: null }],
    ['with passed as string', { 'rule-name': 'x', passed: 'yes', message: null }],
    ['with a numeric message', { 'rule-name': 'x', passed: false, message: 3 }],
  ])('Given a rule %s, then each rule needs its three fields', (_label, rule) => {
    expect(reasonOf(validationBody({ 'validation-result': { passed: false, rules: [rule] } }))).toBe(
      "each rule needs 'rule-name' (string), 'passed' (boolean) and 'message' (string or null)",
    );
  });

  const statusChange = (overrides: Record<string, unknown>): Record<string, unknown> => ({
    ...(JSON.parse(encodeStatusChange(makeChange())) as object),
    ...overrides,
  });

  it.each([
    ['missing order-id', { 'order-id': undefined }, "'order-id' must be a non-empty string"],
    ['empty order-id', { 'order-id': '' }, "'order-id' must be a non-empty string"],
    ['new-status pending', { 'new-status': 'pending' }, "'new-status' must be 'accepted' or 'denied'"],
    ['new-status missing', { 'new-status': undefined }, "'new-status' must be 'accepted' or 'denied'"],
    ['empty request-id', { 'request-id': '' }, "'request-id' must be a non-empty string"],
    ['numeric request-id', { 'request-id': 42 }, "'request-id' must be a non-empty string"],
    ['requested-at as string', { 'requested-at': '2023-11-14' }, "'requested-at' must be epoch ms"],
    ['requested-at missing', { 'requested-at': undefined }, "'requested-at' must be epoch ms"],
  ])('Given a status change with %s, then the reason names the field', (_label, overrides, reason) => {
    expect(reasonOf(statusChange(overrides))).toBe(reason);
  });
});
