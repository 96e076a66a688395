/**
 * Versioned schema of the embedded store, one script per version (tracked in user_version). Tables
 * mirror the Cassandra keyspaces of the original (order_processor, query_processor,
 * registry_processor); money is kept in integer cents, and the extra tables make every API read
 * an index lookup: O(1) totals, status and time indexes, and the positions that make effects
 * exactly-once.
 */
export const STORE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE orders (
     order_id TEXT PRIMARY KEY,
     customer_id INTEGER NOT NULL,
     product_id TEXT NOT NULL,
     quantity INTEGER NOT NULL,
     unit_price_cents INTEGER NOT NULL,
     total_cents INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     status TEXT NOT NULL
   );
   CREATE INDEX orders_newest ON orders (timestamp DESC, order_id DESC);

   CREATE TABLE applied_positions (
     consumer TEXT NOT NULL,
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     next_offset INTEGER NOT NULL,
     PRIMARY KEY (consumer, topic, partition)
   ) WITHOUT ROWID;
   CREATE TABLE processing_stats (
     processor_id TEXT PRIMARY KEY,
     processed_count INTEGER NOT NULL,
     error_count INTEGER NOT NULL,
     last_processed_timestamp INTEGER
   );

   CREATE TABLE counted_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
   CREATE TABLE orders_by_customer (
     customer_id INTEGER PRIMARY KEY,
     first_order_timestamp INTEGER NOT NULL,
     last_order_id TEXT NOT NULL,
     last_order_timestamp INTEGER NOT NULL,
     total_orders INTEGER NOT NULL,
     total_spent_cents INTEGER NOT NULL
   );
   CREATE INDEX customers_by_spent ON orders_by_customer (total_spent_cents DESC, customer_id);
   CREATE TABLE orders_by_product (
     product_id TEXT PRIMARY KEY,
     total_quantity INTEGER NOT NULL,
     total_revenue_cents INTEGER NOT NULL,
     order_count INTEGER NOT NULL,
     last_order_timestamp INTEGER NOT NULL
   );
   CREATE INDEX products_by_revenue ON orders_by_product (total_revenue_cents DESC, product_id);
   CREATE INDEX products_by_id_nocase ON orders_by_product (product_id COLLATE NOCASE);
   CREATE TABLE orders_timeline (
     order_id TEXT PRIMARY KEY,
     customer_id INTEGER NOT NULL,
     product_id TEXT NOT NULL,
     quantity INTEGER NOT NULL,
     unit_price_cents INTEGER NOT NULL,
     total_cents INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     status TEXT NOT NULL
   );
   CREATE INDEX timeline_newest ON orders_timeline (timestamp DESC, order_id DESC);
   CREATE TABLE order_totals (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     total_orders INTEGER NOT NULL,
     total_spent_cents INTEGER NOT NULL,
     customer_count INTEGER NOT NULL,
     product_count INTEGER NOT NULL,
     timeline_count INTEGER NOT NULL
   );
   INSERT INTO order_totals VALUES (1, 0, 0, 0, 0, 0);

   CREATE TABLE registered_orders (
     order_id TEXT PRIMARY KEY,
     customer_id INTEGER NOT NULL,
     product_id TEXT NOT NULL,
     quantity INTEGER NOT NULL,
     unit_price_cents INTEGER NOT NULL,
     total_cents INTEGER NOT NULL,
     order_timestamp INTEGER NOT NULL,
     order_status TEXT NOT NULL,
     status TEXT NOT NULL,
     registered_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     version INTEGER NOT NULL,
     validation_passed INTEGER NOT NULL,
     failed_rules TEXT NOT NULL,
     registration_seq INTEGER NOT NULL
   );
   CREATE INDEX registered_by_status ON registered_orders (status, registration_seq DESC);
   CREATE TABLE order_updates (
     order_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     previous_status TEXT,
     new_status TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     update_reason TEXT NOT NULL,
     request_id TEXT,
     requested_by TEXT,
     PRIMARY KEY (order_id, version)
   ) WITHOUT ROWID;
   CREATE TABLE status_decisions (
     request_id TEXT PRIMARY KEY,
     order_id TEXT NOT NULL,
     applied INTEGER NOT NULL,
     reason TEXT,
     decided_at INTEGER NOT NULL
   );
   CREATE TABLE validation_stats (
     processor_id TEXT PRIMARY KEY,
     total_validated INTEGER NOT NULL,
     total_approved INTEGER NOT NULL,
     total_rejected INTEGER NOT NULL,
     timestamp INTEGER
   );
   CREATE TABLE registry_totals (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     registered_count INTEGER NOT NULL,
     accepted_count INTEGER NOT NULL,
     denied_count INTEGER NOT NULL,
     pending_count INTEGER NOT NULL,
     accepted_revenue_cents INTEGER NOT NULL
   );
   INSERT INTO registry_totals VALUES (1, 0, 0, 0, 0, 0);`,
  `CREATE TABLE registry_changes (
     cursor INTEGER PRIMARY KEY AUTOINCREMENT,
     order_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     previous_status TEXT,
     version INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE TABLE idempotency_keys (
     key TEXT PRIMARY KEY,
     order_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE generator_settings (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     order_rate REAL NOT NULL,
     anomaly_rate REAL NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE processor_instances (
     processor TEXT NOT NULL,
     instance_id TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL,
     processed INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     throughput REAL NOT NULL,
     last_processed_at INTEGER,
     PRIMARY KEY (processor, instance_id)
   ) WITHOUT ROWID;`,
  `CREATE TABLE dead_letters (
     id TEXT PRIMARY KEY,
     source_topic TEXT NOT NULL,
     source_partition INTEGER NOT NULL,
     source_offset INTEGER NOT NULL,
     message_key TEXT,
     value BLOB NOT NULL,
     headers TEXT NOT NULL,
     reason TEXT NOT NULL,
     groups TEXT NOT NULL,
     failed_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX dead_letters_newest ON dead_letters (status, failed_at DESC, id DESC);
   CREATE INDEX dead_letters_by_reason ON dead_letters (status, reason, failed_at DESC, id DESC);
   CREATE TABLE dead_letter_actions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     dead_letter_id TEXT NOT NULL,
     action TEXT NOT NULL,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     note TEXT,
     edited_payload TEXT,
     redriven_topic TEXT,
     redriven_partition INTEGER,
     redriven_offset INTEGER
   );
   CREATE INDEX dead_letter_actions_by_letter ON dead_letter_actions (dead_letter_id, seq);`,
  // A registration's history entry (version 1) lives in its order row: one random-key B-tree insert
  // per order fewer. Rows registered before keep theirs in order_updates (these columns stay NULL).
  `ALTER TABLE registered_orders ADD COLUMN initial_status TEXT;
   ALTER TABLE registered_orders ADD COLUMN registration_reason TEXT;`,
  // Dead letters counted per topic, reason and status at every scrape: read from this index alone,
  // never from the rows with their payloads.
  `CREATE INDEX dead_letters_counts ON dead_letters (source_topic, reason, status);`,
  // Where each order's effects came from on the log, for its journey: the position that counted it
  // into the views (kept past the timeline's retention), registered it, or decided on it. Rows
  // written before keep NULL. Dead letters are found by their key (an order id) through the index.
  `ALTER TABLE counted_orders ADD COLUMN source_topic TEXT;
   ALTER TABLE counted_orders ADD COLUMN source_partition INTEGER;
   ALTER TABLE counted_orders ADD COLUMN source_offset INTEGER;
   ALTER TABLE counted_orders ADD COLUMN applied_at INTEGER;
   ALTER TABLE registered_orders ADD COLUMN source_topic TEXT;
   ALTER TABLE registered_orders ADD COLUMN source_partition INTEGER;
   ALTER TABLE registered_orders ADD COLUMN source_offset INTEGER;
   ALTER TABLE status_decisions ADD COLUMN source_topic TEXT;
   ALTER TABLE status_decisions ADD COLUMN source_partition INTEGER;
   ALTER TABLE status_decisions ADD COLUMN source_offset INTEGER;
   CREATE INDEX dead_letters_by_key ON dead_letters (message_key, failed_at);`,
  // Generations of the views (view-tables.ts): which one answers reads, which one the live query
  // processor writes, and the lease that lets one rebuild run at a time.
  `CREATE TABLE view_generations (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     reads INTEGER NOT NULL,
     writes INTEGER NOT NULL,
     lease_owner TEXT,
     lease_until INTEGER
   );
   INSERT INTO view_generations VALUES (1, 0, 0, NULL, NULL);`,
  // Retention (docs/storage.md): what expires is found by age through an index, and dead letters
  // deleted once resolved stay counted in the status they ended in, so the received counter never falls.
  `CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
   CREATE INDEX status_decisions_by_age ON status_decisions (decided_at);
   CREATE INDEX dead_letters_resolved ON dead_letters (status, updated_at);
   CREATE TABLE dead_letters_expired (
     source_topic TEXT NOT NULL,
     reason TEXT NOT NULL,
     status TEXT NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (source_topic, reason, status)
   ) WITHOUT ROWID;`,
  // Per rule, the registered orders it denied or sent to review, added once per batch with the
  // registry totals. Orders registered before are counted from their rows: a decision applies only to
  // a pending order, so one decided (version > 1) entered pending, and one never decided entered with
  // the status it has.
  `CREATE TABLE rule_totals (
     rule_name TEXT PRIMARY KEY,
     denied_count INTEGER NOT NULL,
     review_count INTEGER NOT NULL
   ) WITHOUT ROWID;
   INSERT INTO rule_totals (rule_name, denied_count, review_count)
   SELECT json_extract(f.value, '$.ruleName'),
          sum(CASE WHEN r.version = 1 AND r.status = 'denied' THEN 1 ELSE 0 END),
          sum(CASE WHEN r.version > 1 OR r.status = 'pending' THEN 1 ELSE 0 END)
   FROM registered_orders r, json_each(r.failed_rules) f
   WHERE r.version > 1 OR r.status <> 'accepted'
   GROUP BY 1;`,
];
