/**
 * `node --expose-gc --import tsx scripts/bench/audit-memory.ts`: how much memory the consistency audit
 * keeps per order. The audit streams the logs a batch at a time; what stays is the folds' state
 * (ViewsFold: one entry per distinct order id; RegistryFold: one registration per order). This feeds
 * BENCH_ORDERS (default 1,000,000) orders through both folds exactly as runAudit does (each decoded
 * from the text the processors write), then prints the heap the folds hold after a full GC.
 */
import {
  RegistryFold,
  ViewsFold,
  decodeOrder,
  decodeRegistryMessage,
  encodeOrder,
  encodeValidationMessage,
  generateOrder,
  validateOrder,
} from '@kafka-monitor/domain';
import { newTimeOrderedId } from '@kafka-monitor/runtime';
import { seededRandom } from './common.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const random = seededRandom(21);
const before = heap();
const startedAt = performance.now();
const views = new ViewsFold();
const registry = new RegistryFold();
const now = Date.now();
for (let i = 0; i < ORDERS; i++) {
  const generated = generateOrder(random, { orderId: newTimeOrderedId(), timestamp: now - i }, 0.1);
  const order = decodeOrder(encodeOrder(generated));
  if (order.ok) views.add(order.value);
  const message = decodeRegistryMessage(encodeValidationMessage(generated, validateOrder(generated), now));
  if (message.ok) registry.add(message.value);
}
const elapsedMs = performance.now() - startedAt;
const held = heap() - before;
console.log(
  `[bench] audit folds: ${ORDERS.toLocaleString('en')} orders, ${views.totals.customerCount} customers, ` +
    `${views.totals.productCount} products, ${registry.registrations.size.toLocaleString('en')} registrations`,
);
console.log(
  `[bench] heap held by the folds: ${(held / 2 ** 20).toFixed(0)} MiB, ${(held / ORDERS).toFixed(0)} bytes per order ` +
    `(${(((held / ORDERS) * 1e6) / 2 ** 20).toFixed(0)} MiB per million orders); ${(elapsedMs / 1000).toFixed(1)} s to fold; ` +
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
