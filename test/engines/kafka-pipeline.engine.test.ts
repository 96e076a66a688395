import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, generateOrder, type Order } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import type { Infrastructure } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { startInProcessStack, type InProcessStack } from './stack.js';
import { temporaryDirectory } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined || brokers === '')
  throw new Error('KAFKA_BROKERS must name the broker (npm run test:engines sets it)');

const ORDER_KEYS = ['customer-id', 'order-id', 'product-id', 'quantity', 'status', 'timestamp', 'total', 'unit-price'];

interface KcatRecord {
  key: string | null;
  payload: string | null;
  partition: number;
  offset: number;
}

/** Reads a whole topic with Debian's kcat: a client that is not ours. */
function readWithKcat(topic: string): KcatRecord[] {
  const output = execFileSync('kcat', ['-C', '-b', brokers ?? '', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord);
}

describe('the pipeline on a real Kafka broker', () => {
  const dir = temporaryDirectory('kafka-pipeline-');
  let infrastructure: Infrastructure;
  let stack: InProcessStack;
  let produced: Order[];

  beforeAll(async () => {
    stack = await startInProcessStack('engine-test', {
      BUS: 'kafka',
      KAFKA_BROKERS: brokers ?? '',
      DATA_DIR: dir.path,
    });
    infrastructure = stack.infrastructure;
    const { bus, store } = infrastructure;
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    produced = Array.from({ length: 200 }, (_, i) =>
      generateOrder(random, { orderId: randomUUID(), timestamp: Date.now() + i }, 0.3),
    );
    await produceOrders(bus, store.produced, produced);
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
    dir.remove();
  });

  it('validates, registers and folds every order through Kafka topics and consumer groups', async () => {
    const { store, bus } = infrastructure;
    for (const order of produced) {
      await waitFor(
        `${order.orderId} registered`,
        () => store.registry.registered(order.orderId),
        (r) => r !== undefined,
        60_000,
      );
    }
    await waitFor(
      'all in the views',
      async () => (await store.views.totals()).totalOrders,
      (n) => n === produced.length,
      60_000,
    );
    const totals = await store.registry.totals();
    expect(totals.registeredCount).toBe(produced.length);
    expect(totals.acceptedCount).toBeLessThan(produced.length);
    const described = await bus.describeGroup(GROUPS.queryProcessor, [TOPICS.orders]);
    expect(described.lag.length).toBe(3);
  }, 120_000);

  it('writes exactly the documented JSON keys on orders and registry, readable by kcat', () => {
    const ids = new Set(produced.map((o) => o.orderId));
    const orders = readWithKcat(TOPICS.orders).filter((r) => r.key !== null && ids.has(r.key));
    expect(orders).toHaveLength(produced.length);
    for (const record of orders) {
      const body = JSON.parse(record.payload ?? 'null') as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(ORDER_KEYS);
      expect(body['order-id']).toBe(record.key);
    }
    const results = readWithKcat(TOPICS.registry).filter((r) => r.key !== null && ids.has(r.key));
    expect(new Set(results.map((r) => r.key)).size).toBe(produced.length);
    for (const record of results) {
      const body = JSON.parse(record.payload ?? 'null') as Record<string, Record<string, unknown>>;
      expect(Object.keys(body).sort()).toEqual(['order', 'timestamp', 'validation-result']);
      expect(Object.keys(body.order ?? {}).sort()).toEqual(ORDER_KEYS);
      const result = body['validation-result'] ?? {};
      expect(Object.keys(result).sort()).toEqual(['message', 'order-id', 'passed', 'rules']);
      const rules = result.rules as Record<string, unknown>[];
      expect(rules).toHaveLength(8);
      for (const rule of rules) expect(Object.keys(rule).sort()).toEqual(['message', 'passed', 'rule-name']);
    }
  }, 120_000);
});
