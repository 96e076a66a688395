import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { TOPICS, encodeOrder, generateOrder } from '@kafka-monitor/domain';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { seededRandom } from '@kafka-monitor/testkit';
import { cliHarness } from './testing.js';

interface VerifyJson {
  readonly drifts: readonly unknown[];
  readonly compared: Record<string, number>;
  readonly read: { readonly orders: number; readonly snapshot: number };
}

describe('verify after retention', () => {
  const cli = cliHarness('cli-verify-retention-');
  afterEach(() => cli.remove());

  it('recomputes from the snapshot what retention deleted: the same report as over the whole log', async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    expect((await cli.run(['test-data', '30'])).code).toBe(0);
    // No processor runs, so the store is empty and every recomputed row is drift: the report is the
    // fold of the log, shown whole.
    const whole = await cli.run(['verify', '--wait', '0', '--json']);
    const opened = await cli.openBus();
    try {
      await opened.admin.deleteRecords('orders', [{ partition: 0, offset: 5 }]);
      expect((await opened.admin.topicOffsets('orders'))[0]?.earliest).toBe(5);
    } finally {
      await opened.close();
    }
    const afterRetention = await cli.run(['verify', '--wait', '0', '--json']);
    expect(afterRetention.stderr).not.toMatch(/cannot audit/);
    const [before, after] = [JSON.parse(whole.stdout), JSON.parse(afterRetention.stdout)] as VerifyJson[];
    expect(before?.drifts.length).toBeGreaterThan(0);
    expect(after?.drifts).toEqual(before?.drifts);
    expect(after?.compared).toEqual(before?.compared);
    expect(after?.read.orders).toBe((before?.read.orders ?? 0) - 5);
    expect(before?.read.snapshot).toBe(0);
    expect(after?.read.snapshot).toBeGreaterThan(0);
  });

  it('refuses, naming the range, when messages were deleted with no snapshot covering them, and reports no drift', async () => {
    // A log whose retention deleted before it kept snapshots (or a log without them, as Kafka).
    const log = createEmbeddedEventBus({ file: embeddedFiles(cli.dataDir).log });
    try {
      await log.ensureTopics(pipelineTopics());
      const random = seededRandom(3);
      await log.publish(
        TOPICS.orders,
        Array.from({ length: 30 }, (_, i) => {
          const order = generateOrder(random, { orderId: `order-${i}`, timestamp: 1_700_000_000_000 + i }, 0);
          return { key: order.orderId, value: encodeOrder(order) };
        }),
      );
      await log.deleteRecords('orders', [{ partition: 0, offset: 1 }]);
    } finally {
      await log.close();
    }
    expect((await cli.run(['setup'])).code).toBe(0);
    const run = await cli.run(['verify', '--wait', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /cannot audit: orders\/0 starts at offset 1, retention deleted offsets 0 to 0 and no snapshot of the log covers them/,
    );
    expect(run.stdout).not.toMatch(/drift/i);
  });
});
