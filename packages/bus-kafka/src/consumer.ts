import type { ConsumeOptions, ConsumerHandle, MessageBatch } from '@kafka-monitor/domain';
import type { EachBatchPayload, Kafka, RetryOptions } from 'kafkajs';
import { toBusError } from './errors.js';
import { toStoredMessage } from './messages.js';

export interface ConsumerSettings {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxWaitMs: number;
  readonly retry: RetryOptions;
  /** How long consume() waits for the first group join before it returns the handle anyway. */
  readonly joinWaitMs: number;
  readonly firstRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

/**
 * One group member on kafkajs. Offsets are committed by hand, per batch, only after `handleBatch`
 * resolved (kafkajs's auto-commit would commit what was fetched, not what was handled). A failed batch
 * is sought back to its first offset and its partition paused for an exponential backoff, so the other
 * partitions keep flowing while it waits for redelivery.
 */
export async function startConsumer(
  kafka: Kafka,
  settings: ConsumerSettings,
  options: ConsumeOptions,
  onStopped: (handle: ConsumerHandle) => void,
): Promise<ConsumerHandle> {
  const { group, topics, handleBatch } = options;
  const maxBatchSize = options.maxBatchSize ?? 500;
  const report = (error: unknown): void => options.onError?.(error);
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    maxWaitTimeInMs: settings.maxWaitMs,
    allowAutoTopicCreation: false,
    // kafkajs restarts a crashed consumer after the retry delay; only a stop ends it.
    retry: { ...settings.retry, restartOnFailure: () => Promise.resolve(!stopping) },
  });

  let stopping = false;
  let memberId = '';
  const failures = new Map<string, number>();
  const resumeTimers = new Set<NodeJS.Timeout>();
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => {
    markJoined = resolve;
  });

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    memberId = event.payload.memberId;
    markJoined();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!stopping) report(toBusError('consume', event.payload.error));
  });

  function retryLater(payload: EachBatchPayload, fromOffset: number): void {
    const { topic, partition } = payload.batch;
    const key = `${topic}/${partition}`;
    const attempt = (failures.get(key) ?? 0) + 1;
    failures.set(key, attempt);
    consumer.seek({ topic, partition, offset: String(fromOffset) });
    const resume = payload.pause();
    const delay = Math.min(settings.maxRetryDelayMs, settings.firstRetryDelayMs * 2 ** (attempt - 1));
    const timer = setTimeout(() => {
      resumeTimers.delete(timer);
      if (!stopping) resume();
    }, delay);
    resumeTimers.add(timer);
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
      // After a rebalance or a seek the rest of this fetch is no longer ours to handle.
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages
        .slice(start, start + maxBatchSize)
        .map((record) => toStoredMessage(batch.topic, partition, record));
      const first = messages[0];
      const last = messages.at(-1);
      if (first === undefined || last === undefined) return;
      const portBatch: MessageBatch = { topic: batch.topic, partition, messages };
      try {
        await handleBatch(portBatch);
      } catch (error) {
        report(error);
        retryLater(payload, first.offset);
        return;
      }
      try {
        // The payload's commit goes straight to the group coordinator. consumer.commitOffsets() would
        // silently do nothing once stop() began, losing the commit of the batch stop() waits for.
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition, offset: String(last.offset + 1) }] }],
        });
      } catch (error) {
        // Handled but not committed (e.g. the partition moved in a rebalance): at least once means the
        // batch is delivered again, here or to the new owner.
        report(toBusError('commit', error));
        retryLater(payload, first.offset);
        return;
      }
      failures.delete(`${batch.topic}/${partition}`);
      payload.resolveOffset(String(last.offset));
      await payload.heartbeat();
    }
  }

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch,
    });
  } catch (error) {
    stopping = true;
    await consumer.disconnect().catch(() => undefined);
    throw toBusError('consume', error);
  }

  // A handle whose memberId is known is what callers and describeGroup expect; a broker that is slow to
  // form the group must not block the caller forever, so the wait is bounded.
  let joinTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    joined,
    new Promise<void>((resolve) => {
      joinTimer = setTimeout(resolve, settings.joinWaitMs);
    }),
  ]);
  clearTimeout(joinTimer);

  let stopped: Promise<void> | undefined;
  const handle: ConsumerHandle = {
    get memberId() {
      return memberId;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        for (const timer of resumeTimers) clearTimeout(timer);
        resumeTimers.clear();
        try {
          // kafkajs waits for the batch in flight (and so its commit), then leaves the group.
          await consumer.disconnect();
        } catch (error) {
          throw toBusError('stop consumer', error);
        } finally {
          onStopped(handle);
        }
      })();
      return stopped;
    },
  };
  return handle;
}
