import { routeViewGenerations, type Store } from '@kafka-monitor/domain';
import { createCassandraControlStore } from './control-store.js';
import { createCassandraDeadLetterStore } from './dead-letter-store.js';
import { describeCassandraStore } from './describe-store.js';
import { createCassandraProducedStore } from './produced-store.js';
import { createCassandraRegistryStore } from './registry-store.js';
import { keyspaces, migrate, type CassandraReplication } from './schema.js';
import type { SecretText } from '@kafka-monitor/domain';
import { gatedSession } from './request-gate.js';
import {
  DRIVER_REQUESTS_PER_CONNECTION,
  openSession,
  type CassandraTlsOptions,
  type ConsistencyName,
  type Session,
} from './session.js';
import { createCassandraViewGenerations } from './view-generations.js';

export interface CassandraStoreOptions {
  /** `host` or `host:port`; at least one. */
  readonly contactPoints: readonly string[];
  /** Data centre of the contact points (cassandra-driver needs it for its load balancing). */
  readonly localDataCenter: string;
  /** PasswordAuthenticator credentials: both or neither. */
  readonly username?: string | undefined;
  readonly password?: SecretText | undefined;
  /** TLS to the native port (client encryption); plaintext when absent. */
  readonly tls?: CassandraTlsOptions | undefined;
  /** SimpleStrategy replication factor of the three keyspaces; default 1. Ignored when `replication` is given. */
  readonly replicationFactor?: number;
  /** Replicas of the keyspaces when they are created; default SimpleStrategy with `replicationFactor`. */
  readonly replication?: CassandraReplication | undefined;
  /** Prepended/appended to the keyspace names (tests, side-by-side deployments); default ''. */
  readonly keyspacePrefix?: string;
  readonly keyspaceSuffix?: string;
  /** Reads and writes; default localQuorum (with RF 1 that is one replica). */
  readonly consistency?: ConsistencyName;
  /** Lightweight transactions and SERIAL reads; default localSerial. */
  readonly serialConsistency?: 'serial' | 'localSerial';
  readonly requestTimeoutMs?: number;
  /** Width of a timeline / recent-orders partition; default one hour. */
  readonly timelineBucketMs?: number;
  /** Seconds a timeline row lives; default 0 (kept; buckets already bound each partition). */
  readonly timelineTtlSeconds?: number;
  /** Seconds an idempotency key lives (TTL, beside the retention pass); default 0 (kept until expired by a pass). */
  readonly idempotencyKeyTtlSeconds?: number;
  /** Seconds a produced order's rows live (TTL, beside the retention pass); default 0. */
  readonly producedTtlSeconds?: number;
  /** Seconds a decision record (status_decisions) lives (TTL, beside the retention pass); default 0. */
  readonly decisionTtlSeconds?: number;
  /** Told each warning Cassandra sends back with an answer; the runtime logs them. */
  readonly onServerWarning?: (warning: string) => void;
  /**
   * Requests in flight at most (request-gate.ts); default 512, a quarter of what the driver's
   * connection holds. Beyond it requests wait, up to `maxRequestsWaiting` (default 10,000) for at most
   * `maxRequestWaitMs` (default 2 s), and are then refused as a retryable store failure.
   */
  readonly maxRequestsInFlight?: number;
  readonly maxRequestsWaiting?: number;
  readonly maxRequestWaitMs?: number;
}

export type { CassandraReplication, CassandraTlsOptions, ConsistencyName };

/**
 * The Cassandra store: the original keyspaces order_processor, query_processor, registry_processor
 * plus the additive tables that make effects exactly-once and reads cheap. Call `migrate()` before
 * use (the runtime does at start); the connection opens on the first request.
 */
export function createCassandraStore(options: CassandraStoreOptions): Store {
  if (options.contactPoints.length === 0) throw new Error('Cassandra store: no contact points');
  if ((options.username === undefined) !== (options.password === undefined)) {
    throw new Error('Cassandra store: a user name needs a password and a password a user name');
  }
  const gate = {
    maxInFlight: options.maxRequestsInFlight ?? DRIVER_REQUESTS_PER_CONNECTION / 4,
    maxWaiting: options.maxRequestsWaiting ?? 10_000,
    maxWaitMs: options.maxRequestWaitMs ?? 2_000,
  };
  if (!(gate.maxInFlight >= 1 && gate.maxInFlight <= DRIVER_REQUESTS_PER_CONNECTION)) {
    throw new Error(`Cassandra store: requests in flight must be between 1 and ${DRIVER_REQUESTS_PER_CONNECTION}`);
  }
  const session = openSession({
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    consistency: options.consistency ?? 'localQuorum',
    serialConsistency: options.serialConsistency ?? 'localSerial',
    requestTimeoutMs: options.requestTimeoutMs ?? 12_000,
    ...(options.onServerWarning === undefined ? {} : { onServerWarning: options.onServerWarning }),
  });
  return createStoreOnSession(gatedSession(session, gate), options);
}

/** The store over any Session: the driver's in production, an in-memory double in offline tests. */
export function createStoreOnSession(session: Session, options: CassandraStoreOptions): Store {
  const ks = keyspaces(options.keyspacePrefix ?? '', options.keyspaceSuffix ?? '');
  const bucketMs = options.timelineBucketMs ?? 3_600_000;
  const replication = options.replication ?? { class: 'SimpleStrategy', factor: options.replicationFactor ?? 1 };
  const viewGenerations = createCassandraViewGenerations(session, ks, {
    timelineBucketMs: bucketMs,
    timelineTtlSeconds: options.timelineTtlSeconds ?? 0,
    replication,
  });
  return {
    views: routeViewGenerations(viewGenerations),
    viewGenerations,
    registry: createCassandraRegistryStore(session, ks, { decisionTtlSeconds: options.decisionTtlSeconds ?? 0 }),
    produced: createCassandraProducedStore(session, ks, { bucketMs, ttlSeconds: options.producedTtlSeconds ?? 0 }),
    control: createCassandraControlStore(session, ks, {
      bucketMs,
      idempotencyKeyTtlSeconds: options.idempotencyKeyTtlSeconds ?? 0,
    }),
    deadLetters: createCassandraDeadLetterStore(session, ks),
    migrate: () => migrate(session, ks, replication),
    ping: async () => {
      await session.rows('SELECT release_version FROM system.local', []);
    },
    describe: () => describeCassandraStore(session, ks),
    close: () => session.close(),
  };
}
