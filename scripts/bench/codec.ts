/**
 * `npx tsx scripts/bench/codec.ts`: the registry processor writes one validation message per order.
 * Times `encodeValidationMessage` against the baseline of building the same wire object and serialising
 * it with JSON.stringify, alternating BENCH_ROUNDS times (default 8) over BENCH_ORDERS generated orders
 * (default 20,000), and prints the median µs per message of each and their ratio.
 */
import { encodeValidationMessage, generateOrder, validateOrder, validationMessageWire } from '@kafka-monitor/domain';
import type { Order, ValidationResult } from '@kafka-monitor/domain';
import { benchOrderId } from './common.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const REPEATS = 10;

const viaWireObject = (order: Order, result: ValidationResult, timestamp: number): string =>
  JSON.stringify(validationMessageWire(order, result, timestamp));

const now = Date.now();
const orders = Array.from({ length: ORDERS }, (_, i) =>
  generateOrder(Math.random, { orderId: benchOrderId(), timestamp: now + i }, 0.1),
);
const results = orders.map((order) => validateOrder(order));
for (let i = 0; i < ORDERS; i++) {
  const order = orders[i] as Order;
  const result = results[i] as ValidationResult;
  if (encodeValidationMessage(order, result, now) !== viaWireObject(order, result, now)) {
    throw new Error(`the two encodings differ for order ${order.orderId}`);
  }
}

function timeUs(encode: typeof viaWireObject): number {
  let bytes = 0;
  const started = performance.now();
  for (let r = 0; r < REPEATS; r++) {
    for (let i = 0; i < ORDERS; i++) bytes += encode(orders[i] as Order, results[i] as ValidationResult, now).length;
  }
  if (bytes === 0) throw new Error('nothing encoded');
  return ((performance.now() - started) * 1000) / (ORDERS * REPEATS);
}

const baseline: number[] = [];
const direct: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  baseline.push(timeUs(viaWireObject));
  direct.push(timeUs(encodeValidationMessage));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `validation message: wire object + JSON.stringify ${median(baseline).toFixed(2)} µs, ` +
    `encodeValidationMessage ${median(direct).toFixed(2)} µs (ratio ${(median(direct) / median(baseline)).toFixed(2)})`,
);
