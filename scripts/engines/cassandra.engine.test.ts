import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Proves the Cassandra that test:engines provides is a working Cassandra 5.0 for the store adapter to
 * come: schema changes, prepared statements, lightweight transactions and TTLs, not only a system query.
 */
const contactPoint = process.env.CASSANDRA_CONTACT_POINTS?.split(',')[0] ?? process.env.CASSANDRA_HOST;
if (contactPoint === undefined || contactPoint === '') {
  throw new Error('CASSANDRA_HOST is not set: run this suite through `npm run test:engines`');
}
const address = contactPoint.includes(':') ? contactPoint : `${contactPoint}:${process.env.CASSANDRA_PORT ?? '9042'}`;

describe('Cassandra engine', () => {
  const keyspace = `engine_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let client: cassandra.Client;

  beforeAll(async () => {
    client = new cassandra.Client({
      contactPoints: [address],
      localDataCenter: process.env.CASSANDRA_DATACENTER ?? 'datacenter1',
    });
    await client.connect();
  });

  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  });

  it('is Cassandra 5.0', async () => {
    const row = (await client.execute('SELECT release_version FROM system.local')).first();
    expect(String(row.get('release_version'))).toMatch(/^5\.0\./);
  });

  it('creates a keyspace and table, writes with prepared statements, and reads back', async () => {
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(
      `CREATE TABLE ${keyspace}.orders (customer_id int, order_id text, total decimal, PRIMARY KEY (customer_id, order_id))`,
    );
    const insert = `INSERT INTO ${keyspace}.orders (customer_id, order_id, total) VALUES (?, ?, ?)`;
    for (let i = 0; i < 20; i++) {
      await client.execute(insert, [i % 4, `o-${i}`, cassandra.types.BigDecimal.fromString(`${i}.25`)], {
        prepare: true,
      });
    }
    const rows = (
      await client.execute(`SELECT order_id FROM ${keyspace}.orders WHERE customer_id = ?`, [1], { prepare: true })
    ).rows;
    expect(rows.map((r) => String(r.get('order_id'))).sort()).toEqual(['o-1', 'o-13', 'o-17', 'o-5', 'o-9']);
  });

  it('applies a lightweight transaction once and honours a TTL', async () => {
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${keyspace}.positions (source text PRIMARY KEY, next_offset bigint)`,
    );
    const claim = `INSERT INTO ${keyspace}.positions (source, next_offset) VALUES (?, ?) IF NOT EXISTS`;
    const first = await client.execute(claim, ['orders/0', 10], { prepare: true });
    const second = await client.execute(claim, ['orders/0', 20], { prepare: true });
    expect(first.wasApplied()).toBe(true);
    expect(second.wasApplied()).toBe(false);
    await client.execute(
      `INSERT INTO ${keyspace}.positions (source, next_offset) VALUES (?, ?) USING TTL 1`,
      ['tmp', 1],
      {
        prepare: true,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const gone = await client.execute(`SELECT * FROM ${keyspace}.positions WHERE source = ?`, ['tmp'], {
      prepare: true,
    });
    expect(gone.rowLength).toBe(0);
  });
});
