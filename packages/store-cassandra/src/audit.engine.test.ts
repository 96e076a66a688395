import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll } from 'vitest';
import { runAudit } from '@kafka-monitor/pipeline';
import { describeAuditCorruption } from '@kafka-monitor/testkit';
import { createCassandraStore } from './index.js';

/*
 * The consistency audit against a real Cassandra (`npm run test:engines` starts one): the rows are
 * changed with plain CQL from a second client, as an outside writer would, in a keyspace of their own.
 */
const contactPoint = process.env.CASSANDRA_CONTACT_POINTS?.split(',')[0] ?? process.env.CASSANDRA_HOST;
if (contactPoint === undefined || contactPoint === '') {
  throw new Error('CASSANDRA_HOST is not set: run this suite through `npm run test:engines`');
}
const address = contactPoint.includes(':') ? contactPoint : `${contactPoint}:${process.env.CASSANDRA_PORT ?? '9042'}`;
const localDataCenter = process.env.CASSANDRA_DATACENTER ?? 'datacenter1';

let outside: cassandra.Client;
beforeAll(async () => {
  outside = new cassandra.Client({ contactPoints: [address], localDataCenter });
  await outside.connect();
});
afterAll(async () => {
  await outside.shutdown();
});

describeAuditCorruption('Cassandra', runAudit, async () => {
  const prefix = `audit${randomUUID().replaceAll('-', '').slice(0, 8)}_`;
  const store = createCassandraStore({ contactPoints: [address], localDataCenter, keyspacePrefix: prefix });
  await store.migrate();
  const query = `${prefix}query_processor`;
  const registry = `${prefix}registry_processor`;
  return {
    store,
    // A customer's view is the sum of its shards (one per source partition): one shard changes.
    addToCustomerSpent: async (customerId, cents) => {
      const shard = (
        await outside.execute(
          `SELECT consumer, topic, partition, total_spent_cents FROM ${query}.customer_shards
           WHERE shard_group = 'views' AND customer_id = ? LIMIT 1`,
          [customerId],
          { prepare: true },
        )
      ).first();
      await outside.execute(
        `UPDATE ${query}.customer_shards SET total_spent_cents = ?
         WHERE shard_group = 'views' AND customer_id = ? AND consumer = ? AND topic = ? AND partition = ?`,
        [
          Number(shard.get('total_spent_cents')) + cents,
          customerId,
          shard.get('consumer'),
          shard.get('topic'),
          shard.get('partition'),
        ],
        { prepare: true },
      );
    },
    setRegisteredStatus: async (orderId, status) => {
      await outside.execute(
        `UPDATE ${registry}.registered_orders SET status = ? WHERE order_id = ?`,
        [status, orderId],
        {
          prepare: true,
        },
      );
    },
    cleanup: async () => {
      await store.close();
      for (const name of ['order_processor', 'query_processor', 'registry_processor']) {
        await outside.execute(`DROP KEYSPACE IF EXISTS ${prefix}${name}`);
      }
    },
  };
});
