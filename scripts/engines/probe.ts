/**
 * Readiness probe used by start.sh: retries a real client request until the engine answers or the
 * time runs out, then prints one line about what answered. A bound TCP port is not enough: Kafka binds
 * before it processes requests, and Cassandra opens 9042 before the schema is ready.
 *
 * A secured engine is probed with the credentials and certificates of the env file start.sh wrote for
 * it; for cassandra-secure, with `create-role`, the probe first creates the application's role, logging
 * in once as the default superuser (start.sh does; a check of an engine given from outside does not).
 *
 *   tsx scripts/engines/probe.ts kafka 127.0.0.1:9092 60
 *   tsx scripts/engines/probe.ts cassandra 127.0.0.1:9042 60
 *   tsx scripts/engines/probe.ts kafka-secure 127.0.0.1:9192 60 .tmp/engines/kafka-secure/env
 *   tsx scripts/engines/probe.ts cassandra-secure 127.0.0.1:9142 60 .tmp/engines/cassandra-secure/env create-role
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

type Settings = Record<string, string>;

/** KEY=VALUE lines of an env file written by start.sh (a value with spaces is in single quotes). */
function readEnvFile(file: string): Settings {
  const settings: Settings = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) settings[line.slice(0, at)] = line.slice(at + 1).replace(/^'(.*)'$/, '$1');
  }
  return settings;
}

function setting(settings: Settings, name: string): string {
  const value = settings[name];
  if (value === undefined || value === '') throw new Error(`${name} missing from the engine's env file`);
  return value;
}

/** TLS towards a test engine: its CA, the client certificate if any, and the name its certificate carries. */
function tlsOf(settings: Settings, prefix: string): ConnectionOptions {
  const certificate = settings[`${prefix}_SSL_CERT_FILE`];
  const key = settings[`${prefix}_SSL_KEY_FILE`];
  return {
    ca: [readFileSync(setting(settings, `${prefix}_SSL_CA_FILE`), 'utf8')],
    ...(certificate === undefined || key === undefined
      ? {}
      : { cert: readFileSync(certificate, 'utf8'), key: readFileSync(key, 'utf8') }),
    servername: 'localhost',
    rejectUnauthorized: true,
  };
}

function kafkaSecurity(settings: Settings | undefined): Partial<KafkaConfig> {
  if (settings === undefined) return {};
  return {
    ssl: tlsOf(settings, 'SECURED_KAFKA'),
    sasl: {
      mechanism: 'scram-sha-512',
      username: setting(settings, 'SECURED_KAFKA_SASL_USERNAME'),
      password: setting(settings, 'SECURED_KAFKA_SASL_PASSWORD'),
    },
  };
}

async function probeKafka(address: string, settings?: Settings): Promise<string> {
  const kafka = new Kafka({
    clientId: 'engines-probe',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    ...kafkaSecurity(settings),
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

function cassandraClient(address: string, settings?: Settings, login?: [string, string]): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [address],
    localDataCenter: 'datacenter1',
    socketOptions: { connectTimeout: 3_000, readTimeout: 5_000 },
    ...(settings === undefined ? {} : { sslOptions: tlsOf(settings, 'SECURED_CASSANDRA') }),
    ...(login === undefined ? {} : { authProvider: new cassandra.auth.PlainTextAuthProvider(...login) }),
  });
}

/**
 * Once, as the superuser every new node has (cassandra/cassandra): the application's role, allowed to
 * create keyspaces and to do anything in them, but not a superuser.
 */
async function createApplicationRole(address: string, settings: Settings): Promise<void> {
  const role = setting(settings, 'SECURED_CASSANDRA_USERNAME');
  const password = setting(settings, 'SECURED_CASSANDRA_PASSWORD');
  if (!/^[a-z_][a-z0-9_]*$/.test(role) || !/^[\w-]+$/.test(password)) {
    throw new Error('the role name or password in the env file is not a plain word');
  }
  const admin = cassandraClient(address, settings, ['cassandra', 'cassandra']);
  try {
    await admin.connect();
    await admin.execute(`CREATE ROLE IF NOT EXISTS ${role} WITH PASSWORD = '${password}' AND LOGIN = true`);
    await admin.execute(`GRANT ALL PERMISSIONS ON ALL KEYSPACES TO ${role}`);
  } finally {
    await admin.shutdown();
  }
}

async function probeCassandra(address: string, settings?: Settings, createRole = false): Promise<string> {
  if (settings !== undefined && createRole) await createApplicationRole(address, settings);
  const login: [string, string] | undefined =
    settings === undefined
      ? undefined
      : [setting(settings, 'SECURED_CASSANDRA_USERNAME'), setting(settings, 'SECURED_CASSANDRA_PASSWORD')];
  const client = cassandraClient(address, settings, login);
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version, data_center, cluster_name FROM system.local');
    const row = result.first();
    return `release_version ${String(row.get('release_version'))}, data centre ${String(row.get('data_center'))}, cluster '${String(row.get('cluster_name'))}'`;
  } finally {
    await client.shutdown();
  }
}

type Probe = (address: string, settings?: Settings, createRole?: boolean) => Promise<string>;
const probes: Record<string, Probe> = {
  kafka: probeKafka,
  cassandra: probeCassandra,
  'kafka-secure': probeKafka,
  'cassandra-secure': probeCassandra,
};

async function main(): Promise<void> {
  const [engine = '', address = '', seconds = '60', envFile, setup] = process.argv.slice(2);
  const probe = probes[engine];
  const secured = engine.endsWith('-secure');
  if (probe === undefined || address === '' || (secured && envFile === undefined)) {
    console.error(
      'usage: probe.ts kafka|cassandra|kafka-secure|cassandra-secure host:port [timeout-seconds] [env-file [create-role]]',
    );
    process.exit(2);
  }
  const settings = secured && envFile !== undefined ? readEnvFile(envFile) : undefined;
  const deadline = Date.now() + Number(seconds) * 1000;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      console.log(await probe(address, settings, setup === 'create-role'));
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
