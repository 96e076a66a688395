import type { Order, ProducedOrderStore } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Settle } from './checkpoint.js';
import { orderFromRow, orderParams, type OrderRow } from './rows.js';

export function createSqliteProducedStore(db: SqliteDatabase, settle: Settle): ProducedOrderStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO orders (order_id, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const recent = db.prepare('SELECT * FROM orders ORDER BY timestamp DESC, order_id DESC LIMIT ?');
  const byId = db.prepare('SELECT * FROM orders WHERE order_id = ?');
  // Oldest first through orders_newest; rowids, so each step is one short delete of at most `limit` rows.
  const expire = db.prepare(
    'DELETE FROM orders WHERE rowid IN (SELECT rowid FROM orders WHERE timestamp < ? ORDER BY timestamp LIMIT ?)',
  );
  const saveAll = db.transaction((orders: readonly Order[]) => {
    for (const order of orders) insert.run(...orderParams(order));
  });
  return {
    saveProduced: (orders) => settle(() => saveAll.immediate(orders)),
    recentProduced: (limit) => settle(() => (recent.all(limit) as OrderRow[]).map(orderFromRow)),
    produced: (orderId) =>
      settle(() => {
        const row = byId.get(orderId) as OrderRow | undefined;
        return row && orderFromRow(row);
      }),
    expireProduced: (before, limit) => settle(() => expire.run(before, limit).changes),
  };
}
