/**
 * Readiness probe used by start.sh: retries a real client request until the engine answers or the
 * time runs out, then prints one line about what answered. A bound TCP port is not enough: Kafka binds
 * before it processes requests, and Cassandra opens 9042 before the schema is ready.
 *
 *   tsx scripts/engines/probe.ts kafka 127.0.0.1:9092 60
 *   tsx scripts/engines/probe.ts cassandra 127.0.0.1:9042 60
 */
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';

async function probeKafka(address: string): Promise<string> {
  const kafka = new Kafka({
    clientId: 'engines-probe',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // listTopics goes through the broker's metadata path, which only answers once the broker is unfenced.
    await admin.listTopics();
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'none'}`;
  } finally {
    await admin.disconnect();
  }
}

async function probeCassandra(address: string): Promise<string> {
  const client = new cassandra.Client({
    contactPoints: [address],
    localDataCenter: 'datacenter1',
    socketOptions: { connectTimeout: 3_000, readTimeout: 5_000 },
  });
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version, data_center, cluster_name FROM system.local');
    const row = result.first();
    return `release_version ${String(row.get('release_version'))}, data centre ${String(row.get('data_center'))}, cluster '${String(row.get('cluster_name'))}'`;
  } finally {
    await client.shutdown();
  }
}

const probes: Record<string, (address: string) => Promise<string>> = { kafka: probeKafka, cassandra: probeCassandra };

async function main(): Promise<void> {
  const [engine = '', address = '', seconds = '60'] = process.argv.slice(2);
  const probe = probes[engine];
  if (probe === undefined || address === '') {
    console.error('usage: probe.ts kafka|cassandra host:port [timeout-seconds]');
    process.exit(2);
  }
  const deadline = Date.now() + Number(seconds) * 1000;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      console.log(await probe(address));
      return;
    } catch (error) {
      if (Date.now() >= deadline) {
        console.error(`${engine} at ${address} did not answer after ${attempts} attempts: ${String(error)}`);
        process.exit(1);
      }
      await sleep(1_000);
    }
  }
}

await main();
