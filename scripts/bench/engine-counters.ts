/**
 * The engines' own counters, for the work per order of `npm run bench:engines`: Cassandra's partition
 * writes per table (`system_views.local_write_latency`, count) and its coordinator's Paxos rounds
 * (JMX `ClientRequest` `CASWrite` and `CASRead`: one per conditional statement or conditional batch,
 * and per SERIAL read), and the broker's produce and fetch requests (JMX `RequestMetrics`). JMX is
 * read through scripts/engines/jmx.sh, on the ports scripts/engines/common.sh gives the engines.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type cassandra from 'cassandra-driver';
import { root } from './common.js';

const run = promisify(execFile);

const CAS_WRITES = 'org.apache.cassandra.metrics:type=ClientRequest,scope=CASWrite,name=Latency#Count';
const CAS_READS = 'org.apache.cassandra.metrics:type=ClientRequest,scope=CASRead,name=Latency#Count';
const requestsOf = (kind: string) => `kafka.network:type=RequestMetrics,name=RequestsPerSec,request=${kind},*#Count`;
const PRODUCE = requestsOf('Produce');
const FETCH = requestsOf('Fetch');

export interface EngineCounters {
  /** Partition writes by `keyspace.table` (keyspaces of the run's prefix, the prefix left off). */
  readonly tableWrites: ReadonlyMap<string, number>;
  /** Undefined where the engine's JMX does not answer (engines given from outside). */
  readonly cas?: { readonly writes: number; readonly reads: number };
  readonly kafka?: { readonly produce: number; readonly fetch: number };
}

/** Attribute values by name from one JMX port; undefined when it does not answer. */
async function jmx(port: string, names: readonly string[]): Promise<Map<string, number> | undefined> {
  try {
    const { stdout } = await run('bash', [join(root, 'scripts/engines/jmx.sh'), port, ...names], { timeout: 60_000 });
    return new Map(
      stdout
        .split('\n')
        .filter((line) => line.includes('\t'))
        .map((line) => {
          const [name = '', value = ''] = line.split('\t');
          return [name, value === '' ? 0 : Number(value)];
        }),
    );
  } catch {
    return undefined;
  }
}

export async function readCounters(
  client: cassandra.Client,
  keyspacePrefix: string,
  ports: { readonly cassandraJmx: string; readonly kafkaJmx: string },
): Promise<EngineCounters> {
  const [rows, cas, kafka] = await Promise.all([
    client.execute('SELECT keyspace_name, table_name, count FROM system_views.local_write_latency'),
    jmx(ports.cassandraJmx, [CAS_WRITES, CAS_READS]),
    jmx(ports.kafkaJmx, [PRODUCE, FETCH]),
  ]);
  const tableWrites = new Map<string, number>();
  for (const row of rows.rows) {
    const keyspace = String(row.keyspace_name);
    if (!keyspace.startsWith(keyspacePrefix)) continue;
    tableWrites.set(`${keyspace.slice(keyspacePrefix.length)}.${String(row.table_name)}`, Number(row.count));
  }
  return {
    tableWrites,
    ...(cas === undefined ? {} : { cas: { writes: cas.get(CAS_WRITES) ?? 0, reads: cas.get(CAS_READS) ?? 0 } }),
    ...(kafka === undefined ? {} : { kafka: { produce: kafka.get(PRODUCE) ?? 0, fetch: kafka.get(FETCH) ?? 0 } }),
  };
}

const perOrder = (count: number, orders: number) => Number((count / orders).toFixed(4));

/** What the engines did between two readings, per order. */
export function workPerOrder(before: EngineCounters, after: EngineCounters, orders: number) {
  const byTable: Record<string, number> = {};
  let writes = 0;
  for (const [table, count] of after.tableWrites) {
    const delta = count - (before.tableWrites.get(table) ?? 0);
    if (delta <= 0) continue;
    writes += delta;
    byTable[table] = perOrder(delta, orders);
  }
  const sorted = Object.fromEntries(Object.entries(byTable).sort(([, a], [, b]) => b - a));
  return {
    partitionWritesPerOrder: perOrder(writes, orders),
    partitionWritesPerOrderByTable: sorted,
    conditionalStatementsPerOrder:
      before.cas === undefined || after.cas === undefined
        ? null
        : perOrder(after.cas.writes - before.cas.writes, orders),
    serialReadsPerOrder:
      before.cas === undefined || after.cas === undefined ? null : perOrder(after.cas.reads - before.cas.reads, orders),
    kafkaRequestsPerOrder:
      before.kafka === undefined || after.kafka === undefined
        ? null
        : {
            produce: perOrder(after.kafka.produce - before.kafka.produce, orders),
            fetch: perOrder(after.kafka.fetch - before.kafka.fetch, orders),
          },
  };
}
