/**
 * Bytes per order of every table of the embedded log and store, and what retention gives back:
 * `npx tsx scripts/bench/store-growth.ts [orders]` (default 100,000). The orders go through the producer
 * path and the query and registry processors, as `npm start` runs them; then 1,000 idempotency keys,
 * 1,000 decisions and 1,000 dead letters (half of them discarded, each with an audit entry) are added
 * to measure those per row. Sizes are SQLite's own (the dbstat table: pages of each table with its
 * indexes), so free pages and the WAL are not counted. Last, the store retentions run with a horizon
 * past everything and the sizes are read again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { deadLetterId, generateOrder, silentLogger, type RegistryMessage } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { openSqlite } from '@kafka-monitor/sqlite';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { benchOrderId, seededRandom } from './common.js';

const ORDERS = Number(process.argv[2] ?? 100_000);
const UNITS = 1_000;

/** Bytes of each table with its indexes, and its rows. */
function tableSizes(file: string): Map<string, { bytes: number; rows: number }> {
  const db = openSqlite(file, []);
  try {
    const owner = new Map(
      (
        db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all() as {
          name: string;
          tbl_name: string;
        }[]
      ).map((r) => [r.name, r.tbl_name]),
    );
    const sizes = new Map<string, { bytes: number; rows: number }>();
    for (const { name, bytes } of db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
      name: string;
      bytes: number;
    }[]) {
      const table = owner.get(name) ?? name;
      if (table.startsWith('sqlite_')) continue;
      const entry = sizes.get(table) ?? { bytes: 0, rows: 0 };
      entry.bytes += bytes;
      sizes.set(table, entry);
    }
    for (const [table, entry] of sizes) {
      entry.rows = (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return sizes;
  } finally {
    db.close();
  }
}

function print(title: string, sizes: Map<string, { bytes: number; rows: number }>, per: (table: string) => number) {
  console.log(`\n${title}`);
  console.log(`${'table'.padEnd(24)} ${'rows'.padStart(9)} ${'bytes'.padStart(12)} ${'bytes/unit'.padStart(11)}`);
  for (const [table, { bytes, rows }] of [...sizes].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const unit = per(table);
    console.log(
      `${table.padEnd(24)} ${String(rows).padStart(9)} ${String(bytes).padStart(12)} ${(unit > 0 ? (bytes / unit).toFixed(1) : '').padStart(11)}`,
    );
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'store-growth-'));
try {
  const files = embeddedFiles(dataDir);
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  const random = seededRandom(42);
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, ORDERS - i) }, (_, j) =>
      generateOrder(random, { orderId: benchOrderId(), timestamp: now - ORDERS + i + j }, 0.1),
    );
    await produceOrders(bus, store.produced, batch);
  }
  const shared = { bus, control: store.control, instanceId: 'growth', logger: silentLogger, now: Date.now };
  const query = createQueryProcessor({ ...shared, views: store.views });
  const registry = createRegistryProcessor({ ...shared, registry: store.registry });
  await query.start();
  await registry.start();
  while (
    (await store.views.totals()).totalOrders < ORDERS ||
    (await store.registry.totals()).registeredCount < ORDERS
  ) {
    await sleep(50);
  }
  await query.stop();
  await registry.stop();

  // Per-row figures of what grows with requests and incidents rather than with every order.
  for (let i = 0; i < UNITS; i++) {
    await store.control.reserveIdempotencyKey(benchOrderId(), benchOrderId(), `[${i},"P001",1,999,null]`, now);
  }
  const pending = await store.registry.byStatus('pending', UNITS);
  const decisions: RegistryMessage[] = pending.map((order) => ({
    kind: 'status-change',
    change: {
      orderId: order.order.orderId,
      newStatus: 'accepted',
      reason: 'reviewed',
      requestedAt: now,
      requestId: benchOrderId(),
      requestedBy: 'api',
    },
  }));
  await store.registry.applyRegistryMessages(
    { consumer: 'growth-decisions', topic: 'registry', partition: 0 },
    decisions.map((content, offset) => ({ offset, content })),
    now,
  );
  const letters = Array.from({ length: UNITS }, (_, offset) => ({
    id: deadLetterId({ topic: 'orders', partition: 0, offset }),
    topic: 'orders',
    partition: 0,
    offset,
    key: benchOrderId(),
    value: new TextEncoder().encode(`{"order-id": "${offset}", "quantity": "many"`),
    headers: { 'dlq.reason': 'not JSON', 'dlq.consumer.group': 'query-processor' },
    group: 'query-processor',
    reason: 'not JSON',
    failedAt: now,
  }));
  await store.deadLetters.record(letters, now);
  for (const letter of letters.slice(0, UNITS / 2)) {
    await store.deadLetters.transition(letter.id, 'pending', 'discarded', now);
    await store.deadLetters.audit({
      deadLetterId: letter.id,
      action: 'discard',
      at: now,
      actor: 'ops 127.0.0.1',
      note: 'bench',
      editedPayload: null,
      redrivenTo: null,
    });
  }
  await bus.close();
  await store.close();

  const perUnit: Record<string, number> = {
    idempotency_keys: UNITS,
    status_decisions: pending.length,
    order_updates: pending.length,
    dead_letters: UNITS,
    dead_letter_actions: UNITS / 2,
  };
  console.log(`${ORDERS} orders, ${pending.length} decisions, ${UNITS} idempotency keys, ${UNITS} dead letters`);
  print('log.db (per order)', tableSizes(files.log), () => ORDERS);
  const before = tableSizes(files.store);
  print(
    'store.db (per order; per key, decision, dead letter or action where marked)',
    before,
    (t) => perUnit[t] ?? ORDERS,
  );

  // Every retention with a horizon past every row: what each one can give back.
  const reopened = createSqliteStore({ file: files.store });
  const horizon = Date.now() + 86_400_000;
  const drain = async (step: (limit: number) => Promise<number>): Promise<number> => {
    let total = 0;
    for (let n = 500; n === 500; total += n) n = await step(500);
    return total;
  };
  const deleted = {
    produced: await drain((limit) => reopened.produced.expireProduced(horizon, limit)),
    keys: await drain((limit) => reopened.control.expireIdempotencyKeys(horizon, limit)),
    decisions: await drain((limit) => reopened.registry.expireDecisions(horizon, limit)),
    changes: await drain((limit) => reopened.registry.expireChanges(horizon, limit)),
    letters: await drain((limit) => reopened.deadLetters.expireResolved(horizon, limit)),
  };
  await reopened.close();
  console.log(
    `\nretention deleted ${deleted.produced} produced orders, ${deleted.keys} keys, ${deleted.decisions} decisions, ${deleted.changes} feed changes, ${deleted.letters} resolved dead letters`,
  );
  const after = tableSizes(files.store);
  const changed = new Map([...after].filter(([table, size]) => size.bytes !== before.get(table)?.bytes));
  print('store.db tables retention changed (bytes left)', changed, () => 0);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
