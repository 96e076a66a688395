import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '@kafka-monitor/sqlite';
import { runAudit } from '@kafka-monitor/pipeline';
import { describeAuditCorruption } from '@kafka-monitor/testkit';
import { STORE_MIGRATIONS } from './schema.js';
import { createSqliteStore } from './sqlite-store.js';

// The rows are changed through a second connection to the file, as an outside writer would.
describeAuditCorruption('SQLite', runAudit, () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const file = join(dir, 'store.db');
  const store = createSqliteStore({ file });
  const outside = openSqlite(file, STORE_MIGRATIONS);
  return Promise.resolve({
    store,
    addToCustomerSpent: (customerId, cents) => {
      const changed = outside
        .prepare('UPDATE orders_by_customer SET total_spent_cents = total_spent_cents + ? WHERE customer_id = ?')
        .run(cents, customerId).changes;
      if (changed !== 1) throw new Error(`customer ${customerId}: ${changed} rows changed`);
      return Promise.resolve();
    },
    setRegisteredStatus: (orderId, status) => {
      const changed = outside
        .prepare('UPDATE registered_orders SET status = ? WHERE order_id = ?')
        .run(status, orderId).changes;
      if (changed !== 1) throw new Error(`order ${orderId}: ${changed} rows changed`);
      return Promise.resolve();
    },
    cleanup: async () => {
      outside.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});
