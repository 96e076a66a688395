/**
 * What the original's secondary index `orders_timeline_order_id_idx` costs the query processor's writes:
 * the Cassandra view store applies the same orders (BENCH_INDEX_ORDERS, default 20,000, in batches of
 * 500 from one partition) into fresh keyspaces with the index and without it (dropped after the
 * migration), alternating, BENCH_INDEX_ROUNDS times (default 3). Prints orders per second of each run
 * and, given the node's process id in BENCH_CASSANDRA_PID, the node's CPU time per 1,000 orders, which
 * other work on a shared machine disturbs far less than the wall-clock rate.
 *
 * CASSANDRA_HOST=127.0.0.1 CASSANDRA_PORT=9042 npx tsx scripts/bench/timeline-index.ts
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import cassandra from 'cassandra-driver';
import { generateValidOrder, type Order } from '@kafka-monitor/domain';
import { createCassandraStore } from '@kafka-monitor/store-cassandra';

const ORDERS = Number(process.env.BENCH_INDEX_ORDERS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_INDEX_ROUNDS ?? 3);
const BATCH = 500;
const host = process.env.CASSANDRA_HOST ?? '127.0.0.1';
const address = `${host}:${process.env.CASSANDRA_PORT ?? '9042'}`;
const localDataCenter = process.env.CASSANDRA_DATACENTER ?? 'datacenter1';
const cassandraPid = process.env.BENCH_CASSANDRA_PID;
/** Linux's clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const TICKS_PER_SECOND = 100;

/** User plus system CPU time of the node so far, in ms (NaN without BENCH_CASSANDRA_PID). */
function nodeCpuMs(): number {
  if (cassandraPid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${cassandraPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted here from field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

interface RunResult {
  readonly perSecond: number;
  readonly cpuMsPerThousand: number;
}

function orders(): Order[] {
  const start = Date.now();
  let seed = 1;
  // A fixed sequence, so both variants write the same rows (their keyspaces differ).
  const random = () => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
  return Array.from({ length: ORDERS }, (_, i) =>
    generateValidOrder(random, { orderId: randomUUID(), timestamp: start + i }),
  );
}

async function run(
  admin: cassandra.Client,
  indexed: boolean,
  round: number,
  all: readonly Order[],
): Promise<RunResult> {
  const prefix = `bix_${indexed ? 'with' : 'without'}_${round}_`;
  const store = createCassandraStore({ contactPoints: [address], localDataCenter, keyspacePrefix: prefix });
  await store.migrate();
  if (!indexed) await admin.execute(`DROP INDEX IF EXISTS ${prefix}query_processor.orders_timeline_order_id_idx`);
  const source = { consumer: 'bench', topic: 'orders', partition: 0 };
  const started = performance.now();
  const cpuBefore = nodeCpuMs();
  for (let offset = 0; offset < all.length; offset += BATCH) {
    const entries = all.slice(offset, offset + BATCH).map((content, i) => ({ offset: offset + i, content }));
    await store.views.applyOrders(source, entries, Date.now());
  }
  const perSecond = all.length / ((performance.now() - started) / 1000);
  const cpuMsPerThousand = ((nodeCpuMs() - cpuBefore) * 1000) / all.length;
  await store.close();
  for (const name of ['order_processor', 'query_processor', 'registry_processor']) {
    await admin.execute(`DROP KEYSPACE IF EXISTS ${prefix}${name}`);
  }
  return { perSecond, cpuMsPerThousand };
}

const admin = new cassandra.Client({ contactPoints: [address], localDataCenter });
await admin.connect();
const all = orders();
const results: Record<'with' | 'without', RunResult[]> = { with: [], without: [] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternating which goes first, so warm-up and compaction fall on both alike.
    for (const indexed of round % 2 === 1 ? [false, true] : [true, false]) {
      const result = await run(admin, indexed, round, all);
      results[indexed ? 'with' : 'without'].push(result);
      console.log(
        `round ${round} ${indexed ? 'with index   ' : 'without index'} ${result.perSecond.toFixed(0)} orders/s, ` +
          `node CPU ${result.cpuMsPerThousand.toFixed(0)} ms per 1,000 orders`,
      );
    }
  }
} finally {
  await admin.shutdown();
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const summary = (pick: (r: RunResult) => number, unit: string): string => {
  const without = median(results.without.map(pick));
  const withIndex = median(results.with.map(pick));
  return `without ${without.toFixed(0)}, with ${withIndex.toFixed(0)} ${unit} (${((withIndex / without - 1) * 100).toFixed(1)} %)`;
};
console.log(`median rate: ${summary((r) => r.perSecond, 'orders/s')}`);
console.log(`median node CPU: ${summary((r) => r.cpuMsPerThousand, 'ms per 1,000 orders')}`);
