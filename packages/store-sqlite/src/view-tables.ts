import type { CheckpointTables } from './checkpoint.js';

/** Table names of one generation of the views; generation 0 is the original schema's tables. */
export interface ViewTables extends CheckpointTables {
  readonly generation: number;
  readonly customers: string;
  readonly products: string;
  readonly timeline: string;
  readonly totals: string;
  readonly counted: string;
}

export function viewTables(generation: number): ViewTables {
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error(`invalid views generation ${generation}`);
  const name = (base: string) => (generation === 0 ? base : `${base}_g${generation}`);
  return {
    generation,
    customers: name('orders_by_customer'),
    products: name('orders_by_product'),
    timeline: name('orders_timeline'),
    totals: name('order_totals'),
    counted: name('counted_orders'),
    // Generation 0 shares these two with the registry (rows keyed by consumer); later ones have their own.
    positions: generation === 0 ? 'applied_positions' : name('view_positions'),
    stats: generation === 0 ? 'processing_stats' : name('view_processing_stats'),
  };
}

/**
 * The tables of a generation above 0, in the shape migrations gave generation 0 (schema.ts): the
 * same columns and indexes, written out once here because a generation is created long after the
 * migrations ran. A change to a view table's schema changes both.
 */
export function createViewTablesSql(t: ViewTables): string {
  const g = t.generation;
  return `CREATE TABLE ${t.customers} (
     customer_id INTEGER PRIMARY KEY,
     first_order_timestamp INTEGER NOT NULL,
     last_order_id TEXT NOT NULL,
     last_order_timestamp INTEGER NOT NULL,
     total_orders INTEGER NOT NULL,
     total_spent_cents INTEGER NOT NULL
   );
   CREATE INDEX customers_by_spent_g${g} ON ${t.customers} (total_spent_cents DESC, customer_id);
   CREATE TABLE ${t.products} (
     product_id TEXT PRIMARY KEY,
     total_quantity INTEGER NOT NULL,
     total_revenue_cents INTEGER NOT NULL,
     order_count INTEGER NOT NULL,
     last_order_timestamp INTEGER NOT NULL
   );
   CREATE INDEX products_by_revenue_g${g} ON ${t.products} (total_revenue_cents DESC, product_id);
   CREATE INDEX products_by_id_nocase_g${g} ON ${t.products} (product_id COLLATE NOCASE);
   CREATE TABLE ${t.timeline} (
     order_id TEXT PRIMARY KEY,
     customer_id INTEGER NOT NULL,
     product_id TEXT NOT NULL,
     quantity INTEGER NOT NULL,
     unit_price_cents INTEGER NOT NULL,
     total_cents INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     status TEXT NOT NULL
   );
   CREATE INDEX timeline_newest_g${g} ON ${t.timeline} (timestamp DESC, order_id DESC);
   CREATE TABLE ${t.totals} (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     total_orders INTEGER NOT NULL,
     total_spent_cents INTEGER NOT NULL,
     customer_count INTEGER NOT NULL,
     product_count INTEGER NOT NULL,
     timeline_count INTEGER NOT NULL
   );
   INSERT INTO ${t.totals} VALUES (1, 0, 0, 0, 0, 0);
   CREATE TABLE ${t.counted} (
     order_id TEXT PRIMARY KEY,
     source_topic TEXT,
     source_partition INTEGER,
     source_offset INTEGER,
     applied_at INTEGER
   ) WITHOUT ROWID;
   CREATE TABLE ${t.positions} (
     consumer TEXT NOT NULL,
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     next_offset INTEGER NOT NULL,
     PRIMARY KEY (consumer, topic, partition)
   ) WITHOUT ROWID;
   CREATE TABLE ${t.stats} (
     processor_id TEXT PRIMARY KEY,
     processed_count INTEGER NOT NULL,
     error_count INTEGER NOT NULL,
     last_processed_timestamp INTEGER
   );`;
}

/** Drops a generation's tables (their indexes go with them); generation 0 keeps the shared positions. */
export function dropViewTablesSql(t: ViewTables): string {
  const tables = [t.customers, t.products, t.timeline, t.totals, t.counted];
  if (t.generation !== 0) tables.push(t.positions, t.stats);
  return tables.map((name) => `DROP TABLE IF EXISTS ${name};`).join('\n');
}
