import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyError, retryDelayMs } from '@kafka-monitor/domain';
import type { ConsumeOptions, ConsumerHandle, MessageBatch } from '@kafka-monitor/domain';
import type { Consumer, EachBatchPayload, Kafka, RetryOptions } from 'kafkajs';
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
  /** A consumer with no fetch and no batch for this long is replaced by a new one. */
  readonly stallRestartMs: number;
  /** Batches of different partitions one member handles at once (kafkajs's partitionsConsumedConcurrently). */
  readonly partitionsInParallel: number;
}

/**
 * One group member on kafkajs. Offsets are committed by hand, per batch, only after `handleBatch`
 * resolved (kafkajs's auto-commit would commit what was fetched, not what was handled). A failed batch
 * is sought back to its first offset and its partition paused for an exponential backoff, so the other
 * partitions keep flowing while it waits for redelivery. A consumer that kafkajs gave up on, or that
 * went silent, is replaced after a capped backoff, so a broker outage never ends consumption.
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

  let stopping = false;
  let memberId = '';
  const failures = new Map<string, number>();
  const resumeTimers = new Set<NodeJS.Timeout>();
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => {
    markJoined = resolve;
  });
  /** Last sign of life of the kafkajs consumer: a fetch, a join or a handled batch. */
  let lastProgress = Date.now();
  /** Batches being handled now (one per partition at most). */
  let handling = 0;
  let restarting: Promise<void> | undefined;
  let restartAttempts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let wakeRestart: () => void = () => undefined;

  function create(): Consumer {
    const created = kafka.consumer({
      groupId: group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitMs,
      allowAutoTopicCreation: false,
      // kafkajs restarts a consumer that crashed on a retriable error after the retry delay; only a stop ends it.
      retry: { ...settings.retry, restartOnFailure: () => Promise.resolve(!stopping) },
    });
    created.on(created.events.GROUP_JOIN, (event) => {
      memberId = event.payload.memberId;
      lastProgress = Date.now();
      restartAttempts = 0;
      markJoined();
    });
    created.on(created.events.FETCH, () => {
      lastProgress = Date.now();
    });
    created.on(created.events.CRASH, (event) => {
      if (stopping || created !== consumer) return;
      report(toBusError('consume', event.payload.error));
      // kafkajs gives up for good on errors it deems non-retriable; a service must not stop consuming
      // because of one (a broker restart can produce them), so it starts again after a backoff.
      if (event.payload.restart === false) restart('kafkajs stopped the consumer after a non-retriable error');
    });
    return created;
  }

  async function begin(target: Consumer): Promise<void> {
    await target.connect();
    await target.subscribe({ topics: [...topics], fromBeginning: true });
    await target.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.partitionsInParallel,
      eachBatch: (payload) => eachBatch(target, payload),
    });
  }

  function backoff(attempt: number): number {
    return retryDelayMs(attempt, { firstMs: settings.firstRetryDelayMs, maxMs: settings.maxRetryDelayMs });
  }

  /** Replaces the kafkajs consumer with a new one, retrying with a capped exponential backoff until it runs. */
  function restart(reason: string): void {
    if (stopping || restarting !== undefined) return;
    restarting = (async () => {
      while (!stopping) {
        const delay = backoff(restartAttempts);
        restartAttempts++;
        report(
          new DependencyError('bus', `kafka consumer of '${group}' restarts in ${delay} ms: ${reason}`, {
            retryable: true,
          }),
        );
        await new Promise<void>((resolve) => {
          wakeRestart = resolve;
          restartTimer = setTimeout(resolve, delay);
        });
        if (stopping) return;
        const previous = consumer;
        consumer = create();
        lastProgress = Date.now();
        // A consumer that hangs must not hold up its replacement; its disconnect is only given some time.
        await Promise.race([previous.disconnect().catch(() => undefined), sleep(settings.sessionTimeoutMs)]);
        try {
          await begin(consumer);
          return;
        } catch (error) {
          report(toBusError('consume', error));
          reason = 'the new consumer could not start';
        }
      }
    })().finally(() => {
      restarting = undefined;
    });
  }

  function retryLater(owner: Consumer, payload: EachBatchPayload, fromOffset: number): void {
    const { topic, partition } = payload.batch;
    const key = `${topic}/${partition}`;
    const attempt = (failures.get(key) ?? 0) + 1;
    failures.set(key, attempt);
    owner.seek({ topic, partition, offset: String(fromOffset) });
    const resume = payload.pause();
    const timer = setTimeout(
      () => {
        resumeTimers.delete(timer);
        if (!stopping) resume();
      },
      backoff(attempt - 1),
    );
    resumeTimers.add(timer);
  }

  /** Handles one chunk, heartbeating meanwhile: a slow store or a blocked send must not cost the membership. */
  async function handleWithHeartbeats(payload: EachBatchPayload, batch: MessageBatch): Promise<void> {
    handling++;
    const keepAlive = setInterval(() => {
      payload.heartbeat().catch(() => undefined);
    }, settings.heartbeatIntervalMs);
    try {
      await handleBatch(batch);
    } finally {
      clearInterval(keepAlive);
      handling--;
      lastProgress = Date.now();
    }
  }

  async function eachBatch(owner: Consumer, payload: EachBatchPayload): Promise<void> {
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
        await handleWithHeartbeats(payload, portBatch);
      } catch (error) {
        report(error);
        retryLater(owner, payload, first.offset);
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
        retryLater(owner, payload, first.offset);
        return;
      }
      failures.delete(`${batch.topic}/${partition}`);
      restartAttempts = 0;
      payload.resolveOffset(String(last.offset));
      await payload.heartbeat();
    }
  }

  let consumer = create();
  try {
    await begin(consumer);
  } catch (error) {
    stopping = true;
    await consumer.disconnect().catch(() => undefined);
    throw toBusError('consume', error);
  }

  // A consumer that neither fetches nor handles anything for this long is stuck (seen after broker
  // restarts); it is replaced rather than left silent. kafkajs fetches every maxWaitMs when idle.
  const watchdog = setInterval(
    () => {
      if (handling === 0 && Date.now() - lastProgress > settings.stallRestartMs) {
        restart(`no fetch for ${Math.round((Date.now() - lastProgress) / 1000)} s`);
      }
    },
    Math.max(10, Math.floor(settings.stallRestartMs / 4)),
  );
  watchdog.unref();

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
        clearInterval(watchdog);
        clearTimeout(restartTimer);
        wakeRestart();
        for (const timer of resumeTimers) clearTimeout(timer);
        resumeTimers.clear();
        try {
          await restarting;
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
