import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, type StoredMessage } from '@kafka-monitor/domain';
import { cliHarness, type TestBus } from './testing.js';

describe('kafka-monitor trace', () => {
  const cli = cliHarness('cli-trace-');
  let connection: TestBus;
  let last: StoredMessage;

  beforeAll(async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    expect((await cli.run(['test-data', '12'])).code).toBe(0);
    connection = await cli.openBus();
    const all = (await Promise.all([0, 1, 2].map((p) => connection.bus.read(TOPICS.orders, p, 0, 100)))).flat();
    const newest = all.sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset).at(-1);
    if (newest === undefined) throw new Error('no order on the log');
    last = newest;
  });
  afterAll(async () => {
    await connection.close();
    cli.remove();
  });

  it('prints the steps of an order with their log positions, and what it waits for', async () => {
    const id = last.key ?? '';
    const run = await cli.run(['trace', id.toUpperCase()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Order ${id}: customer `);
    expect(run.stdout).toMatch(/^TIME +STEP +WHERE +SINCE +WHAT$/m);
    expect(run.stdout).toContain(`produced  orders/${last.partition}@${last.offset}`);
    // No processor runs here: the order waits for both, and was found by searching its partition.
    expect(run.stdout).toMatch(
      new RegExp(
        `^Now: waiting: waiting for ${GROUPS.queryProcessor}: \\d+ messages? of lag on orders/${last.partition}`,
        'm',
      ),
    );
    expect(run.stdout).toContain(`Searched orders/${last.partition} offsets 0…${last.offset}: found.`);
  });

  it('prints the same journey as the API with --json, for the order produced last with --latest', async () => {
    const run = await cli.run(['trace', '--latest', '--json']);
    expect(run.code).toBe(0);
    const journey = JSON.parse(run.stdout) as {
      'order-id': string;
      steps: { kind: string; position: { topic: string; partition: number; offset: number } }[];
    };
    expect(journey.steps).toEqual([expect.objectContaining({ kind: 'produced', via: 'generator' })]);
    // The position it names holds that order.
    const at = journey.steps[0]?.position;
    expect(at?.topic).toBe(TOPICS.orders);
    const [message] = await connection.bus.read(TOPICS.orders, at?.partition ?? -1, at?.offset ?? -1, 1);
    expect(message?.key).toBe(journey['order-id']);
  });

  it('fails with exit 1 for an order nobody knows, and 2 without an order id or with both', async () => {
    const unknown = await cli.run(['trace', 'no-such-order']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('order no-such-order is not known to the store or the log');
    expect((await cli.run(['trace'])).code).toBe(2);
    const both = await cli.run(['trace', 'x', '--latest']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either an order id or --latest');
  });
});
