import { RULE_HITS_COLUMN, ruleHitsColumn } from './registry/rule-hits.js';
import type { Session } from './session.js';

export interface Keyspaces {
  /** order_processor: produced orders and the control state the processes share. */
  readonly order: string;
  /** query_processor: views and the positions that make them exactly-once. */
  readonly query: string;
  /** registry_processor: registered orders, history, decisions, change feed. */
  readonly registry: string;
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;

/** Keyspace names are identifiers, not bindable values: they are checked before any CQL holds them. */
export function keyspaces(prefix: string, suffix: string): Keyspaces {
  const names = {
    order: `${prefix}order_processor${suffix}`,
    query: `${prefix}query_processor${suffix}`,
    registry: `${prefix}registry_processor${suffix}`,
  };
  for (const name of Object.values(names)) {
    if (!IDENTIFIER.test(name)) throw new Error(`invalid Cassandra keyspace name: ${name}`);
  }
  return names;
}

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** Statements with {order}, {query}, {registry} standing for the keyspace names. */
  readonly statements: readonly string[];
  /** Runs after the statements, for what depends on the data already there; must be safe to repeat. */
  readonly after?: (session: Session, ks: Keyspaces) => Promise<void>;
}

/**
 * store_settings rows naming how order ids are claimed. A store that counted or registered orders
 * before version 3 holds those claims one partition per order id (counted_orders, registered_orders),
 * where the batched claims of order_claims and registration_claims cannot see them: it keeps claiming
 * there, one lightweight transaction per order, as before.
 */
export const CLAIM_SETTINGS = { views: 'order-claims', registry: 'registration-claims' } as const;
export const CLAIMS_PER_ORDER = 'per-order';

/**
 * Whether the store keeps the per-order claims of `setting`. Read once, on first use (after the
 * migration that writes it; it never changes), and again only after a failed read.
 */
export function claimsPerOrder(session: Session, ks: Keyspaces, setting: string): () => Promise<boolean> {
  let known: Promise<boolean> | undefined;
  const read = async () => {
    const [row] = await session.rows(`SELECT value FROM ${ks.order}.store_settings WHERE name = ?`, [setting]);
    return row?.value === CLAIMS_PER_ORDER;
  };
  return () => {
    known ??= read().catch((error: unknown) => {
      known = undefined;
      throw error;
    });
    return known;
  };
}

const buckets = (ks: string) =>
  `CREATE TABLE IF NOT EXISTS {${ks}}.time_buckets (
     series text, bucket_id int, PRIMARY KEY ((series), bucket_id)
   ) WITH CLUSTERING ORDER BY (bucket_id DESC)`;

/**
 * Versioned CQL, applied in order and recorded in order_processor.schema_migrations. Every statement
 * is IF NOT EXISTS, so a migration interrupted half way is simply applied again. Tables and columns
 * of the original keyspaces keep their names and types; everything else is additive (listed in
 * docs/compatibility.md). Money is kept in integer cents next to the original double/decimal columns.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'original tables, shards, claims, buckets, change feed, control',
    statements: [
      // order_processor
      `CREATE TABLE IF NOT EXISTS {order}.orders (
         order_id uuid PRIMARY KEY, customer_id int, product_id text, quantity int, unit_price decimal,
         total decimal, timestamp timestamp, status text,
         order_key text, unit_price_cents bigint, total_cents bigint)`,
      `CREATE TABLE IF NOT EXISTS {order}.orders_recent (
         bucket_id int, timestamp timestamp, order_id text, customer_id int, product_id text, quantity int,
         unit_price_cents bigint, total_cents bigint, status text,
         PRIMARY KEY ((bucket_id), timestamp, order_id)
       ) WITH CLUSTERING ORDER BY (timestamp DESC, order_id DESC)`,
      buckets('order'),
      `CREATE TABLE IF NOT EXISTS {order}.idempotency_keys (
         key text PRIMARY KEY, order_id text, fingerprint text, created_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS {order}.generator_settings (
         id int PRIMARY KEY, order_rate double, anomaly_rate double, updated_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS {order}.processor_instances (
         scope text, processor text, instance_id text, started_at timestamp, heartbeat_at timestamp,
         processed bigint, errors bigint, throughput double, last_processed_at timestamp,
         PRIMARY KEY ((scope), processor, instance_id))`,
      // query_processor
      `CREATE TABLE IF NOT EXISTS {query}.orders_by_customer (
         customer_id int PRIMARY KEY, first_order_timestamp timestamp, last_order_id text,
         last_order_timestamp timestamp, total_orders int, total_spent double, total_spent_cents bigint)`,
      `CREATE TABLE IF NOT EXISTS {query}.orders_by_product (
         product_id text PRIMARY KEY, total_quantity int, total_revenue double, order_count int,
         avg_quantity double, last_order_timestamp timestamp, total_revenue_cents bigint)`,
      // order_id ascending within a timestamp, as the original; keyspaces created before this was so keep
      // it descending (a clustering order cannot change), and the timeline read orders ties itself.
      `CREATE TABLE IF NOT EXISTS {query}.orders_timeline (
         bucket_id int, timestamp timestamp, order_id text, customer_id int, product_id text, quantity int,
         unit_price double, total double, status text, unit_price_cents bigint, total_cents bigint,
         PRIMARY KEY ((bucket_id), timestamp, order_id)
       ) WITH CLUSTERING ORDER BY (timestamp DESC, order_id ASC)`,
      `CREATE TABLE IF NOT EXISTS {query}.processing_stats (
         processor_id text PRIMARY KEY, processed_count bigint, error_count bigint,
         last_processed_timestamp timestamp)`,
      buckets('query'),
      `CREATE TABLE IF NOT EXISTS {query}.source_positions (
         shard_group text, consumer text, topic text, partition int, next_offset bigint,
         processed_count bigint, error_count bigint, last_processed_timestamp timestamp,
         total_orders bigint, total_spent_cents bigint, customers_claimed bigint, products_claimed bigint,
         PRIMARY KEY ((shard_group), consumer, topic, partition))`,
      `CREATE TABLE IF NOT EXISTS {query}.counted_orders (
         order_id text PRIMARY KEY, claimed_by text, customer_id int, product_id text, quantity int,
         unit_price_cents bigint, total_cents bigint, timestamp timestamp, status text)`,
      `CREATE TABLE IF NOT EXISTS {query}.customer_claims (customer_id int PRIMARY KEY, claimed_by text)`,
      `CREATE TABLE IF NOT EXISTS {query}.product_claims (product_id text PRIMARY KEY, claimed_by text)`,
      `CREATE TABLE IF NOT EXISTS {query}.customer_shards (
         shard_group text, customer_id int, consumer text, topic text, partition int, next_offset bigint,
         total_orders bigint, total_spent_cents bigint, first_order_timestamp bigint, last_order_id text,
         last_order_timestamp bigint,
         PRIMARY KEY ((shard_group), customer_id, consumer, topic, partition))`,
      `CREATE TABLE IF NOT EXISTS {query}.product_shards (
         shard_group text, product_id text, consumer text, topic text, partition int, next_offset bigint,
         total_quantity bigint, total_revenue_cents bigint, order_count bigint, last_order_timestamp bigint,
         PRIMARY KEY ((shard_group), product_id, consumer, topic, partition))`,
      // registry_processor
      `CREATE TABLE IF NOT EXISTS {registry}.registered_orders (
         order_id text PRIMARY KEY, customer_id int, product_id text, quantity int, unit_price double,
         total double, status text, registered_at timestamp, updated_at timestamp, version int,
         validation_passed boolean,
         unit_price_cents bigint, total_cents bigint, order_timestamp timestamp, order_status text,
         failed_rules text, registered_by text, last_request_id text)`,
      `CREATE TABLE IF NOT EXISTS {registry}.order_updates (
         order_id text, version int, previous_status text, new_status text, updated_at timestamp,
         update_reason text, request_id text, requested_by text,
         PRIMARY KEY ((order_id), version)
       ) WITH CLUSTERING ORDER BY (version DESC)`,
      `CREATE TABLE IF NOT EXISTS {registry}.validation_stats (
         processor_id text PRIMARY KEY, total_validated bigint, total_approved bigint, total_rejected bigint,
         timestamp timestamp)`,
      `CREATE TABLE IF NOT EXISTS {registry}.status_decisions (
         request_id text PRIMARY KEY, order_id text, applied boolean, reason text, decided_at timestamp,
         new_status text, decided_by text)`,
      `CREATE TABLE IF NOT EXISTS {registry}.registered_by_status (
         status text, bucket_id int, registered_at timestamp, order_id text,
         PRIMARY KEY ((status, bucket_id), registered_at, order_id)
       ) WITH CLUSTERING ORDER BY (registered_at DESC, order_id DESC)`,
      buckets('registry'),
      `CREATE TABLE IF NOT EXISTS {registry}.source_positions (
         shard_group text, consumer text, topic text, partition int, next_offset bigint,
         processed_count bigint, error_count bigint, last_processed_timestamp timestamp,
         registered_count bigint, pending_count bigint, accepted_count bigint, denied_count bigint,
         accepted_revenue_cents bigint, total_validated bigint, total_approved bigint, total_rejected bigint,
         PRIMARY KEY ((shard_group), consumer, topic, partition))`,
      `CREATE TABLE IF NOT EXISTS {registry}.registry_changes (
         bucket_id int, seq bigint, changes text, written_at timestamp,
         PRIMARY KEY ((bucket_id), seq))`,
    ],
  },
  {
    version: 2,
    description: 'dead letters, their status index and audit trail',
    statements: [
      `CREATE TABLE IF NOT EXISTS {order}.dead_letters (
         id text PRIMARY KEY, source_topic text, source_partition int, source_offset bigint, message_key text,
         value_base64 text, headers text, reason text, groups text, failed_at timestamp, status text,
         updated_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS {order}.dead_letters_by_status (
         status text, failed_at timestamp, id text, reason text,
         PRIMARY KEY ((status), failed_at, id)
       ) WITH CLUSTERING ORDER BY (failed_at DESC, id DESC)`,
      `CREATE TABLE IF NOT EXISTS {order}.dead_letter_actions (
         dead_letter_id text, at timestamp, action_id text, action text, actor text, note text,
         edited_payload text, redriven_topic text, redriven_partition int, redriven_offset bigint,
         PRIMARY KEY ((dead_letter_id), at, action_id))`,
    ],
  },
  {
    version: 3,
    description: 'order ids claimed in batches, in partitions by id hash and order day',
    statements: [
      `CREATE TABLE IF NOT EXISTS {order}.store_settings (name text PRIMARY KEY, value text)`,
      `CREATE TABLE IF NOT EXISTS {query}.order_claims (
         bucket int, day int, order_id text, claimed_by text,
         PRIMARY KEY ((bucket, day), order_id))`,
      `CREATE TABLE IF NOT EXISTS {registry}.registration_claims (
         bucket int, day int, order_id text, claimed_by text, registered_at bigint,
         PRIMARY KEY ((bucket, day), order_id))`,
    ],
    async after(session, ks) {
      const legacy = [
        { setting: CLAIM_SETTINGS.views, table: `${ks.query}.counted_orders` },
        { setting: CLAIM_SETTINGS.registry, table: `${ks.registry}.registered_orders` },
      ];
      for (const { setting, table } of legacy) {
        const [claimed] = await session.rows(`SELECT order_id FROM ${table} LIMIT 1`, []);
        if (claimed === undefined) continue;
        await session.write(`INSERT INTO ${ks.order}.store_settings (name, value) VALUES (?, ?)`, [
          setting,
          CLAIMS_PER_ORDER,
        ]);
      }
    },
  },
  {
    version: 4,
    description: "the original's statistics table and timeline index by order id",
    statements: [
      `CREATE TABLE IF NOT EXISTS {order}.statistics (metric text PRIMARY KEY, value counter)`,
      `CREATE INDEX IF NOT EXISTS orders_timeline_order_id_idx ON {query}.orders_timeline (order_id)`,
    ],
  },
  {
    version: 5,
    description: "an order's journey: when the views counted it, its dead letters by key",
    statements: [`CREATE INDEX IF NOT EXISTS dead_letters_message_key_idx ON {order}.dead_letters (message_key)`],
    // Where each effect came from is already in the claim tokens (claimed_by, registered_by, decided_by).
    after: (session, ks) => addColumn(session, ks.query, 'counted_orders', 'applied_at', 'bigint'),
  },
  {
    version: 6,
    description: 'generations of the views: the pointer and the rebuild lease',
    statements: [
      `CREATE TABLE IF NOT EXISTS {order}.view_generations (
         id int PRIMARY KEY, reads int, writes int, lease_owner text, lease_until bigint)`,
    ],
    async after(session, ks) {
      await session.lwt(
        `INSERT INTO ${ks.order}.view_generations (id, reads, writes) VALUES (?, ?, ?) IF NOT EXISTS`,
        [1, 0, 0],
      );
    },
  },
  {
    version: 7,
    description: 'retention: idempotency keys and decisions by hour, expired dead letters still counted',
    statements: [
      `CREATE TABLE IF NOT EXISTS {order}.idempotency_keys_by_hour (
         bucket_id int, created_at timestamp, key text,
         PRIMARY KEY ((bucket_id), created_at, key))`,
      `CREATE TABLE IF NOT EXISTS {registry}.status_decisions_by_hour (
         bucket_id int, decided_at timestamp, request_id text,
         PRIMARY KEY ((bucket_id), decided_at, request_id))`,
      `CREATE TABLE IF NOT EXISTS {order}.dead_letters_expired (
         source_topic text, reason text, status text, expired counter,
         PRIMARY KEY ((source_topic), reason, status))`,
    ],
    async after(session, ks) {
      await timeWindowCompaction(session, ks.order, 'idempotency_keys_by_hour', 'HOURS');
      await timeWindowCompaction(session, ks.registry, 'status_decisions_by_hour', 'HOURS');
      await timeWindowCompaction(session, ks.query, 'orders_timeline', 'DAYS');
      // Keys reserved before this version get their index row, so retention finds them too (the table
      // holds only keys clients sent, a small one; a repeat writes the same rows).
      const bucketMs = 3_600_000;
      for (const row of await session.rows(`SELECT key, created_at FROM ${ks.order}.idempotency_keys`, [])) {
        const createdAt = typeof row.created_at === 'number' ? row.created_at : 0;
        const bucket = Math.floor(createdAt / bucketMs);
        await session.write(`INSERT INTO ${ks.order}.time_buckets (series, bucket_id) VALUES (?, ?)`, [
          'idempotency-keys',
          bucket,
        ]);
        await session.write(
          `INSERT INTO ${ks.order}.idempotency_keys_by_hour (bucket_id, created_at, key) VALUES (?, ?, ?)`,
          [bucket, createdAt, row.key],
        );
      }
    },
  },
  {
    version: 8,
    description: "a registration's first history entry in the order row",
    statements: [],
    // registered_orders keeps version 1 of the history (its status and reason); order_updates keeps the
    // decisions, and the version-1 rows of orders registered before, which the history read prefers.
    async after(session, ks) {
      await addColumn(session, ks.registry, 'registered_orders', 'initial_status', 'text');
      await addColumn(session, ks.registry, 'registered_orders', 'registration_reason', 'text');
    },
  },
  {
    version: 9,
    description: 'per-rule hits in the registry position rows',
    statements: [],
    after: (session, ks) =>
      addColumn(session, ruleHitsColumn.keyspace(ks), ruleHitsColumn.table, RULE_HITS_COLUMN, ruleHitsColumn.type),
  },
];

/**
 * Time-window compaction for a table whose rows are written once and expire by age (TTL or a retention
 * pass): whole SSTables of expired windows are dropped instead of compacted. Altered only when the table
 * has another strategy, so a restart changes nothing and an operator's own window is kept.
 */
async function timeWindowCompaction(
  session: Session,
  keyspace: string,
  table: string,
  unit: 'HOURS' | 'DAYS',
): Promise<void> {
  const [current] = await session.rows(
    'SELECT compaction FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
    [keyspace, table],
  );
  const strategy = (current?.compaction as Record<string, string> | undefined)?.class ?? '';
  if (current === undefined || strategy.endsWith('TimeWindowCompactionStrategy')) return;
  await session.ddl(
    `ALTER TABLE ${keyspace}.${table} WITH compaction = {'class': 'TimeWindowCompactionStrategy', ` +
      `'compaction_window_unit': '${unit}', 'compaction_window_size': 1}`,
  );
}

/**
 * The keyspace of a views generation: generation 0 is query_processor itself, generation N its
 * sibling `<query>_gN`, with the same tables (viewKeyspaceStatements).
 */
export function viewKeyspace(ks: Keyspaces, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error(`invalid views generation ${generation}`);
  const name = generation === 0 ? ks.query : `${ks.query}_g${generation}`;
  if (!IDENTIFIER.test(name)) throw new Error(`invalid Cassandra keyspace name: ${name}`);
  return name;
}

/** Creates a generation's keyspace and every query_processor table the migrations define, in it. */
export async function createViewKeyspace(
  session: Session,
  keyspace: string,
  replication: CassandraReplication,
): Promise<void> {
  await session.ddl(`CREATE KEYSPACE IF NOT EXISTS ${keyspace}
       WITH replication = ${replicationMap(replication)}`);
  for (const migration of MIGRATIONS) {
    for (const statement of migration.statements) {
      if (statement.includes('{query}')) await session.ddl(statement.replaceAll('{query}', keyspace));
    }
  }
  await addColumn(session, keyspace, 'counted_orders', 'applied_at', 'bigint');
  await timeWindowCompaction(session, keyspace, 'orders_timeline', 'DAYS');
}

/**
 * ALTER TABLE … ADD has no IF NOT EXISTS before Cassandra 5, so the schema is asked first: a migration
 * interrupted after the ALTER is applied again without failing. Services starting together migrate at
 * once, so another one may add the column between the read and the ALTER: an ALTER that fails is
 * accepted when the schema, asked again, has the column.
 */
async function addColumn(session: Session, keyspace: string, table: string, column: string, type: string) {
  const hasColumn = async (): Promise<boolean> =>
    (
      await session.rows(
        'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?',
        [keyspace, table, column],
      )
    ).length > 0;
  if (await hasColumn()) return;
  try {
    await session.ddl(`ALTER TABLE ${keyspace}.${table} ADD ${column} ${type}`);
  } catch (error) {
    if (!(await hasColumn())) throw error;
  }
}

const fill = (cql: string, ks: Keyspaces): string =>
  cql.replaceAll('{order}', ks.order).replaceAll('{query}', ks.query).replaceAll('{registry}', ks.registry);

/** Replicas of the keyspaces: one factor (one data centre), or a factor per data centre. */
export type CassandraReplication =
  | { readonly class: 'SimpleStrategy'; readonly factor: number }
  | {
      readonly class: 'NetworkTopologyStrategy';
      readonly dataCenters: readonly { readonly name: string; readonly factor: number }[];
    };

const DATA_CENTRE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checkFactor(factor: number): void {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`invalid replication factor: ${factor}`);
}

/**
 * The CQL replication map. Names and factors are validated before they are put in the statement (DDL
 * cannot bind values), so nothing but a data centre name and an integer ever reaches it.
 */
export function replicationMap(replication: CassandraReplication): string {
  if (replication.class === 'SimpleStrategy') {
    checkFactor(replication.factor);
    return `{'class': 'SimpleStrategy', 'replication_factor': ${replication.factor}}`;
  }
  if (replication.dataCenters.length === 0) throw new Error('NetworkTopologyStrategy needs at least one data centre');
  const entries = replication.dataCenters.map(({ name, factor }) => {
    if (!DATA_CENTRE_NAME.test(name)) throw new Error(`invalid data centre name: ${JSON.stringify(name)}`);
    checkFactor(factor);
    return `'${name}': ${factor}`;
  });
  return `{'class': 'NetworkTopologyStrategy', ${entries.join(', ')}}`;
}

/**
 * Creates the keyspaces (SimpleStrategy with one replication factor, or NetworkTopologyStrategy with a
 * factor per data centre), then applies the migrations not yet recorded. Safe to run at every start
 * and from several processes at once: every statement is IF NOT EXISTS and recording a version twice
 * writes the same row. A keyspace that exists keeps its replication: changing it is an operator's
 * ALTER KEYSPACE followed by a repair.
 */
export async function migrate(session: Session, ks: Keyspaces, replication: CassandraReplication): Promise<void> {
  const map = replicationMap(replication);
  for (const name of [ks.order, ks.query, ks.registry]) {
    await session.ddl(`CREATE KEYSPACE IF NOT EXISTS ${name}\n       WITH replication = ${map}`);
  }
  await session.ddl(
    `CREATE TABLE IF NOT EXISTS ${ks.order}.schema_migrations (
       version int PRIMARY KEY, description text, applied_at timestamp)`,
  );
  const applied = new Set(
    (await session.rows(`SELECT version FROM ${ks.order}.schema_migrations`, [])).map((r) => r.version),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await session.ddl(fill(statement, ks));
    await migration.after?.(session, ks);
    await session.write(
      `INSERT INTO ${ks.order}.schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
      [migration.version, migration.description, Date.now()],
    );
  }
}
