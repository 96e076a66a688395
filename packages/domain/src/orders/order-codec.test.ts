import { describe, expect, it } from 'vitest';
import type { Order } from './order.js';
import { decodeOrder, encodeOrder, isPlainObject, orderFromWire, orderToWire, parseJson } from './order-codec.js';

const WIRE_KEYS = ['order-id', 'customer-id', 'product-id', 'quantity', 'unit-price', 'total', 'timestamp', 'status'];

function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: '3f1c2a9e-6a43-4f7e-9d0b-2c1f5e8a7b64',
    customerId: 42,
    productId: 'PROD-003',
    quantity: 3,
    unitPriceCents: 1999,
    totalCents: 5997,
    timestamp: 1_700_000_000_000,
    status: 'pending',
    ...overrides,
  };
}

/** A well-formed wire body, as the original system wrote it. */
function wire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'order-id': 'order-1',
    'customer-id': 7,
    'product-id': 'PROD-001',
    quantity: 2,
    'unit-price': 10.5,
    total: 21,
    timestamp: 1_700_000_000_000,
    status: 'pending',
    ...overrides,
  };
}

function without(key: string): Record<string, unknown> {
  const body = wire();
  delete body[key];
  return body;
}

function reasonOf(input: unknown): string {
  const decoded = typeof input === 'string' ? decodeOrder(input) : orderFromWire(input);
  if (decoded.ok) throw new Error(`expected a poison message, got ${JSON.stringify(decoded.value)}`);
  return decoded.reason;
}

function decodedValue(input: unknown): Order {
  const decoded = orderFromWire(input);
  if (!decoded.ok) throw new Error(`expected a valid order, got: ${decoded.reason}`);
  return decoded.value;
}

describe('encodeOrder', () => {
  it('Given an order, then the JSON has exactly the eight kebab-case keys of the original, in order', () => {
    const body = JSON.parse(encodeOrder(makeOrder())) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(WIRE_KEYS);
  });

  it('Given an order in cents, then money travels as a JSON number with two decimals', () => {
    const text = encodeOrder(makeOrder({ unitPriceCents: 1999, totalCents: 5997 }));
    expect(text).toBe(
      '{"order-id":"3f1c2a9e-6a43-4f7e-9d0b-2c1f5e8a7b64","customer-id":42,"product-id":"PROD-003","quantity":3,' +
        '"unit-price":19.99,"total":59.97,"timestamp":1700000000000,"status":"pending"}',
    );
  });

  it('orderToWire maps every field to its kebab-case key', () => {
    expect(orderToWire(makeOrder({ unitPriceCents: 1050, totalCents: 2100, quantity: 2 }))).toStrictEqual({
      'order-id': '3f1c2a9e-6a43-4f7e-9d0b-2c1f5e8a7b64',
      'customer-id': 42,
      'product-id': 'PROD-003',
      quantity: 2,
      'unit-price': 10.5,
      total: 21,
      timestamp: 1_700_000_000_000,
      status: 'pending',
    });
  });
});

describe('decodeOrder round trip', () => {
  it('Given an encoded order, when decoded, then it is the same order', () => {
    const order = makeOrder();
    expect(decodeOrder(encodeOrder(order))).toStrictEqual({ ok: true, value: order });
  });

  it.each([
    ['cheapest cent', makeOrder({ quantity: 1, unitPriceCents: 1, totalCents: 1 })],
    ['float-unfriendly price', makeOrder({ quantity: 7, unitPriceCents: 1999, totalCents: 13993 })],
    ['large amounts', makeOrder({ quantity: 1000, unitPriceCents: 99_999_999, totalCents: 99_999_999_000 })],
    ['any status string', makeOrder({ status: 'shipped' })],
    ['zero customer and quantity', makeOrder({ customerId: 0, quantity: 0, totalCents: 0 })],
  ])('round trips %s exactly', (_label, order) => {
    expect(decodeOrder(encodeOrder(order))).toStrictEqual({ ok: true, value: order });
  });

  it('Given the wire amount 19.99, then the decoded unit price is exactly 1999 cents', () => {
    expect(decodedValue(wire({ 'unit-price': 19.99, quantity: 1, total: 19.99 }))).toMatchObject({
      unitPriceCents: 1999,
      totalCents: 1999,
    });
  });

  it('Given a body with extra keys, then they are ignored and the order decodes', () => {
    const order = decodedValue(wire({ extra: 'ignored', 'unit-price': 10.5 }));
    expect(order).toStrictEqual({
      orderId: 'order-1',
      customerId: 7,
      productId: 'PROD-001',
      quantity: 2,
      unitPriceCents: 1050,
      totalCents: 2100,
      timestamp: 1_700_000_000_000,
      status: 'pending',
    });
  });

  it('Given integral money written without decimals (21 or 21.0), then it decodes to cents', () => {
    expect(
      decodeOrder(
        '{"order-id":"a","customer-id":1,"product-id":"P","quantity":1,"unit-price":21.0,"total":21,"timestamp":5,"status":"pending"}',
      ),
    ).toMatchObject({
      ok: true,
      value: { unitPriceCents: 2100, totalCents: 2100 },
    });
  });
});

describe('business-range violations are not poison', () => {
  it.each([
    ['quantity 0', { quantity: 0 }, { quantity: 0 }],
    ['negative quantity', { quantity: -3 }, { quantity: -3 }],
    ['customer-id -1', { 'customer-id': -1 }, { customerId: -1 }],
    ['customer-id 0', { 'customer-id': 0 }, { customerId: 0 }],
    ['empty product-id', { 'product-id': '' }, { productId: '' }],
    ['status "shipped"', { status: 'shipped' }, { status: 'shipped' }],
    ['empty status', { status: '' }, { status: '' }],
    ['total 0', { total: 0 }, { totalCents: 0 }],
    ['negative total', { total: -5.5 }, { totalCents: -550 }],
    ['total far above the maximum rule', { total: 143658087.11 }, { totalCents: 14365808711 }],
    ['mismatched total', { total: 25 }, { totalCents: 2500 }],
  ])('Given %s, then the order decodes so the rules can judge it', (_label, overrides, expected) => {
    expect(decodedValue(wire(overrides))).toMatchObject(expected);
  });
});

describe('poison messages', () => {
  it('Given text that is not JSON, then the reason says so', () => {
    expect(reasonOf('not json at all')).toMatch(/^not JSON: /);
    expect(reasonOf('{"order-id": ')).toMatch(/^not JSON: /);
    expect(reasonOf('')).toMatch(/^not JSON: /);
    expect(reasonOf('NaN')).toMatch(/^not JSON: /);
  });

  it.each([['[]'], ['[{"order-id":"a"}]'], ['null'], ['42'], ['"order"'], ['true']])(
    'Given the JSON value %s, then it is not an order object',
    (text) => {
      expect(reasonOf(text)).toBe('order must be a JSON object');
    },
  );

  it.each([
    ['order-id', "'order-id' must be a string"],
    ['customer-id', "'customer-id' must be an integer"],
    ['product-id', "'product-id' must be a string"],
    ['quantity', "'quantity' must be an integer"],
    ['unit-price', "'unit-price' must be a number"],
    ['total', "'total' must be a number"],
    ['timestamp', "'timestamp' must be a positive integer of epoch milliseconds"],
    ['status', "'status' must be a string"],
  ])('Given the key %s is missing, then the reason names it', (key, reason) => {
    expect(reasonOf(without(key))).toBe(reason);
  });

  it.each([
    ['order-id as number', { 'order-id': 17 }, "'order-id' must be a string"],
    ['customer-id as string', { 'customer-id': '7' }, "'customer-id' must be an integer"],
    ['product-id as number', { 'product-id': 1 }, "'product-id' must be a string"],
    ['quantity as string', { quantity: '2' }, "'quantity' must be an integer"],
    ['quantity as null', { quantity: null }, "'quantity' must be an integer"],
    ['unit-price as string', { 'unit-price': '10.50' }, "'unit-price' must be a number"],
    ['total as boolean', { total: true }, "'total' must be a number"],
    [
      'timestamp as ISO string',
      { timestamp: '2023-11-14T22:13:20Z' },
      "'timestamp' must be a positive integer of epoch milliseconds",
    ],
    ['status as object', { status: { name: 'pending' } }, "'status' must be a string"],
    ['status as null', { status: null }, "'status' must be a string"],
  ])('Given %s, then the reason names the wrong type', (_label, overrides, reason) => {
    expect(reasonOf(wire(overrides))).toBe(reason);
  });

  it('Given a non-integer quantity or customer-id, then it is poison', () => {
    expect(reasonOf(wire({ quantity: 2.5 }))).toBe("'quantity' must be an integer");
    expect(reasonOf(wire({ 'customer-id': 7.1 }))).toBe("'customer-id' must be an integer");
  });

  it('Given quantity or customer-id outside the 32-bit range, then it is poison; the bounds themselves are fine', () => {
    expect(reasonOf(wire({ quantity: 2147483648 }))).toBe("'quantity' is out of the 32-bit integer range");
    expect(reasonOf(wire({ quantity: -2147483649 }))).toBe("'quantity' is out of the 32-bit integer range");
    expect(reasonOf(wire({ 'customer-id': 1e15 }))).toBe("'customer-id' is out of the 32-bit integer range");
    expect(reasonOf(wire({ 'customer-id': -2147483649 }))).toBe("'customer-id' is out of the 32-bit integer range");
    expect(decodedValue(wire({ quantity: 2147483647, 'customer-id': -2147483648 }))).toMatchObject({
      quantity: 2147483647,
      customerId: -2147483648,
    });
  });

  it('Given money with three decimals, then it is poison', () => {
    expect(reasonOf(wire({ 'unit-price': 10.505 }))).toBe("'unit-price' must have at most 2 decimals");
    expect(reasonOf(wire({ total: 21.001 }))).toBe("'total' must have at most 2 decimals");
  });

  it('Given money beyond 1e12, then it is poison; exactly 1e12 is accepted', () => {
    expect(reasonOf(wire({ total: 1e12 + 1 }))).toBe("'total' exceeds 1000000000000");
    expect(reasonOf(wire({ 'unit-price': -2e12 }))).toBe("'unit-price' exceeds 1000000000000");
    expect(reasonOf(wire({ total: 1e300 }))).toBe("'total' exceeds 1000000000000");
    expect(decodedValue(wire({ total: 1e12 })).totalCents).toBe(1e14);
  });

  it('Given NaN-like values, then they are poison', () => {
    // JSON has no NaN or Infinity, but 1e400 parses to Infinity, and a decoded body may come from elsewhere.
    expect(reasonOf('{"total": 1e400}')).toContain("'total' must be a number");
    expect(reasonOf('{"quantity": 1e400}')).toContain("'quantity' must be an integer");
    expect(reasonOf(wire({ total: Number.NaN }))).toBe("'total' must be a number");
    expect(reasonOf(wire({ 'unit-price': Number.POSITIVE_INFINITY }))).toBe("'unit-price' must be a number");
    expect(reasonOf(wire({ quantity: Number.NaN }))).toBe("'quantity' must be an integer");
    expect(reasonOf(wire({ 'customer-id': Number.NEGATIVE_INFINITY }))).toBe("'customer-id' must be an integer");
    expect(reasonOf(wire({ timestamp: Number.NaN }))).toBe(
      "'timestamp' must be a positive integer of epoch milliseconds",
    );
    expect(reasonOf(wire({ total: 'NaN' }))).toBe("'total' must be a number");
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['fractional', 1_700_000_000_000.5],
    ['beyond the JavaScript Date range', 8.64e15 + 1],
  ])('Given a %s timestamp, then it is poison', (_label, timestamp) => {
    expect(reasonOf(wire({ timestamp }))).toBe("'timestamp' must be a positive integer of epoch milliseconds");
  });

  it('Given the smallest and largest storable timestamps, then they decode', () => {
    expect(decodedValue(wire({ timestamp: 1 })).timestamp).toBe(1);
    expect(decodedValue(wire({ timestamp: 8.64e15 })).timestamp).toBe(8.64e15);
  });

  it('Given an empty order-id, then it is poison', () => {
    expect(reasonOf(wire({ 'order-id': '' }))).toBe("'order-id' must not be empty");
  });

  it.each(['order-id', 'product-id', 'status'])('Given a %s longer than 256 characters, then it is poison', (key) => {
    expect(reasonOf(wire({ [key]: 'x'.repeat(257) }))).toBe(`'${key}' is longer than 256 characters`);
    expect(orderFromWire(wire({ [key]: 'x'.repeat(256) })).ok).toBe(true);
  });

  it('Given several problems, then they are reported together in key order, separated by "; "', () => {
    const body = { 'order-id': '', quantity: 1.5, 'unit-price': 1.234, timestamp: -5, status: 7 };
    expect(reasonOf(body)).toBe(
      [
        "'order-id' must not be empty",
        "'customer-id' must be an integer",
        "'product-id' must be a string",
        "'quantity' must be an integer",
        "'unit-price' must have at most 2 decimals",
        "'total' must be a number",
        "'timestamp' must be a positive integer of epoch milliseconds",
        "'status' must be a string",
      ].join('; '),
    );
  });

  it('Given an empty object, then every key is reported missing', () => {
    expect(reasonOf('{}').split('; ')).toHaveLength(8);
  });

  it('Given kebab-case keys written in camelCase, then nothing is recognised', () => {
    const camel = JSON.stringify(makeOrder());
    const reason = reasonOf(camel);
    expect(reason).toContain("'order-id' must be a string");
    expect(reason).toContain("'unit-price' must be a number");
  });
});

describe('helpers', () => {
  it('isPlainObject accepts objects only, not arrays or null', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
    expect(isPlainObject(1)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
  });

  it('parseJson returns the value or a reason, never throws', () => {
    expect(parseJson('{"a":[1,2]}')).toStrictEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseJson('null')).toStrictEqual({ ok: true, value: null });
    const bad = parseJson('{');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/^not JSON: .+/);
  });
});
