/**
 * `npm run bench:engines` (through scripts/bench/engines.sh, which starts fresh engines): the pipeline on
 * real Kafka and Cassandra, against raw kafkajs and raw cassandra-driver rates measured in the same run.
 * Writes the `engines` section of bench-results.json and prints a table.
 * BENCH_ENGINE_ORDERS (default 50,000) orders are seeded into `orders` and drained.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, openInfrastructure, type Environment } from '@kafka-monitor/runtime';
import {
  LATENCY_RATE,
  log,
  machine,
  measureApi,
  measureDrain,
  measureLatency,
  seedBacklog,
  startPipeline,
  waitForHttp,
  writeResults,
} from './common.js';
import { readCounters, workPerOrder } from './engine-counters.js';

const ORDERS = Number(process.env.BENCH_ENGINE_ORDERS ?? 50_000);
const BASELINE_MESSAGES = Number(process.env.BENCH_ENGINE_BASELINE_MESSAGES ?? 200_000);
const BASELINE_WRITES = Number(process.env.BENCH_ENGINE_BASELINE_WRITES ?? 100_000);
const LWTS_IN_FLIGHT = 16;
const BASELINE_LWTS = Math.min(BASELINE_WRITES, Number(process.env.BENCH_ENGINE_BASELINE_LWTS ?? 5_000));
const API_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const PORT = 3902;

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
const cassandraHost = process.env.CASSANDRA_HOST ?? '';
const cassandraPort = Number(process.env.CASSANDRA_PORT ?? 9042);
const datacenter = process.env.CASSANDRA_DATACENTER ?? 'datacenter1';
/** The engines' JMX ports, as scripts/engines/common.sh gives them to engines.sh (for the work per order). */
const jmxPorts = {
  cassandraJmx: process.env.ENGINE_CASSANDRA_JMX_PORT ?? '7199',
  kafkaJmx: process.env.ENGINE_KAFKA_JMX_PORT ?? '9999',
};
if (brokers.length === 0 || cassandraHost === '') {
  throw new Error('KAFKA_BROKERS and CASSANDRA_HOST must be set (npm run bench:engines starts both engines)');
}

/** A message of the size of an order on the wire, so the baselines move the same bytes. */
const samplePayload = JSON.stringify({ 'order-id': randomUUID(), padding: 'x'.repeat(150) });

/** Raw kafkajs producer: batches of 1,000 messages, 4 sends in flight, acks from all replicas. */
async function measureKafkaProduce(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  const batches = Array.from({ length: BASELINE_MESSAGES / 1_000 }, (_, b) =>
    Array.from({ length: 1_000 }, (_, i) => ({ key: `k${b * 1_000 + i}`, value: samplePayload })),
  );
  const inFlight = 4;
  for (let i = 0; i < batches.length; i += inFlight) {
    await Promise.all(batches.slice(i, i + inFlight).map((messages) => producer.send({ topic, acks: -1, messages })));
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return BASELINE_MESSAGES / seconds;
}

/** Raw kafkajs consumer of the produced messages: eachBatch, offsets committed per batch. */
async function measureKafkaConsume(kafka: Kafka, topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let firstAt: number | undefined;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      firstAt ??= performance.now();
      consumed += batch.messages.length;
      await consumer.commitOffsets([
        { topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
      ]);
    },
  });
  const deadline = Date.now() + 300_000;
  while (consumed < BASELINE_MESSAGES && Date.now() < deadline) await sleep(10);
  const seconds = (performance.now() - (firstAt ?? performance.now())) / 1000;
  await consumer.disconnect();
  if (consumed < BASELINE_MESSAGES) throw new Error(`raw consumer read ${consumed} of ${BASELINE_MESSAGES}`);
  return BASELINE_MESSAGES / seconds;
}

/** Rows per unlogged batch in the batched baseline: the store's limit of partitions per batch. */
const ROWS_PER_BATCH = 10;
const BATCHES_IN_FLIGHT = 16;

/**
 * Raw cassandra-driver: one INSERT per row, 128 in flight (executeConcurrent prepares the statement);
 * the same rows in unlogged batches of ROWS_PER_BATCH rows (each its own partition), as the store
 * sends its row writes; then inserts IF NOT EXISTS.
 */
async function measureCassandraWrites(): Promise<{
  writesPerSec: number;
  batchedWritesPerSec: number;
  lwtPerSec: number;
}> {
  const client = new cassandra.Client({
    contactPoints: [`${cassandraHost}:${cassandraPort}`],
    localDataCenter: datacenter,
  });
  await client.connect();
  const keyspace = `bench_${Date.now().toString(36)}`;
  try {
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(
      `CREATE TABLE ${keyspace}.rows (id uuid PRIMARY KEY, customer_id int, product_id text, total decimal, ts timestamp)`,
    );
    const insert = `INSERT INTO ${keyspace}.rows (id, customer_id, product_id, total, ts) VALUES (?, ?, ?, ?, ?)`;
    const params = Array.from({ length: BASELINE_WRITES }, (_, i) => [
      cassandra.types.Uuid.random(),
      i % 100,
      `PROD-${i % 5}`,
      cassandra.types.BigDecimal.fromString('123.45'),
      new Date(),
    ]);
    const started = performance.now();
    await cassandra.concurrent.executeConcurrent(client, insert, params, { concurrencyLevel: 128 });
    const writesPerSec = BASELINE_WRITES / ((performance.now() - started) / 1000);
    const batches: unknown[][][] = [];
    for (let i = 0; i < params.length; i += ROWS_PER_BATCH) {
      batches.push(params.slice(i, i + ROWS_PER_BATCH).map((row) => [cassandra.types.Uuid.random(), ...row.slice(1)]));
    }
    let nextBatch = 0;
    const batchedStarted = performance.now();
    await Promise.all(
      Array.from({ length: BATCHES_IN_FLIGHT }, async () => {
        for (let batch = batches[nextBatch++]; batch !== undefined; batch = batches[nextBatch++]) {
          await client.batch(
            batch.map((row) => ({ query: insert, params: row })),
            { prepare: true, logged: false },
          );
        }
      }),
    );
    const batchedWritesPerSec = BASELINE_WRITES / ((performance.now() - batchedStarted) / 1000);
    // The pipeline claims order ids with lightweight transactions (Paxos); their raw rate bounds it.
    const lwtParams = params.slice(0, BASELINE_LWTS).map((row) => [cassandra.types.Uuid.random(), ...row.slice(1)]);
    const lwtStarted = performance.now();
    // Timeouts of contended Paxos rounds are counted, not fatal: the rate counts only applied inserts.
    const lwt = await cassandra.concurrent.executeConcurrent(client, `${insert} IF NOT EXISTS`, lwtParams, {
      concurrencyLevel: LWTS_IN_FLIGHT,
      raiseOnFirstError: false,
    });
    const lwtPerSec = (lwtParams.length - lwt.errors.length) / ((performance.now() - lwtStarted) / 1000);
    if (lwt.errors.length > 0) log(`  ${lwt.errors.length} of ${lwtParams.length} LWT inserts timed out`);
    return { writesPerSec, batchedWritesPerSec, lwtPerSec };
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await client.shutdown();
  }
}

async function main(): Promise<void> {
  log(`machine: ${machine()}`);
  log(`engines: Kafka at ${brokers.join(',')}, Cassandra at ${cassandraHost}:${cassandraPort}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-engines-'));
  try {
    const kafka = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const baselineTopic = `bench-baseline-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic: baselineTopic, numPartitions: 3 }], waitForLeaders: true });
    log(`baseline: raw kafkajs, ${BASELINE_MESSAGES} messages produced, then consumed and committed`);
    const baselineProduceMsgsPerSec = await measureKafkaProduce(kafka, baselineTopic);
    const baselineConsumeMsgsPerSec = await measureKafkaConsume(kafka, baselineTopic);
    // Append + consume + commit of the same messages, as the embedded baseline measures its log.
    const baselineLogMsgsPerSec = 1 / (1 / baselineProduceMsgsPerSec + 1 / baselineConsumeMsgsPerSec);
    await admin.deleteTopics({ topics: [baselineTopic] }).catch(() => undefined);
    await admin.disconnect();
    log(
      `baseline: raw cassandra-driver, ${BASELINE_WRITES} prepared inserts (128 in flight), the same in ` +
        `unlogged batches of ${ROWS_PER_BATCH} (${BATCHES_IN_FLIGHT} in flight), ` +
        `then ${BASELINE_LWTS} inserts IF NOT EXISTS (${LWTS_IN_FLIGHT} in flight)`,
    );
    const cassandraBaseline = await measureCassandraWrites();

    // A fresh keyspace per run; the topics are the pipeline's own, so the engines must start empty.
    const keyspacePrefix = `bench${Date.now().toString(36)}_`;
    const environment: Environment = {
      ...process.env,
      BUS: 'kafka',
      KAFKA_BROKERS: brokers.join(','),
      STORE: 'cassandra',
      CASSANDRA_HOST: cassandraHost,
      CASSANDRA_PORT: String(cassandraPort),
      CASSANDRA_DATACENTER: datacenter,
      CASSANDRA_KEYSPACE_PREFIX: keyspacePrefix,
      DATA_DIR: dataDir,
    };
    const infrastructure = await openInfrastructure(loadConfig(environment));
    const { bus, store } = infrastructure;
    const counterClient = new cassandra.Client({
      contactPoints: [`${cassandraHost}:${cassandraPort}`],
      localDataCenter: datacenter,
    });
    const counters = () => readCounters(counterClient, keyspacePrefix, jmxPorts);
    try {
      await counterClient.connect();
      const before = (await bus.listTopics()).find((t) => t.name === 'orders');
      const alreadyInLog = before?.endOffsets.reduce((sum, end) => sum + end, 0) ?? 0;
      if (alreadyInLog > 0) throw new Error(`'orders' already holds ${alreadyInLog} messages: start fresh engines`);

      log(`seeding ${ORDERS} orders into Kafka through the producer path`);
      const beforeSeed = await counters();
      await seedBacklog(bus, store.produced, ORDERS);
      const beforeDrain = await counters();

      log('processing the backlog with both processors (one process, as npm start runs them)');
      const pipeline = startPipeline(
        Object.fromEntries(
          Object.entries({ ...environment, ORDER_RATE: '0' }).filter(
            (entry): entry is [string, string] => entry[1] !== undefined,
          ),
        ),
        PORT,
        process.env.BENCH_PROFILE_DIR,
      );
      try {
        const ordersPerSec = await measureDrain(ORDERS, async () => {
          const [views, registry] = await Promise.all([store.views.totals(), store.registry.totals()]);
          return { views: views.totalOrders, registered: registry.registeredCount };
        });
        // The engines' own counters over the drain: the seeded orders through both processors.
        const afterDrain = await counters();
        const work = workPerOrder(beforeDrain, afterDrain, ORDERS);
        const seeding = workPerOrder(beforeSeed, beforeDrain, ORDERS);
        // The cluster's own limit: the rows/s of unlogged batches, over the partition writes an order needs.
        const writeBoundOrdersPerSec = cassandraBaseline.batchedWritesPerSec / work.partitionWritesPerOrder;
        await waitForHttp(`http://127.0.0.1:${PORT}/api/stats`);
        const api = await measureApi(PORT, API_SECONDS);
        const latency = await measureLatency(PORT, LATENCY_SECONDS, { mustKeepUp: false });
        const engines = {
          ordersPerSec: Math.round(ordersPerSec),
          p50LatencyMs: latency.p50LatencyMs,
          p99LatencyMs: latency.p99LatencyMs,
          latencyOrdersObserved: latency.latencyOrdersObserved,
          p50RegisteredMs: latency.registered.p50,
          p99RegisteredMs: latency.registered.p99,
          hopsMs: {
            producedToValidated: latency.producedToValidated,
            validatedToRegistered: latency.validatedToRegistered,
          },
          baselineLogMsgsPerSec: Math.round(baselineLogMsgsPerSec),
          peakRssMb: Math.round(pipeline.peakRssMb()),
          ordersInLog: ORDERS,
          baselineProduceMsgsPerSec: Math.round(baselineProduceMsgsPerSec),
          baselineConsumeMsgsPerSec: Math.round(baselineConsumeMsgsPerSec),
          baselineCassandraWritesPerSec: Math.round(cassandraBaseline.writesPerSec),
          baselineCassandraBatchedWritesPerSec: Math.round(cassandraBaseline.batchedWritesPerSec),
          baselineCassandraLwtPerSec: Math.round(cassandraBaseline.lwtPerSec),
          statsReqPerSec: api.statsReqPerSec,
          statsP99Ms: api.statsP99Ms,
          timelineReqPerSec: api.timelineReqPerSec,
          timelineP99Ms: api.timelineP99Ms,
          partitionWritesPerOrder: work.partitionWritesPerOrder,
          partitionWritesPerOrderByTable: work.partitionWritesPerOrderByTable,
          conditionalStatementsPerOrder: work.conditionalStatementsPerOrder,
          serialReadsPerOrder: work.serialReadsPerOrder,
          kafkaRequestsPerOrder: work.kafkaRequestsPerOrder,
          seedingPerOrder: {
            partitionWrites: seeding.partitionWritesPerOrder,
            kafkaProduceRequests: seeding.kafkaRequestsPerOrder?.produce ?? null,
          },
          writeBoundOrdersPerSec: Math.round(writeBoundOrdersPerSec),
          ratioToWriteBound: Number((ordersPerSec / writeBoundOrdersPerSec).toFixed(3)),
        };
        writeResults({ engines, enginesRun: { machine: machine(), measuredAt: new Date().toISOString() } });
        console.table({
          'end-to-end orders/s (both processors, Kafka + Cassandra)': engines.ordersPerSec,
          'baseline: raw kafkajs produce + consume msgs/s': engines.baselineLogMsgsPerSec,
          'ratio to that baseline': Number((ordersPerSec / baselineLogMsgsPerSec).toFixed(3)),
          'baseline: raw kafkajs produce msgs/s': engines.baselineProduceMsgsPerSec,
          'baseline: raw kafkajs consume + commit msgs/s': engines.baselineConsumeMsgsPerSec,
          'baseline: raw cassandra-driver writes/s': engines.baselineCassandraWritesPerSec,
          [`baseline: the same in unlogged batches of ${ROWS_PER_BATCH} rows/s`]:
            engines.baselineCassandraBatchedWritesPerSec,
          'baseline: raw cassandra-driver LWT inserts/s': engines.baselineCassandraLwtPerSec,
          [`p50 latency at ${LATENCY_RATE}/s (ms)`]: engines.p50LatencyMs,
          [`p99 latency at ${LATENCY_RATE}/s (ms)`]: engines.p99LatencyMs,
          [`p50 / p99 to registration at ${LATENCY_RATE}/s (ms)`]: `${engines.p50RegisteredMs} / ${engines.p99RegisteredMs}`,
          '  hop: produced → validated p50 / p99 (ms)': `${latency.producedToValidated.p50} / ${latency.producedToValidated.p99}`,
          '  hop: validated → registered p50 / p99 (ms)': `${latency.validatedToRegistered.p50} / ${latency.validatedToRegistered.p99}`,
          'Cassandra partition writes per order (drain)': engines.partitionWritesPerOrder,
          ...Object.fromEntries(
            Object.entries(engines.partitionWritesPerOrderByTable).map(([table, n]) => [`  ${table}`, n]),
          ),
          'Cassandra conditional statements (Paxos rounds) per order': engines.conditionalStatementsPerOrder ?? 'n/a',
          'Cassandra SERIAL reads per order': engines.serialReadsPerOrder ?? 'n/a',
          'Kafka produce / fetch requests per order': engines.kafkaRequestsPerOrder
            ? `${engines.kafkaRequestsPerOrder.produce} / ${engines.kafkaRequestsPerOrder.fetch}`
            : 'n/a',
          'write-bound orders/s (batched rows/s ÷ writes per order)': engines.writeBoundOrdersPerSec,
          'ratio of orders/s to that bound': engines.ratioToWriteBound,
          'peak RSS of the pipeline (MB)': engines.peakRssMb,
          'GET /api/stats req/s (Cassandra)': engines.statsReqPerSec,
          'GET /api/timeline?limit=100 req/s (Cassandra)': engines.timelineReqPerSec,
        });
      } finally {
        await pipeline.stop();
      }
    } finally {
      await counterClient.shutdown();
      await infrastructure.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
