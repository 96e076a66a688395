/** All view shards live in one partition per table: the customer and product id spaces are bounded. */
export const GROUP = 'views';
/** The bucket-marks name of the timeline. */
export const TIMELINE = 'timeline';

/** The CQL of the view tables of keyspace `q`. */
export function viewStatements(q: string) {
  return {
    position: `SELECT * FROM ${q}.source_positions WHERE shard_group = ? AND consumer = ? AND topic = ? AND partition = ?`,
    positions: `SELECT * FROM ${q}.source_positions WHERE shard_group = ?`,
    consumerPositions: `SELECT * FROM ${q}.source_positions WHERE shard_group = ? AND consumer = ?`,
    writePosition: `INSERT INTO ${q}.source_positions
        (shard_group, consumer, topic, partition, next_offset, processed_count, error_count, last_processed_timestamp,
         total_orders, total_spent_cents, customers_claimed, products_claimed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    claimOrder: `INSERT INTO ${q}.counted_orders
        (order_id, claimed_by, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status,
         applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    countedOrder: `SELECT * FROM ${q}.counted_orders WHERE order_id = ?`,
    writeCountedOrder: `INSERT INTO ${q}.counted_orders
        (order_id, claimed_by, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status,
         applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    customerClaim: `SELECT claimed_by FROM ${q}.customer_claims WHERE customer_id = ?`,
    claimCustomer: `INSERT INTO ${q}.customer_claims (customer_id, claimed_by) VALUES (?, ?) IF NOT EXISTS`,
    productClaim: `SELECT claimed_by FROM ${q}.product_claims WHERE product_id = ?`,
    claimProduct: `INSERT INTO ${q}.product_claims (product_id, claimed_by) VALUES (?, ?) IF NOT EXISTS`,
    insertTimeline: `INSERT INTO ${q}.orders_timeline
        (bucket_id, timestamp, order_id, customer_id, product_id, quantity, unit_price, total, status,
         unit_price_cents, total_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    timelineBucket: `SELECT * FROM ${q}.orders_timeline WHERE bucket_id = ? LIMIT ?`,
    timelineInstant: `SELECT * FROM ${q}.orders_timeline WHERE bucket_id = ? AND timestamp = ?`,
    customerShardsIn: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ? AND customer_id IN ?`,
    customerShards: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ? AND customer_id = ?`,
    allCustomerShards: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ?`,
    writeCustomerShard: `INSERT INTO ${q}.customer_shards
        (shard_group, customer_id, consumer, topic, partition, next_offset, total_orders, total_spent_cents,
         first_order_timestamp, last_order_id, last_order_timestamp)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    productShardsIn: `SELECT * FROM ${q}.product_shards WHERE shard_group = ? AND product_id IN ?`,
    productShards: `SELECT * FROM ${q}.product_shards WHERE shard_group = ? AND product_id = ?`,
    allProductShards: `SELECT * FROM ${q}.product_shards WHERE shard_group = ?`,
    writeProductShard: `INSERT INTO ${q}.product_shards
        (shard_group, product_id, consumer, topic, partition, next_offset, total_quantity, total_revenue_cents,
         order_count, last_order_timestamp)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    mirrorCustomer: `INSERT INTO ${q}.orders_by_customer
        (customer_id, first_order_timestamp, last_order_id, last_order_timestamp, total_orders, total_spent,
         total_spent_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    mirrorProduct: `INSERT INTO ${q}.orders_by_product
        (product_id, total_quantity, total_revenue, order_count, avg_quantity, last_order_timestamp,
         total_revenue_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    mirrorStats: `INSERT INTO ${q}.processing_stats
        (processor_id, processed_count, error_count, last_processed_timestamp) VALUES (?, ?, ?, ?)`,
  };
}

export type ViewStatements = ReturnType<typeof viewStatements>;
