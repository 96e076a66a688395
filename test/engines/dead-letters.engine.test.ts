import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, deadLetterId, encodeOrder, type Order } from '@kafka-monitor/domain';
import { buildMonitor, type Monitor } from '@kafka-monitor/monitor';
import type { Infrastructure } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json } from '../api/harness.js';
import { hostileIdFailures, HOSTILE_IDS } from '../api/hostile-ids.js';
import { startInProcessStack, type InProcessStack } from './stack.js';
import { temporaryDirectory } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
const cassandraHost = process.env.CASSANDRA_HOST;
if (brokers === undefined || brokers === '' || cassandraHost === undefined || cassandraHost === '')
  throw new Error('KAFKA_BROKERS and CASSANDRA_HOST must name the engines (npm run test:engines sets them)');

const TOKEN = 'engine-token';
const auth = { authorization: `Bearer ${TOKEN}` };

/**
 * The dead-letter workflow and the hostile-id sweep on real Kafka and Cassandra: the monitor collects
 * `orders.dlq` from the broker into Cassandra, redrives through the broker, and every id route treats
 * quotes, CQL metacharacters, NUL and 10,000-character ids as data.
 */
describe('dead letters and hostile ids on Kafka + Cassandra', () => {
  const dir = temporaryDirectory('dlq-engines-');
  let infrastructure: Infrastructure;
  let monitor: Monitor;
  let base: string;
  let stack: InProcessStack;

  beforeAll(async () => {
    stack = await startInProcessStack('dlq-engine-test', {
      BUS: 'kafka',
      KAFKA_BROKERS: brokers ?? '',
      STORE: 'cassandra',
      CASSANDRA_HOST: cassandraHost ?? '',
      CASSANDRA_PORT: process.env.CASSANDRA_PORT ?? '9042',
      CASSANDRA_KEYSPACE_PREFIX: `dlq${Date.now().toString(36)}_`,
      DATA_DIR: dir.path,
    });
    infrastructure = stack.infrastructure;
    const { bus, store } = infrastructure;
    monitor = await buildMonitor({
      bus,
      store,
      now: Date.now,
      newId: randomUUID,
      options: { busType: 'kafka', storeType: 'cassandra', apiToken: TOKEN },
    });
    base = await monitor.app.listen({ host: '127.0.0.1', port: 0 });
  }, 180_000);

  afterAll(async () => {
    await monitor.app.close();
    await stack.stop();
    dir.remove();
  }, 120_000);

  async function poison(value: string, key: string): Promise<string> {
    const [position] = await infrastructure.bus.publish(TOPICS.orders, [{ key, value }]);
    if (position === undefined) throw new Error('no position');
    const id = deadLetterId(position);
    await waitFor(
      `${id} collected`,
      () => infrastructure.store.deadLetters.deadLetter(id),
      (l) => l?.groups.length === 2,
      90_000,
    );
    return id;
  }

  it('collects, groups, redrives an edited order that is then processed, and discards, all audited', async () => {
    const fixed: Order = {
      orderId: randomUUID(),
      customerId: 9,
      productId: 'PROD-005',
      quantity: 2,
      unitPriceCents: 999,
      totalCents: 1_998,
      timestamp: Date.now(),
      status: 'pending',
    };
    const broken = encodeOrder(fixed).replace(/"quantity":\s*\d+/, '"quantity": "two"');
    const brokenId = await poison(broken, fixed.orderId);
    const junkId = await poison("'; DROP TABLE x; --", 'junk');

    const reasons = await call(base, '/api/dead-letters/reasons');
    expect(reasons.status).toBe(200);
    expect(reasons.body.data.total).toBeGreaterThanOrEqual(2);
    const detail = await call(base, `/api/dead-letters/${brokenId}`);
    expect(detail.body.data).toMatchObject({ payload: broken, key: fixed.orderId, status: 'pending' });

    const redrive = await call(
      base,
      `/api/dead-letters/${brokenId}/redrive`,
      json('POST', { payload: encodeOrder(fixed), actor: 'engine' }, auth),
    );
    expect(redrive.status).toBe(200);
    expect(redrive.body.data.actions).toEqual([
      expect.objectContaining({ action: 'redrive', actor: 'engine', 'edited-payload': encodeOrder(fixed) }),
    ]);
    const registered = await waitFor(
      'redriven order registered',
      () => infrastructure.store.registry.registered(fixed.orderId),
      (r) => r !== undefined,
      90_000,
    );
    expect(registered?.order).toEqual(fixed);
    expect((await call(base, `/api/dead-letters/${brokenId}/redrive`, json('POST', {}, auth))).status).toBe(409);

    const discard = await call(base, `/api/dead-letters/${junkId}/discard`, json('POST', { note: 'junk' }, auth));
    expect(discard.status).toBe(200);
    expect(discard.body.data).toMatchObject({ status: 'discarded', payload: "'; DROP TABLE x; --" });
    const discarded = await call(base, '/api/dead-letters?status=discarded');
    expect(discarded.body.data.map((l: { id: string }) => l.id)).toContain(junkId);
  }, 240_000);

  it('handles hostile ids as data in every route with an id against Cassandra', async () => {
    const { failures, requests } = await hostileIdFailures(base, auth);
    expect(requests).toBeGreaterThanOrEqual(8 * HOSTILE_IDS.length);
    expect(failures).toEqual([]);
    expect((await call(base, '/api/health')).body.status).toBe('healthy');
  }, 240_000);
});
