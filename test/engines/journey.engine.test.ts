import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, deadLetterId } from '@kafka-monitor/domain';
import { buildMonitor, type Monitor } from '@kafka-monitor/monitor';
import type { Infrastructure } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json } from '../api/harness.js';
import { startInProcessStack, type InProcessStack } from './stack.js';
import { temporaryDirectory } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
const cassandraHost = process.env.CASSANDRA_HOST;
if (brokers === undefined || brokers === '' || cassandraHost === undefined || cassandraHost === '')
  throw new Error('KAFKA_BROKERS and CASSANDRA_HOST must name the engines (npm run test:engines sets them)');

const TOKEN = 'journey-token';
const auth = { authorization: `Bearer ${TOKEN}` };
/** Fails price-consistency: registered pending, so it can be decided. */
const suspicious = { 'customer-id': 5, 'product-id': 'PROD-001', quantity: 2, 'unit-price': 10, total: 25 };

interface Step {
  kind: string;
  at: number | null;
  position: { topic: string; partition: number; offset: number } | null;
  [field: string]: unknown;
}
interface JourneyBody {
  steps: Step[];
  state: { stage: string; summary: string };
}

/**
 * The order journey on Kafka + Cassandra, as on the embedded log and SQLite: the positions come from
 * Cassandra's claim tokens and the messages are read back from the broker.
 */
describe('order journey on Kafka + Cassandra', () => {
  const dir = temporaryDirectory('journey-engines-');
  let infrastructure: Infrastructure;
  let monitor: Monitor;
  let base: string;
  let stack: InProcessStack;

  beforeAll(async () => {
    const suffix = Date.now().toString(36);
    stack = await startInProcessStack('journey-engine-test', {
      BUS: 'kafka',
      KAFKA_BROKERS: brokers ?? '',
      BUS_PREFIX: `journey-${suffix}.`,
      STORE: 'cassandra',
      CASSANDRA_HOST: cassandraHost ?? '',
      CASSANDRA_PORT: process.env.CASSANDRA_PORT ?? '9042',
      CASSANDRA_KEYSPACE_PREFIX: `jr${suffix}_`,
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

  const journeyOf = async (id: string) => (await call(base, `/api/orders/${id}/journey`)).body.data as JourneyBody;
  const kinds = (j: JourneyBody) => j.steps.map((s) => s.kind);

  it('lists produced, applied, validated, registered with offsets after a POST, then the decision', async () => {
    const posted = await call(base, '/api/orders', json('POST', suspicious, auth));
    expect(posted.status).toBe(201);
    const id = posted.body.data['order-id'] as string;
    const journey = await waitFor(
      'registered and applied',
      () => journeyOf(id),
      (j) => kinds(j).includes('registered') && kinds(j).includes('applied'),
      90_000,
    );
    // The views and the registry consume `orders` side by side: applied may come anywhere after produced.
    expect(kinds(journey).filter((k) => k !== 'applied')).toEqual(['produced', 'validated', 'published', 'registered']);
    expect(kinds(journey)[0]).toBe('produced');
    const step = (kind: string) => journey.steps.find((s) => s.kind === kind);
    const [produced, applied, validated, published, registered] = [
      'produced',
      'applied',
      'validated',
      'published',
      'registered',
    ].map(step);
    expect(produced).toMatchObject({ via: 'api', 'request-id': posted.headers.get('request-id') });
    expect(produced?.position?.topic).toBe(TOPICS.orders);
    expect(applied?.position).toEqual(produced?.position);
    expect(validated).toMatchObject({ position: produced?.position, passed: false, 'rules-from': 'log' });
    expect(published?.position?.topic).toBe(TOPICS.registry);
    expect(registered).toMatchObject({ position: published?.position, status: 'pending', version: 1 });
    for (const step of journey.steps) expect(step.at, step.kind).toEqual(expect.any(Number));
    expect(journey.state.stage).toBe('awaiting-decision');

    const decided = await call(base, `/api/orders/${id}/status`, json('PUT', { status: 'accepted' }, auth));
    expect(decided.status).toBe(200);
    const after = await journeyOf(id);
    expect(kinds(after).at(-1)).toBe('decided');
    expect(after.steps.at(-1)).toMatchObject({ status: 'accepted', by: 'api', 'request-id': expect.any(String) });
    expect(after.steps.at(-1)?.position?.topic).toBe(TOPICS.registry);
    expect(after.state.stage).toBe('accepted');
  }, 120_000);

  it('finds a dead letter by its key through the secondary index, and knows nothing of an unknown id', async () => {
    const key = `journey-poison-${randomUUID()}`;
    const [position] = await infrastructure.bus.publish(TOPICS.orders, [{ key, value: '{"order-id": ' }]);
    if (position === undefined) throw new Error('no position');
    await waitFor(
      'dead letter collected',
      () => infrastructure.store.deadLetters.deadLetter(deadLetterId(position)),
      (l) => l?.groups.length === 2,
      90_000,
    );
    const journey = await journeyOf(key);
    expect(kinds(journey)).toEqual(['produced', 'dead-lettered']);
    expect(journey.steps[1]).toMatchObject({ position, reason: expect.any(String) });
    expect(journey.state.stage).toBe('dead-lettered');
    expect((await call(base, `/api/orders/${randomUUID()}/journey`)).status).toBe(404);
  }, 120_000);
});
