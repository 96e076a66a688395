import { createEmbeddedEventBus, type EmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { DependencyError } from '@kafka-monitor/domain';
import type { EventBus, EventBusAdmin, Store } from '@kafka-monitor/domain';
import { pipelineSnapshotFolds } from '@kafka-monitor/pipeline';
import {
  busNames,
  embeddedFiles,
  kafkaSecurityOptions,
  openStore,
  prefixEventBus,
  prefixEventBusAdmin,
  UnavailableAdapterError,
  type Config,
} from '@kafka-monitor/runtime';

/** The bus as the CLI uses it: the pipeline's port, the admin role when the adapter has one, and where it is. */
export interface BusConnection {
  readonly bus: EventBus;
  /** Undefined when the adapter does not implement EventBusAdmin (yet). */
  readonly admin: EventBusAdmin | undefined;
  /** Where the commands act, for messages: "embedded log at …" or "Kafka at …". */
  readonly target: string;
  close(): Promise<void>;
}

export interface StoreConnection {
  readonly store: Store;
  readonly target: string;
}

/** How the CLI reaches its dependencies; the composition root passes `adaptersFromConfig`, tests may pass others. */
export interface Adapters {
  openBus(config: Config): Promise<BusConnection>;
  openStore(config: Config): Promise<StoreConnection>;
}

/**
 * Loaded by name at run time rather than imported, so the CLI builds and runs without the Kafka
 * adapter; asking for BUS=kafka without it is then a clear error instead of a crash at start.
 */
/**
 * The Kafka adapter, loaded only when BUS=kafka. The specifier is a literal so that the build bundles
 * the adapter (into a chunk of its own) instead of leaving a bare import of workspace sources behind.
 */
const loadKafkaAdapter = (): Promise<unknown> => import('@kafka-monitor/bus-kafka');

const ADMIN_METHODS = [
  'deleteTopic',
  'topicOffsets',
  'topicConfig',
  'alterTopicConfig',
  'deleteRecords',
  'listGroups',
  'deleteGroup',
  'resetGroupOffsets',
  'describeCluster',
  'brokerConfig',
] as const satisfies readonly (keyof EventBusAdmin)[];

/** An adapter may serve both roles on one client, as the embedded log does; recognise that by shape. */
export function asEventBusAdmin(candidate: object): EventBusAdmin | undefined {
  const record = candidate as Record<string, unknown>;
  return ADMIN_METHODS.every((method) => typeof record[method] === 'function')
    ? (candidate as EventBusAdmin)
    : undefined;
}

type KafkaBusFactory = (
  options: { brokers: readonly string[]; clientId: string; pingTimeoutMs: number } & ReturnType<
    typeof kafkaSecurityOptions
  >,
) => EventBus;

/**
 * The bus's own ping gives up a little before the command's deadline, so that when the sockets saw a
 * cause (a TLS listener, a refused certificate) the operator reads it rather than "did not finish".
 */
export function pingWithin(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(1_000, timeoutMs / 5));
}

async function loadKafkaFactory(packageName: string | undefined): Promise<KafkaBusFactory> {
  const adapter = packageName ?? '@kafka-monitor/bus-kafka';
  let module: unknown;
  try {
    module = packageName === undefined ? await loadKafkaAdapter() : ((await import(packageName)) as unknown);
  } catch (error) {
    throw new UnavailableAdapterError(
      `BUS=kafka needs the Kafka adapter (${adapter}), which is not available in this build ` +
        `(${(error as Error).message}); use BUS=embedded, or install the adapter`,
    );
  }
  const factory = (module as Record<string, unknown>).createKafkaEventBus;
  if (typeof factory !== 'function') {
    throw new UnavailableAdapterError(`BUS=kafka: ${adapter} does not export createKafkaEventBus; use BUS=embedded`);
  }
  return factory as KafkaBusFactory;
}

/** The deployment's names on the bus (BUS_PREFIX), exactly as the services see them. */
function withPrefix(connection: BusConnection, prefix: string): BusConnection {
  const admin = connection.admin;
  return {
    ...connection,
    bus: prefixEventBus(connection.bus, prefix),
    admin: admin === undefined ? undefined : prefixEventBusAdmin(admin, prefix),
    target: prefix === '' ? connection.target : `${connection.target} (names prefixed '${prefix}')`,
  };
}

/** Picks the bus and store adapters from the configuration, as the services' composition root does. */
export function adaptersFromConfig(options: { pingTimeoutMs: number; kafkaPackage?: string }): Adapters {
  async function openAdapter(config: Config): Promise<BusConnection> {
    switch (config.bus) {
      case 'embedded': {
        const file = embeddedFiles(config.dataDir).log;
        let bus: EmbeddedEventBus;
        try {
          // The services' defaults, so topic-config shows what they apply; the CLI deletes nothing itself.
          bus = createEmbeddedEventBus({
            file,
            retention: { ms: config.logRetention.ms, bytes: config.logRetention.bytes },
            // delete-records on orders or registry folds what it deletes into their snapshots, as
            // the services' retention does.
            snapshots: pipelineSnapshotFolds((topic) => busNames(config.busPrefix).onBus(topic)),
          });
        } catch (error) {
          throw new DependencyError('bus', `cannot open the embedded log at ${file}`, { cause: error });
        }
        return { bus, admin: bus, target: `embedded log at ${file}`, close: () => bus.close() };
      }
      case 'kafka': {
        const create = await loadKafkaFactory(options.kafkaPackage);
        const bus = create({
          brokers: config.kafkaBrokers,
          clientId: 'kafka-monitor-cli',
          pingTimeoutMs: pingWithin(options.pingTimeoutMs),
          ...kafkaSecurityOptions(config),
        });
        return {
          bus,
          admin: asEventBusAdmin(bus),
          target: `Kafka at ${config.kafkaBrokers.join(',')}`,
          close: () => bus.close(),
        };
      }
    }
  }

  return {
    async openBus(config) {
      return withPrefix(await openAdapter(config), config.busPrefix);
    },

    openStore(config) {
      // The runtime picks the store exactly as it does for the services (SQLite or Cassandra).
      const target =
        config.store === 'sqlite'
          ? `SQLite store at ${embeddedFiles(config.dataDir).store}`
          : `Cassandra at ${config.cassandra.contactPoints.join(',')}`;
      return openStore(config, { requestTimeoutMs: pingWithin(options.pingTimeoutMs) }).then(
        (store) => ({ store, target }),
        (error: unknown) =>
          Promise.reject(
            // A refused setting (an unreadable certificate) already names its cause in one line.
            error instanceof DependencyError && error.misconfigured
              ? error
              : new DependencyError('store', `cannot open the ${target}`, { cause: error }),
          ),
      );
    },
  };
}
