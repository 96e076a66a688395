import { setTimeout as sleep } from 'node:timers/promises';
import { SingleBar } from 'cli-progress';
import { TOPICS, generateValidOrder, ordersDue } from '@kafka-monitor/domain';
import type { Order } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { count, formatRate } from '../format.js';
import { formatSeconds } from '../errors.js';
import { requireTopic, type CommandContext } from './context.js';

const MAX_BATCH = 500;
const TICK_MS = 20;

export interface TestDataOptions {
  /** Orders per second; 0 sends as fast as the bus takes them. */
  readonly rate: number;
}

/**
 * Sends `n` valid orders through the same path the order processor uses (publish to `orders`, then
 * record as produced), so the processors and the API see them exactly as generated ones.
 */
export async function testData(context: CommandContext, n: number, options: TestDataOptions): Promise<void> {
  await requireTopic(context, TOPICS.orders);
  const bus = await context.session.bus();
  const store = await context.session.store();
  await store.migrate();
  const signal = context.terminal.interrupted;
  const stream = context.terminal.progressStream;
  const bar =
    stream === undefined
      ? undefined
      : new SingleBar({
          stream,
          format: 'test-data |{bar}| {value}/{total} orders | {percentage}% | ETA {eta_formatted}',
          hideCursor: true,
        });
  bar?.start(n, 0);
  const startedAt = context.now();
  let sent = 0;
  try {
    while (sent < n && !signal.aborted) {
      const due =
        options.rate > 0 ? ordersDue(options.rate, context.now() - startedAt, sent) : Number.POSITIVE_INFINITY;
      const size = Math.min(due, MAX_BATCH, n - sent);
      if (size <= 0) {
        await sleep(TICK_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      const timestamp = context.now();
      const orders: Order[] = Array.from({ length: size }, () =>
        generateValidOrder(context.random, { orderId: context.newId(), timestamp }),
      );
      await produceOrders(bus, store.produced, orders);
      sent += size;
      bar?.update(sent);
    }
  } finally {
    bar?.stop();
  }
  const elapsed = context.now() - startedAt;
  const stopped = sent < n ? ' (interrupted)' : '';
  context.out.line(
    `Produced ${count(sent)} valid orders to ${TOPICS.orders} in ${formatSeconds(elapsed)} (${formatRate(sent, elapsed)})${stopped}.`,
  );
}
