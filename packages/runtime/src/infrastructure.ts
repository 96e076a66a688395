import { join } from 'node:path';
import { DEFAULT_PARTITIONS, TOPICS, deadLetterTopic, silentLogger } from '@kafka-monitor/domain';
import type { EventBus, Logger, Store } from '@kafka-monitor/domain';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
// Types only: the adapter itself is loaded when the configuration names it (see openAdapter).
import type { KafkaLogLevel, KafkaSaslOptions, KafkaTlsOptions } from '@kafka-monitor/bus-kafka';
import type { CassandraTlsOptions } from '@kafka-monitor/store-cassandra';
import { createSqliteStore, type SqliteStoreOptions } from '@kafka-monitor/store-sqlite';
import { pipelineSnapshotFolds } from '@kafka-monitor/pipeline';
import type { Config, TlsSettings } from './config.js';
import type { DiskWatch } from './disk-watch.js';
import { busNames, prefixEventBus } from './prefixed-bus.js';
import { ttlSecondsOf } from './store-retention.js';

export interface Infrastructure {
  readonly bus: EventBus;
  readonly store: Store;
  close(): Promise<void>;
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

/** What a process adds to the configuration when it opens the embedded files. */
export interface EmbeddedFileOptions {
  /** Told which embedded file refuses writes for lack of space, and when it stops. */
  readonly disk?: DiskWatch;
  /** Caps the growth of both files: a full disk for tests. */
  readonly pageLimit?: SqliteStoreOptions['pageLimit'];
}

/** The names the disk watch and readiness give the two embedded files. */
export const EMBEDDED_FILE_NAMES = { log: 'the embedded log', store: 'the SQLite store' } as const;

/** An adapter the configuration asks for that this process cannot provide. */
export class UnavailableAdapterError extends Error {
  readonly code = 'ADAPTER_UNAVAILABLE';
}

async function openBus(config: Config, logger: Logger, files: EmbeddedFileOptions): Promise<EventBus> {
  return prefixEventBus(await openAdapter(config, logger, files), config.busPrefix);
}

/**
 * kafkajs logs every error answer of the protocol (`Response Heartbeat(…)`: "The group is rebalancing")
 * at error level, although it retries them itself; a failure that outlasts its retries reaches the
 * caller as an exception, which the services log as an error. As log lines they are warnings, so a
 * rebalance does not fill the error log.
 */
export function kafkaLogLevel(level: KafkaLogLevel, message: string): KafkaLogLevel {
  return level === 'error' && message.startsWith('Response ') ? 'warn' : level;
}

function tlsFiles(tls: TlsSettings): CassandraTlsOptions {
  return { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile, verifyHostname: tls.verifyHostname };
}

/**
 * The Kafka adapter's security options from the configuration (KAFKA_SECURITY_PROTOCOL and friends),
 * for the services and the CLI alike. Secrets stay wrapped: the adapter reveals them to kafkajs only.
 */
export function kafkaSecurityOptions(config: Config): { tls?: KafkaTlsOptions; sasl?: KafkaSaslOptions } {
  const { tls, sasl } = config.kafkaSecurity;
  return {
    ...(tls === undefined ? {} : { tls: { ...tlsFiles(tls), keyPassword: tls.keyPassword } }),
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: sasl.mechanism.toLowerCase() as KafkaSaslOptions['mechanism'],
            username: sasl.username,
            password: sasl.password,
          },
        }),
  };
}

// The Kafka and Cassandra adapters are loaded only when the configuration names them: their drivers
// alone take ~30 MB of memory that the embedded default never uses.
async function openAdapter(config: Config, logger: Logger, files: EmbeddedFileOptions): Promise<EventBus> {
  if (config.bus === 'embedded') {
    const retentionLogger = logger.child({ component: 'retention' });
    return createEmbeddedEventBus({
      file: embeddedFiles(config.dataDir).log,
      backgroundCheckpoints: true,
      retention: { ms: config.logRetention.ms, bytes: config.logRetention.bytes },
      retentionCheckIntervalMs: config.logRetention.checkIntervalMs,
      // What retention deletes of orders and registry is folded into their snapshots first, so the
      // audit and the rebuild still recompute the views from snapshot + retained log.
      snapshots: pipelineSnapshotFolds((topic) => busNames(config.busPrefix).onBus(topic)),
      onRetention: (pass) => {
        if (pass.deletedMessages > 0) retentionLogger.debug(pass, 'retention deleted old messages');
      },
      onRetentionError: (error) => retentionLogger.warn({ err: error }, 'retention pass failed; next one retries'),
      ...(files.disk === undefined ? {} : { onOutOfSpace: files.disk.listenerFor(EMBEDDED_FILE_NAMES.log) }),
      ...(files.pageLimit === undefined ? {} : { pageLimit: files.pageLimit }),
    });
  }
  const { createKafkaEventBus } = await import('@kafka-monitor/bus-kafka');
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return createKafkaEventBus({
    brokers: config.kafkaBrokers,
    clientId: `kafka-monitor-${config.processorId}`,
    partitionsInParallel: config.kafkaPartitionsInParallel,
    ...kafkaSecurityOptions(config),
    log: (level, message, context) => {
      const shown = kafkaLogLevel(level, message);
      if (shown === 'error') kafkaLogger.error(context, message);
      else if (shown === 'warn') kafkaLogger.warn(context, message);
      else kafkaLogger.debug(context, message);
    },
  });
}

/**
 * The store the configuration names, not yet migrated; for tools (the CLI) that need it without a bus.
 * Long-running services pass `backgroundCheckpoints` (see @kafka-monitor/sqlite); a short command does not.
 */
export async function openStore(
  config: Config,
  options: { backgroundCheckpoints?: boolean; logger?: Logger; requestTimeoutMs?: number } & EmbeddedFileOptions = {},
): Promise<Store> {
  if (config.store === 'sqlite') {
    return createSqliteStore({
      file: embeddedFiles(config.dataDir).store,
      timelineRetention: config.timelineRetention,
      backgroundCheckpoints: options.backgroundCheckpoints ?? false,
      ...(options.disk === undefined ? {} : { onOutOfSpace: options.disk.listenerFor(EMBEDDED_FILE_NAMES.store) }),
      ...(options.pageLimit === undefined ? {} : { pageLimit: options.pageLimit }),
    });
  }
  const { contactPoints, port, datacenter, replication, keyspacePrefix, username, password, tls } = config.cassandra;
  const { createCassandraStore } = await import('@kafka-monitor/store-cassandra');
  const cassandraLogger = (options.logger ?? silentLogger).child({ component: 'cassandra' });
  return createCassandraStore({
    contactPoints: contactPoints.map((host) => (host.includes(':') ? host : `${host}:${port}`)),
    localDataCenter: datacenter,
    replication,
    keyspacePrefix,
    username,
    password,
    tls: tls === undefined ? undefined : tlsFiles(tls),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    // TTLs beside the retention passes: rows expire even where no process that owns them runs.
    timelineTtlSeconds: ttlSecondsOf(config.timelineTtlMs),
    idempotencyKeyTtlSeconds: ttlSecondsOf(config.storeRetention.idempotencyKeysMs),
    producedTtlSeconds: ttlSecondsOf(config.storeRetention.producedOrdersMs),
    decisionTtlSeconds: ttlSecondsOf(config.storeRetention.decisionsMs),
    onServerWarning: (warning) => cassandraLogger.warn({ warning }, 'Cassandra warned about a request'),
  });
}

/** Opens the bus and store the configuration names, creates the topics and migrates the schema. */
export async function openInfrastructure(
  config: Config,
  logger: Logger = silentLogger,
  files: EmbeddedFileOptions = {},
): Promise<Infrastructure> {
  const bus = await openBus(config, logger, files);
  let store: Store;
  try {
    store = await openStore(config, { backgroundCheckpoints: true, logger, ...files });
  } catch (error) {
    await bus.close().catch(() => undefined);
    throw error;
  }
  try {
    await bus.ensureTopics(pipelineTopics(config.partitions));
    await store.migrate();
  } catch (error) {
    // Leave nothing open behind a failed start: the caller only sees the error.
    await Promise.allSettled([bus.close(), store.close()]);
    throw error;
  }
  return {
    bus,
    store,
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
