import { join } from 'node:path';
import { DEFAULT_PARTITIONS, TOPICS, deadLetterTopic } from '@kafka-monitor/domain';
import type { EventBus, Store } from '@kafka-monitor/domain';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import type { Config } from './config.js';

export interface Infrastructure {
  readonly bus: EventBus;
  readonly store: Store;
  close(): Promise<void>;
}

export class UnavailableAdapterError extends Error {
  readonly code = 'ADAPTER_UNAVAILABLE';
}

/** The topics every deployment needs, created explicitly (never by auto-create). */
export function pipelineTopics(partitions = DEFAULT_PARTITIONS) {
  return [TOPICS.orders, TOPICS.registry].flatMap((name) => [
    { name, partitions },
    { name: deadLetterTopic(name), partitions: 1 },
  ]);
}

export function embeddedFiles(dataDir: string) {
  return { log: join(dataDir, 'log.db'), store: join(dataDir, 'store.db') };
}

/** Opens the bus and store the configuration names, creates the topics and migrates the schema. */
export async function openInfrastructure(config: Config): Promise<Infrastructure> {
  if (config.bus !== 'embedded') {
    throw new UnavailableAdapterError(`BUS=${config.bus} is not available in this build; use BUS=embedded`);
  }
  if (config.store !== 'sqlite') {
    throw new UnavailableAdapterError(`STORE=${config.store} is not available in this build; use STORE=sqlite`);
  }
  const files = embeddedFiles(config.dataDir);
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store, timelineRetention: config.timelineRetention });
  await bus.ensureTopics(pipelineTopics(config.partitions));
  await store.migrate();
  return {
    bus,
    store,
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
