import { TOPICS, collectDeadLetter, deadLetterTopic } from '@kafka-monitor/domain';
import type { DeadLetterStore, EventBus, Logger } from '@kafka-monitor/domain';

/** The consumer group through which monitors read the dead-letter topics into the store. */
export const DEAD_LETTER_COLLECTOR_GROUP = 'monitor-dead-letters';

export interface DeadLetterCollectorDeps {
  readonly bus: EventBus;
  readonly deadLetters: DeadLetterStore;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface DeadLetterCollector {
  stop(): Promise<void>;
}

/**
 * Reads every `<topic>.dlq` into the dead-letter store, so operators can list, redrive and discard
 * them. The topics stay the record (any Kafka tool can read them); recording is idempotent per source
 * position, so the at-least-once delivery of the bus never shows a dead letter twice.
 */
export async function startDeadLetterCollector(deps: DeadLetterCollectorDeps): Promise<DeadLetterCollector> {
  const handle = await deps.bus.consume({
    group: DEAD_LETTER_COLLECTOR_GROUP,
    topics: [deadLetterTopic(TOPICS.orders), deadLetterTopic(TOPICS.registry)],
    handleBatch: async (batch) => {
      await deps.deadLetters.record(batch.messages.map(collectDeadLetter), deps.now());
    },
    onError: (error) => deps.logger.warn({ err: error }, 'collecting dead letters failed; retrying'),
  });
  return { stop: () => handle.stop() };
}
