/**
 * Size and cost of the log snapshots (decision 19): `npx tsx scripts/bench/snapshot-size.ts [orders]`
 * (default 100,000). Publishes that many generated orders to `orders` (3 partitions), a validation
 * message per order and a decision for every tenth to `registry`, as the pipeline does, then lets
 * retention delete everything, once without snapshots and once with the pipeline's folds, and
 * reports the bytes the snapshot tables take (SQLite's dbstat: pages of each table and index) per
 * order, and the time of the deleting pass with and without folding. A second argument `random` uses
 * random order ids instead of the time-ordered ones the generator and the API make.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  TOPICS,
  encodeOrder,
  encodeStatusChange,
  encodeValidationMessage,
  generateOrder,
  validateOrder,
  type Order,
} from '@kafka-monitor/domain';
import { pipelineSnapshotFolds } from '@kafka-monitor/pipeline';
import { newTimeOrderedId } from '@kafka-monitor/runtime';
import { seededRandom } from '@kafka-monitor/testkit';

const count = Number(process.argv[2] ?? 100_000);
/** `random`: UUIDv4 order ids, as a client may send; default: time-ordered ids, as the generator and the API make. */
const ids = process.argv[3] === 'random' ? randomUUID : newTimeOrderedId;
const BATCH = 1_000;

async function run(withSnapshots: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-size-'));
  const file = join(dir, 'log.db');
  const bus = createEmbeddedEventBus({
    file,
    ...(withSnapshots ? { snapshots: pipelineSnapshotFolds() } : {}),
  });
  await bus.ensureTopics([
    { name: TOPICS.orders, partitions: 3 },
    { name: TOPICS.registry, partitions: 3 },
  ]);
  const random = seededRandom(11);
  const customers = new Set<number>();
  const products = new Set<string>();
  for (let sent = 0; sent < count; sent += BATCH) {
    const orders: Order[] = Array.from({ length: Math.min(BATCH, count - sent) }, (_, i) =>
      generateOrder(random, { orderId: ids(), timestamp: 1_765_000_000_000 + sent + i }, 0.1),
    );
    for (const o of orders) {
      customers.add(o.customerId);
      products.add(o.productId);
    }
    await bus.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
    await bus.publish(TOPICS.registry, [
      ...orders.map((o) => ({ key: o.orderId, value: encodeValidationMessage(o, validateOrder(o), o.timestamp) })),
      ...orders
        .filter((_, i) => i % 10 === 0)
        .map((o) => ({
          key: o.orderId,
          value: encodeStatusChange({
            orderId: o.orderId,
            newStatus: 'accepted',
            reason: null,
            requestedAt: o.timestamp,
            requestId: ids(),
            requestedBy: 'bench',
          }),
        })),
    ]);
  }
  const messages = (await bus.listTopics())
    .filter((t) => t.name === TOPICS.orders || t.name === TOPICS.registry)
    .reduce((sum, t) => sum + t.endOffsets.reduce((s, e) => s + e, 0), 0);
  const started = process.hrtime.bigint();
  for (const topic of [TOPICS.orders, TOPICS.registry]) {
    await bus.alterTopicConfig(topic, { 'retention.bytes': '0' });
  }
  const pass = await bus.enforceRetention();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await bus.close();

  const db = new Database(file, { readonly: true });
  const sizes = db
    .prepare(
      `SELECT name, sum(pgsize) AS bytes FROM dbstat
       WHERE name LIKE 'snapshot%' OR name LIKE 'sqlite_autoindex_snapshot%' GROUP BY name ORDER BY name`,
    )
    .all() as { name: string; bytes: number }[];
  const entries = db.prepare('SELECT count(*) AS n FROM snapshot_entries').get() as { n: number };
  const byTopic = db
    .prepare(
      'SELECT topic, count(*) AS n, sum(length(key) + length(value)) AS payload FROM snapshot_entries GROUP BY topic',
    )
    .all() as { topic: string; n: number; payload: number }[];
  db.close();
  rmSync(dir, { recursive: true, force: true });

  const snapshotBytes = sizes.reduce((sum, s) => sum + s.bytes, 0);
  console.log(
    `${withSnapshots ? 'with snapshots' : 'without snapshots'}: ${count} orders, ${messages} messages ` +
      `(${customers.size} customers, ${products.size} products); retention deleted ${pass.deletedMessages} ` +
      `messages (${(pass.deletedBytes / 1e6).toFixed(1)} MB of message bytes) in ${seconds.toFixed(2)} s ` +
      `(${((seconds / pass.deletedMessages) * 1e6).toFixed(1)} µs a message)`,
  );
  if (!withSnapshots) return;
  for (const s of sizes) console.log(`  ${s.name}: ${(s.bytes / 1e6).toFixed(2)} MB`);
  for (const t of byTopic) {
    console.log(`  ${t.topic}: ${t.n} entries, key + value ${(t.payload / t.n).toFixed(0)} bytes an entry`);
  }
  console.log(
    `  snapshot: ${entries.n} entries, ${(snapshotBytes / 1e6).toFixed(2)} MB on disk = ` +
      `${(snapshotBytes / count).toFixed(0)} bytes an order (customers and products: none, they are recomputed)`,
  );
}

await run(false);
await run(true);
